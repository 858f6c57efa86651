"""Requests the site refuses outright, and old addresses of imported posts answering 301."""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, HttpResponsePermanentRedirect

from blog.models import Post, RedirectFromOldUrl


class OldUrlRedirectMiddleware:
    """Like ``django.contrib.redirects``' fallback: only a 404 looks for an old address.

    ``/2019/05/01/hello.html``, ``/2019/05/01/hello`` and ``/2019/05/01/hello/`` all find an old
    address stored in any of those forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        redirect = (
            RedirectFromOldUrl.objects.filter(
                old_path__in=_spellings(request.path), post__in=Post.objects.public()
            )
            .select_related("post")
            .first()
        )
        if redirect is None:
            return response
        target = redirect.post.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(target)


def _spellings(path):
    base = path.removesuffix("index.html").rstrip("/") or "/"
    return {path, base, base + "/", base + ".html", base.removesuffix(".html")}


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
