"""A Redis cache that the site survives losing.

Django's ``RedisCache`` raises when Redis is down, and every page, admin save and import uses the
cache, so an outage of Redis took the whole site down. Here every cache operation that fails
with a Redis error behaves as a miss (reads return the default, writes and deletes do nothing),
the outage is logged once when it starts and once when it ends, and Redis is not asked again for
``RETRY_SECONDS`` so that requests do not each wait for a dead server.

Pages then render from the database. When Redis answers again, the process that notices gives
every stored page a new token: the changes made meanwhile could not say what they changed
(``blog.caching``).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("blog.cache")

RETRY_SECONDS = 1.0


class ResilientRedisCache(RedisCache):
    _lock = threading.Lock()
    _down_until = 0.0
    _down = False

    def _call(self, operation, default, *args, **kwargs):
        if self._down and (time.monotonic() < self._down_until or not self._recovered()):
            return default
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return default

    def _failed(self, error):
        with self._lock:
            if not self._down:
                logger.error(
                    "The Redis cache at %s is unavailable (%s); serving without it and "
                    "retrying every %.0f s.",
                    self._servers[0],
                    error,
                    RETRY_SECONDS,
                )
            type(self)._down = True
            type(self)._down_until = time.monotonic() + RETRY_SECONDS

    def _recovered(self):
        """Whether Redis answers again. The first thing asked of it then, before anything is
        read, is to put every stored page out of date: changes made while it was away could not
        say what they changed."""
        from blog.caching import keys, tokens

        type(self)._down = False
        tokens.store().bump([keys.SITE])  # through _call: a failure marks it down again
        if self._down:
            return False
        logger.warning("The Redis cache at %s answers again.", self._servers[0])
        return True

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", [], data, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # None: "not counted"; callers (blog.throttling) then let the request through.
        return self._call("incr", None, key, delta, version)

    def clear(self):
        return self._call("clear", False)
