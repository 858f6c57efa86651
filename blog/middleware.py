"""Requests the site refuses outright, and old addresses answering 301: of posts and pages, and
the old site's feeds."""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, HttpResponsePermanentRedirect
from django.urls import resolve, reverse

from blog.models import FileAddress
from blog.views import find_address


class OldUrlRedirectMiddleware:
    """Like ``django.contrib.redirects``' fallback: a 404 looks for an old address of content.

    Addresses the site's own routes match (``/2019/05/01/hello/`` after the post moved,
    ``/tags/old/`` from a Hugo alias) are found here; ``blog.views.content_at`` finds the rest.
    Every spelling of an address (``.html``, ``index.html``, trailing slash, percent-encoded)
    finds it, through ``blog.addresses.address_key``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        found = find_address(request)
        if found is not None and found.content.path != request.path:
            target = found.content.get_absolute_url()
        else:
            target = old_feed_target(request.path) or stored_file_address(request.path)
        if target is None:
            return response
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(target)


# The feeds static generators publish, by file name: Jekyll's jekyll-feed (feed.xml, Atom), its
# themes' atom.xml and rss.xml, Hugo's index.xml (RSS) for the home page, every section and
# every taxonomy and term.
OLD_FEED_NAMES = {
    "feed.xml": "blog:feed_atom",
    "atom.xml": "blog:feed_atom",
    "index.xml": "blog:feed_rss",
    "rss.xml": "blog:feed_rss",
    "feed.json": "blog:feed_json",
    "index.json": "blog:feed_json",
}


def old_feed_target(path):
    """Where an old feed this site does not have went: the site's feed of the same kind (a
    section's or a custom taxonomy's posts are among the site's)."""
    name = path.rsplit("/", 1)[-1]
    if name not in OLD_FEED_NAMES or resolve(path).url_name != "content":
        return None  # not a feed, or one of this site's own (of a tag that is not public)
    return reverse(OLD_FEED_NAMES[name])


def stored_file_address(path):
    """Where a file of the old site (an image, a PDF) is now: its stored copy."""
    stored = FileAddress.objects.filter(key=path).select_related("file").first()
    return stored.file.url if stored is not None else None


class RejectNulMiddleware:
    """A NUL character in the address, the query or a cookie answers 400 at once.

    PostgreSQL cannot store or compare text holding NUL (psycopg refuses the query), so such a
    request would otherwise fail with a 500 wherever its text reaches a query; no real link
    holds one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = (request.path_info, request.META.get("QUERY_STRING", ""))
        in_address = any("\x00" in text or b"\x00" in unquote_to_bytes(text) for text in raw)
        # Cookie values arrive quoted ("\000"): look at them as Django reads them.
        if in_address or any("\x00" in value for value in request.COOKIES.values()):
            return HttpResponseBadRequest(
                "Bad request: the address holds a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)
