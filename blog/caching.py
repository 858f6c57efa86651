"""What the public pages depend on, the one place that says it changed, and the page cache.

Every write that readers could see goes through ``content_changed()``: ``Post.save()``, the
importer, the admin's bulk actions and re-render, ``rerender_posts``, restoring a revision,
renaming a tag, author, category or keyword. It updates the search index of the posts written,
counts a change of the site (``SiteVersion``) when public content moved, and forgets the cached
content state, so every page's ETag and cache entry change at once, on every server.

The content state is one query over *public* posts: saving a draft changes no public page's
ETag or Last-Modified. Pages are cached per address with the ETag they were rendered for; a page
whose ETag is no longer current is simply rendered again. When the database is down, the last
page rendered for an address is served as it is rather than an error.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

STATE_KEY = "blog:content-state"
PAGE_KEY_PREFIX = "blog:page:"


def content_changed(*, post_ids=(), public=True):
    """Call after writing content: ``post_ids`` are the posts written (their search entries are
    brought up to date); ``public`` says whether anything a reader sees may have changed (a draft
    that was never public changes nothing for readers)."""
    from blog import search
    from blog.models import SiteVersion

    if post_ids:
        search.update_index(post_ids)
    if public:
        updated = SiteVersion.objects.filter(pk=1).update(
            number=F("number") + 1, changed_at=timezone.now()
        )
        if not updated:
            SiteVersion.objects.get_or_create(pk=1, defaults={"changed_at": timezone.now()})
    cache.delete(STATE_KEY)


@dataclass(frozen=True)
class ContentState:
    """What every public page depends on; see ``PostQuerySet.content_state``."""

    values: dict

    # Read several times per request (the 304 check, the cache check, the headers).
    @cached_property
    def etag(self):
        text = "|".join(f"{key}={self.values[key]}" for key in sorted(self.values))
        return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'

    @cached_property
    def last_modified(self):
        keys = ("modified", "shown", "expired", "site_changed")
        moments = [self.values[key] for key in keys if self.values.get(key)]
        return max(moments) if moments else None


def content_state():
    """The current ``ContentState``: from the cache for ``BLOG_CONTENT_STATE_SECONDS`` (never past
    the moment the next scheduled post goes live or a post expires), else one query.

    Raises ``DatabaseError`` when the database cannot answer and the cache has no state.
    """
    from blog.models import Post

    now = timezone.now()
    seconds = settings.BLOG_CONTENT_STATE_SECONDS
    values = cache.get(STATE_KEY) if seconds else None
    if values is None or (values["next_change"] and values["next_change"] <= now):
        values = Post.objects.content_state(now=now)
        if seconds:
            timeout = seconds
            if values["next_change"]:
                until = (values["next_change"] - now).total_seconds()
                timeout = max(min(timeout, until), 0.001)
            cache.set(STATE_KEY, values, timeout)
    return ContentState({key: value for key, value in values.items() if key != "next_change"})


# --- The page cache ---------------------------------------------------------------------------

# Of the query string, only the page number changes what a page shows; other parameters would
# only let a stranger fill the cache with copies of one page.
PAGE_PARAMETERS = ("page",)


def page_key(request):
    parameters = [f"{name}={request.GET[name]}" for name in PAGE_PARAMETERS if name in request.GET]
    address = request.path + ("?" + "&".join(parameters) if parameters else "")
    return PAGE_KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()[:40]


@dataclass
class CachedPage:
    etag: str
    last_modified: dt.datetime | None
    content: bytes
    content_type: str


def cached_page(key):
    return cache.get(key)


def store_page(key, *, state, response):
    # Kept for as long as the setting says even after the ETag moves on: it is what readers get
    # if the database goes down before the page is rendered again.
    cache.set(
        key,
        CachedPage(
            etag=state.etag,
            last_modified=state.last_modified,
            content=response.content,
            content_type=response["Content-Type"],
        ),
        settings.BLOG_PAGE_CACHE_SECONDS,
    )
