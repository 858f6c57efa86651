"""A token per key of what pages show, in the cache: a change gives its keys new tokens.

A stored page keeps the tokens its keys had when it was rendered and is served only while they
are the same (one ``get_many``, which is one round trip to Redis). Tokens are random, not
counters, so setting them needs no read and a key the cache lost comes back as a token no page
was stored with. ``CHANGES`` gets a new token with every change: a page whose render saw it move
is not stored, since it may have read the database before the change was committed.
"""

import secrets

from django.core.cache import cache

PREFIX = "blog:v:"
CHANGES = PREFIX + "*"


def new_token():
    return secrets.token_hex(8)


def bump(keys):
    """Give ``keys`` new tokens: every page stored with one of them is out of date."""
    tokens = {CHANGES: new_token()}
    tokens.update({PREFIX + key: new_token() for key in keys})
    cache.set_many(tokens, timeout=None)


def current(keys):
    """The tokens of ``keys`` now, in order; None for a key the cache does not hold."""
    found = cache.get_many([PREFIX + key for key in keys])
    return tuple(found.get(PREFIX + key) for key in keys)


def changes_token():
    return cache.get(CHANGES)


def settled(keys):
    """The tokens of ``keys`` for storing a page, giving a token to a key that has none, with
    the ``CHANGES`` token read in the same round trip."""
    names = [PREFIX + key for key in keys]
    found = cache.get_many([*names, CHANGES])
    missing = {name: new_token() for name in names if name not in found}
    if missing:
        for name, token in missing.items():
            if not cache.add(name, token, timeout=None):
                missing[name] = cache.get(name)
        found.update(missing)
    return tuple(found.get(name) for name in names), found.get(CHANGES)


def tokens_etag(keys):
    """One string for the tokens of ``keys`` now: what a result derived from them is cached
    under."""
    return "-".join(token or "" for token in settled(keys)[0])
