"""The page cache, in front of the framework: a reader who is not logged in gets a stored page the
way WhiteNoise serves a static file, without sessions, CSRF, URL routing or the database.

``FrontCacheMiddleware`` sits right after WhiteNoise. For a GET or HEAD without a session or
CSRF cookie, it reads the stored page of the address, then the tokens of the page's keys and the
schedule (``blog.caching.tokens``: one more round trip to Redis, or a read of shared memory):
when they are the ones the page was rendered with, the stored body and headers are the answer,
or 304 for a matching ``If-None-Match``. Otherwise Django renders the page, and a response that
``public_page`` (``blog.views``) marked as a public page is stored on its way out, with every
header the middleware below added. If rendering fails (the database is down), the stored page,
out of date, is served rather than an error.
"""

import contextlib

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from blog.caching import pages, schedule, tokens


class FrontCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        store = tokens.store()
        if not settings.BLOG_PAGE_CACHE_SECONDS or _may_be_someone(request):
            # Maybe logged in, or holding a form: Django decides (the page is still stored).
            return self.render(request, key=None, stale=None, before=store.snapshot(()))
        key = pages.page_key(request)
        now = timezone.now()
        page = pages.recent(key)
        seen = store.snapshot(page.keys) if page is not None else None
        if seen is None or page.tokens != seen.tokens:
            page = pages.stored(key)  # another process may have rendered it again
            seen = store.snapshot(page.keys if page is not None else ())
        if not schedule.is_current(seen.schedule, now):
            with contextlib.suppress(DatabaseError):  # rendering fails too, and serves `page`
                schedule.catch_up()
            seen = store.snapshot(page.keys if page is not None else ())
        fresh = page is not None and page.tokens == seen.tokens
        if fresh and schedule.is_current(seen.schedule, now):
            return page.response(request, state=seen.schedule, now=now, served_as="hit")
        return self.render(request, key=key, stale=page, before=seen)

    def render(self, request, *, key, stale, before):
        """Django's answer; a public page is stored (``key``) unless something changed while it
        was rendered (``before``: the tokens seen first)."""
        response = self.get_response(request)
        shown = getattr(response, "shown_keys", None)
        if shown is None:
            if stale is not None and response.status_code >= 500:
                now = timezone.now()
                return stale.response(request, state=None, now=now, served_as="stale")
            return response
        _vary_not_on_cookie(response)
        page = pages.StoredPage.of(response, keys=shown, previous=stale)
        if key is not None and _storable(response):
            after = tokens.store().settled(page.keys)
            if after.changes == before.changes and None not in after.tokens:
                page.tokens = after.tokens
                pages.store(key, page)
        now = timezone.now()
        if page.not_modified(request):
            return page.response(request, state=before.schedule, now=now, served_as="miss")
        return page.with_headers(response, state=before.schedule, now=now, served_as="miss")


def _may_be_someone(request):
    """A session (maybe logged in) or a CSRF cookie (holding a form)."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or settings.CSRF_COOKIE_NAME in cookies


def _vary_not_on_cookie(response):
    """A public page is the same for every reader who is not logged in: the session that
    Django looked at to find that out (and noted in ``Vary``) makes no difference to it."""
    if "Vary" in response:
        kept = [name.strip() for name in response["Vary"].split(",")]
        kept = [name for name in kept if name.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


def _storable(response):
    """A page that sets no cookie is the same for every reader."""
    return not response.cookies
