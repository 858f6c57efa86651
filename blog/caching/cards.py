"""Post cards: the summary every list shows of a post (title, date, authors, excerpt, terms),
rendered once per version of the post and kept in the cache, so that a list page is a handful
of cards put together rather than ten templates rendered again. Feeds keep what they show of a
post's authors and terms the same way (``kept_per_post``).

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
    cards = kept_per_post(
        posts, "card", lambda post: render_to_string(TEMPLATE, {"post": post}), prefetch=prefetch
    )
    for post in posts:
        post.card = mark_safe(cards[post.pk])
    return posts


def kept_per_post(posts, kind, make, *, prefetch):
    """{post id: ``make(post)``} for ``posts``, each value kept in the cache under the post's
    token and the site's, so that it is made again only after a change to what it shows.
    ``prefetch``: what ``make`` reads, read for the posts whose value is not kept only."""
    if not posts:
        return {}
    snapshot = tokens.store().settled([keys.SITE, *(keys.post(post.pk) for post in posts)])
    site_token, post_tokens = snapshot.tokens[0], snapshot.tokens[1:]
    names = [
        _cache_key(kind, post.pk, site_token, token)
        for post, token in zip(posts, post_tokens, strict=True)
    ]
    kept = cache.get_many([name for name in names if name])
    missing = [post for post, name in zip(posts, names, strict=True) if name not in kept]
    if missing:
        prefetch_related_objects(missing, *prefetch)
    values, made = {}, {}
    for post, name in zip(posts, names, strict=True):
        if name in kept:
            values[post.pk] = kept[name]
        else:
            values[post.pk] = made_value = make(post)
            if name:
                made[name] = made_value
    if made:
        cache.set_many(made, SECONDS)
    return values


def _cache_key(kind, pk, site_token, post_token):
    if site_token is None or post_token is None:
        return None  # the cache is away: made, not kept
    digest = hashlib.sha256(repr((site_token, post_token)).encode()).hexdigest()[:24]
    return f"blog:{kind}:{pk}:{digest}"
