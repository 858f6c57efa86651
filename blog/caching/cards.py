"""Post cards: the summary every list shows of a post (title, date, authors, excerpt, terms),
rendered once per version of the post and kept in the cache, so that a list page is a handful
of cards put together rather than ten templates rendered again.

A card is kept under its post's token and the site's (``keys.post``, ``keys.SITE``): whatever
changes what a card shows (the post, the name of one of its terms, the site's settings) gives
one of them a new token, and the next list renders the card again. Cards are rendered when a
list first needs them after a change rather than when the post is saved: an import of 10,000
posts would otherwise spend seconds on cards that may never be shown.
"""

import hashlib

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from blog.caching import keys, tokens

TEMPLATE = "blog/includes/post_summary.html"
SECONDS = 7 * 24 * 3600


def with_cards(posts, *, prefetch):
    """``posts`` (a list), each with its ``card``; ``prefetch``: what rendering a card reads
    (``PostQuerySet.LISTING_PREFETCHES``), read for the cards that are not kept only."""
    if not posts:
        return posts
    snapshot = tokens.store().settled([keys.SITE, *(keys.post(post.pk) for post in posts)])
    site_token, post_tokens = snapshot.tokens[0], snapshot.tokens[1:]
    names = [
        _cache_key(post.pk, site_token, token)
        for post, token in zip(posts, post_tokens, strict=True)
    ]
    kept = cache.get_many([name for name in names if name])
    missing = [post for post, name in zip(posts, names, strict=True) if name not in kept]
    if missing:
        prefetch_related_objects(missing, *prefetch)
    rendered = {}
    for post, name in zip(posts, names, strict=True):
        if name in kept:
            html = kept[name]
        else:
            html = render_to_string(TEMPLATE, {"post": post})
            if name:
                rendered[name] = html
        post.card = mark_safe(html)
    if rendered:
        cache.set_many(rendered, SECONDS)
    return posts


def _cache_key(pk, site_token, post_token):
    if site_token is None or post_token is None:
        return None  # the cache is away: rendered, not kept
    digest = hashlib.sha256(repr((site_token, post_token)).encode()).hexdigest()[:24]
    return f"blog:card:{pk}:{digest}"
