"""Stored public pages: the body and headers of a page as readers got it, with the keys of what
it shows and their tokens when it was rendered; and the caching headers pages carry."""

import collections
import dataclasses
import hashlib
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from blog.caching import schedule

PAGE_KEY_PREFIX = "blog:page:"

# Of the query string, only the page number changes what a page shows; other parameters would
# only let a stranger fill the cache with copies of one page.
PAGE_PARAMETERS = ("page",)

# Headers a stored page does not keep: they are the request's own, or made for each answer.
NOT_STORED = {"set-cookie", "date", "cache-control", "etag", "last-modified", "content-length"}


def page_key(request):
    parameters = [f"{name}={request.GET[name]}" for name in PAGE_PARAMETERS if name in request.GET]
    address = request.path + ("?" + "&".join(parameters) if parameters else "")
    return PAGE_KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()[:40]


@dataclasses.dataclass
class StoredPage:
    keys: tuple
    tokens: tuple
    status: int
    headers: list
    body: bytes
    etag: str
    last_modified: int  # seconds since the epoch

    @classmethod
    def of(cls, response, *, keys, previous=None):
        """What ``response`` is as a stored page (its tokens are filled in when it is stored).
        It keeps the previous copy's Last-Modified when it reads the same."""
        body = response.content
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if previous is not None and previous.etag == etag:
            last_modified = previous.last_modified
        else:
            last_modified = int(time.time())
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in NOT_STORED
        ]
        keys = tuple(sorted(keys))
        return cls(keys, (), response.status_code, headers, body, etag, last_modified)

    def response(self, request, *, state, now, served_as):
        """The answer to ``request`` from this page: 304 when the reader has it already."""
        if self.not_modified(request):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(self.body, status=self.status)
            for name, value in self.headers:
                response[name] = value
            response["Content-Length"] = len(self.body)
        return self.with_headers(response, state=state, now=now, served_as=served_as)

    def with_headers(self, response, *, state, now, served_as):
        """``response`` with this page's validators, caching headers and keys."""
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        response["Cache-Control"] = (
            "public, no-cache" if served_as == "stale" else cache_control(state, now)
        )
        response[settings.BLOG_SURROGATE_KEY_HEADER] = surrogate_keys(self.keys)
        response["X-Page-Cache"] = served_as
        return response

    def not_modified(self, request):
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            tags = parse_etags(if_none_match)
            return "*" in tags or self.etag in tags or f"W/{self.etag}" in tags
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        return since is not None and self.last_modified <= since


class RecentPages:
    """The pages this process served last, in its memory, in front of a shared cache (Redis):
    a hit then costs one round trip (the tokens) instead of two (the page, the tokens). A page
    found here is checked against the tokens like any other."""

    def __init__(self, size):
        self.size = size
        self.pages = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


RECENT = RecentPages(size=500)


def recent(key):
    """The page of ``key`` this process last served, when the cache is shared (REDIS_URL)."""
    return RECENT.get(key) if settings.REDIS_URL else None


def stored(key):
    """The page of ``key`` in the cache, if any."""
    page = cache.get(key)
    if page is not None and settings.REDIS_URL:
        RECENT.put(key, page)
    return page


def store(key, page):
    # Kept for as long as the setting says even once out of date: it is what readers get if
    # the database goes down before the page is rendered again.
    cache.set(key, page, settings.BLOG_PAGE_CACHE_SECONDS)
    if settings.REDIS_URL:
        RECENT.put(key, page)


def cache_control(state, now):
    """How long shared caches in front may keep a page: ``BLOG_SHARED_CACHE_SECONDS``, never
    past the next scheduled publication or expiry; browsers ask again every time (and get 304).
    Without a purger, shared caches must ask too (a purge is what tells them of a change)."""
    seconds = settings.BLOG_SHARED_CACHE_SECONDS
    if not seconds:
        return "public, no-cache"
    left = schedule.seconds_left(state, now)
    parts = ["public", "max-age=0"]
    if left is not None and left < seconds:
        # Serving a stale copy while fetching a new one would show the page as it was before
        # the scheduled moment.
        parts.append(f"s-maxage={int(left)}")
    else:
        parts.append(f"s-maxage={seconds}")
        if settings.BLOG_STALE_WHILE_REVALIDATE_SECONDS:
            parts.append(f"stale-while-revalidate={settings.BLOG_STALE_WHILE_REVALIDATE_SECONDS}")
    if settings.BLOG_STALE_IF_ERROR_SECONDS:
        parts.append(f"stale-if-error={settings.BLOG_STALE_IF_ERROR_SECONDS}")
    return ", ".join(parts)


def surrogate_keys(names):
    separator = ", " if settings.BLOG_SURROGATE_KEY_HEADER.lower() == "cache-tag" else " "
    return separator.join(names)
