"""The page cache, in front of the framework: a reader who is not logged in gets a stored page
the way WhiteNoise serves a static file, without sessions, CSRF, URL routing or the database.

``FrontCacheMiddleware`` sits right after WhiteNoise. For a GET or HEAD without a session or
CSRF cookie, it reads the stored page of the address, the schedule's state and the change token
(one ``get_many``), then the tokens of the page's keys (a second): when they are the ones the
page was rendered with, the stored body and headers are the answer, or 304 for a matching
``If-None-Match``. Otherwise Django renders the page, and a response that ``public_page``
(``blog.views``) marked as a public page is stored on its way out, with every header the
middleware below added. If rendering fails (the database is down), the stored page, out of
date, is served rather than an error.
"""

import contextlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from blog.caching import pages, schedule, versions


class FrontCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if not settings.BLOG_PAGE_CACHE_SECONDS:
            return self.render(request, key=None, stale=None, changes=None, state=schedule.state())
        if settings.SESSION_COOKIE_NAME in request.COOKIES or (
            settings.CSRF_COOKIE_NAME in request.COOKIES
        ):
            # Maybe logged in, or holding a form: Django decides (a page is still stored).
            return self.render(request, key=None, stale=None, changes=None, state=schedule.state())
        key = pages.page_key(request)
        found = cache.get_many([key, schedule.STATE_KEY, versions.CHANGES])
        page, state = found.get(key), found.get(schedule.STATE_KEY)
        now = timezone.now()
        if not schedule.is_current(state, now):
            with contextlib.suppress(DatabaseError):  # rendering fails too, and serves `page`
                schedule.catch_up()
            state = schedule.state()
            found[versions.CHANGES] = versions.changes_token()
        fresh = page is not None and schedule.is_current(state, now)
        if fresh and page.tokens == versions.current(page.keys):
            return page.response(request, state=state, now=now, served_as="hit")
        changes = found.get(versions.CHANGES)
        return self.render(request, key=key, stale=page, changes=changes, state=state)

    def render(self, request, *, key, stale, changes, state):
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
            page.tokens, changes_now = versions.settled(page.keys)
            if changes_now == changes and None not in page.tokens:
                pages.store(key, page)
        now = timezone.now()
        if page.not_modified(request):
            return page.response(request, state=state, now=now, served_as="miss")
        return page.with_headers(response, state=state, now=now, served_as="miss")


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
