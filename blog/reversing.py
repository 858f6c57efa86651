"""Addresses of many rows from one ``reverse()`` each.

``reverse()`` costs about 20 µs; a page listing hundreds of tags, months or terms (the archive
index, the sitemap) spent more on it than on its queries. Each function here reverses its view
once with a stand-in value and then formats the real values in, quoted as ``reverse()`` quotes
them.
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

# What reverse() leaves unquoted in a path (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"
_STAND_IN = "stand-in-slug"


def archive_addresses():
    """Functions giving a year's and a month's archive address."""
    year_pattern = reverse("blog:year_archive", args=[9999]).replace("9999", "{year}")
    month_pattern = (
        reverse("blog:month_archive", args=[9999, 12])
        .replace("9999", "{year}")
        .replace("/12/", "/{month:02d}/")
    )
    return (
        lambda year: year_pattern.format(year=year),
        lambda year, month: month_pattern.format(year=year, month=month),
    )


def slug_address(viewname):
    """A function giving the address of ``viewname`` (a view taking ``slug``) for a slug."""
    before, after = reverse(viewname, kwargs={"slug": _STAND_IN}).split(_STAND_IN)
    return lambda slug: before + quote(slug, safe=_SAFE) + after
