"""Requests the site refuses outright, and old addresses of imported posts answering 301."""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, HttpResponsePermanentRedirect

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
        if found is None or found.content.path == request.path:
            return response
        target = found.content.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(target)


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
