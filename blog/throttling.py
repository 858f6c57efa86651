"""Per-client request budgets, counted in the cache (shared by every server through Redis).

A fixed window per client and scope: simple, one cache write per request, and enough to keep
one client from monopolising an expensive page. When the cache is unavailable, nobody is
limited (see ``blog.cache_backends``): an outage of Redis must not lock readers out.
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's IP address; behind a proxy (``DJANGO_BEHIND_PROXY``), the address the proxy
    saw, which it appends last to X-Forwarded-For (earlier entries are the client's to forge)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(request, scope, *, limit, window):
    """Count one request of ``scope`` for this client; False once it made ``limit`` of them in
    the current ``window`` of seconds."""
    if limit <= 0:
        return True
    slot = int(time.time() // window)
    key = f"blog:rate:{scope}:{client_address(request)}:{slot}"
    cache.add(key, 0, window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        return True
    return count is None or count <= limit
