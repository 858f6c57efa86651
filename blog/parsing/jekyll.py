"""Jekyll's conventions, as Jekyll 4.3 applies them (checked against Debian's ``jekyll`` by
``tests/test_generators.py``).

Dates: Jekyll reads a front-matter date with Ruby's ``Time.parse``, which takes month names,
zone abbreviations and trailing words (``July 6, 2021``, ``2016-03-21 12:00 EDT``,
``2016-07-19 (optional)``). python-dateutil reads the same spellings; the differences from Ruby
that the tests found are handled here.
"""

import datetime as dt
import re
import warnings
from dataclasses import dataclass

from dateutil import parser as dateutil_parser

HOUR = 3600
# Ruby's Time::ZoneOffset: the only zone names Time.parse understands. Any other abbreviation
# (CET, BST, IST...) is ignored and the time read as the site's, as Jekyll does.
ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "UT": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * HOUR,
    "EDT": -4 * HOUR,
    "CST": -6 * HOUR,
    "CDT": -5 * HOUR,
    "MST": -7 * HOUR,
    "MDT": -6 * HOUR,
    "PST": -8 * HOUR,
    "PDT": -7 * HOUR,
}


def _ignore_unknown_zone(name, offset):
    """dateutil's ``tzinfos`` hook: a zone Ruby knows, else none (the site's time zone)."""
    if name in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[name]
    return None


# "12:00-400": Ruby does not read a three-digit offset as a zone, and ignores it.
_IGNORED_OFFSET = re.compile(r"(?<=\d)\s*[+-]\d{3}$")
# Ruby reads the first date and time of a text and ignores what follows them when the rest does
# not parse ("2023-01-29 18:30:22 2023 -0800", from jekyllrb.com's own posts, is 18:30:22 UTC).
_LEADING_DATE_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
# Two defaults that differ in every date field: what the text leaves out comes from them.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2001, 2, 2, 1, 1, 1))


@dataclass(frozen=True)
class JekyllDate:
    moment: dt.datetime
    year_assumed: bool  # the text has no year: Jekyll uses the year it builds in


def parse_date(text, tz, *, today=None):
    """``text`` read as Jekyll reads a front-matter date, in ``tz`` when it names no zone.

    As Ruby's Time.parse: a missing day is the 1st ("July 2021"), a missing year is the current
    one ("July 6"; ``year_assumed``), a time without seconds has none. None when Jekyll refuses
    the text too ("2021", "tomorrow", "2021-13-45": "Invalid date").
    """
    text = _IGNORED_OFFSET.sub("", text.strip())
    readings = _readings(text)
    leading = _LEADING_DATE_TIME.match(text)
    if readings is None and leading:
        readings = _readings(leading.group(0))
    if readings is None:
        return None
    first, second = readings
    if first.month != second.month:
        return None  # no month: not a date Jekyll reads
    year_assumed = first.year != second.year
    year = (today or dt.datetime.now(tz).date()).year if year_assumed else first.year
    day = first.day if first.day == second.day else 1
    try:
        # The first default's time is midnight: a date alone, or a time without seconds, gets
        # zeros.
        moment = first.replace(year=year, day=day)
    except ValueError:
        return None  # February 29 in the current year, which has none
    return JekyllDate(moment if moment.tzinfo else moment.replace(tzinfo=tz), year_assumed)


def _readings(text):
    """``text`` read with each of the two defaults; None if it does not parse."""
    readings = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                # An abbreviation not in the table: Ruby ignores it too, and reads local time.
                warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
                readings.append(
                    dateutil_parser.parse(
                        text, default=default, fuzzy=True, tzinfos=_ignore_unknown_zone
                    )
                )
        except (ValueError, OverflowError):
            return None
    return readings
