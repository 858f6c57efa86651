"""A token per key of what pages show, shared by every process of the site: a change gives its
keys new tokens, and a stored page is served only while its keys' tokens are the ones it was
rendered with. The store also holds the schedule's state (``blog.caching.schedule``).

``CHANGES`` gets a new token with every change: a page whose render saw it move is not stored,
since it may have read the database before the change was committed.

Two stores, one interface:

- ``CacheTokens``, in the cache (Redis, with ``REDIS_URL``): one ``get_many`` (one round trip)
  reads a page's tokens and the schedule. A key the cache lost reads as None, which matches no
  stored page; storing a page gives such a key a new random token.
- ``FileTokens``, without Redis: a file mapped into memory by every process on the machine
  (``BLOG_TOKEN_FILE``), 2**20 slots of 8 bytes. A key's slot is the CRC-32 of its name; two
  keys may share a slot, and a change of one then renders the other's pages again too (never
  too little). Reading tokens is reading memory: no system call, no database.
"""

import dataclasses
import datetime as dt
import hashlib
import mmap
import os
import secrets
import struct
import tempfile
import threading
import zlib

from django.conf import settings
from django.core.cache import cache

CHANGES = "*"


@dataclasses.dataclass
class Snapshot:
    tokens: tuple  # of the keys asked for, in order
    changes: object  # the token of CHANGES
    schedule: dict | None  # {"checked", "next", "recheck"}, or None when not known


class CacheTokens:
    PREFIX = "blog:v:"
    SCHEDULE = "blog:schedule"

    def snapshot(self, keys):
        names = [self.PREFIX + key for key in (*keys, CHANGES)]
        found = cache.get_many([*names, self.SCHEDULE])
        values = tuple(found.get(name) for name in names)
        return Snapshot(values[:-1], values[-1], found.get(self.SCHEDULE))

    def settled(self, keys):
        """Like ``snapshot``, with a new token for any key the cache does not hold."""
        now = self.snapshot(keys)
        if None not in now.tokens:
            return now
        for key, token in zip(keys, now.tokens, strict=True):
            if token is None:
                cache.add(self.PREFIX + key, secrets.token_hex(8), timeout=None)
        return self.snapshot(keys)

    def bump(self, keys):
        tokens = {self.PREFIX + CHANGES: secrets.token_hex(8)}
        tokens.update({self.PREFIX + key: secrets.token_hex(8) for key in keys})
        cache.set_many(tokens, timeout=None)

    def set_schedule(self, schedule):
        cache.set(self.SCHEDULE, schedule, timeout=None)

    def clear(self):
        cache.delete_many([self.SCHEDULE, self.PREFIX + CHANGES])


class FileTokens:
    SLOTS = 1 << 20
    # The header: the file's generation (random, set when it is made: a page stored under
    # another file's tokens never matches), then the schedule as three timestamps.
    HEADER = struct.Struct("<8sddd")
    NO_MOMENT = -1.0

    def __init__(self, path):
        self.path = path
        self._map = None
        self._lock = threading.Lock()

    @property
    def map(self):
        if self._map is None:
            with self._lock:
                if self._map is None:
                    self._map = self._open()
        return self._map

    def _open(self):
        size = self.HEADER.size + self.SLOTS * 8
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(descriptor).st_size < size:
                os.ftruncate(descriptor, size)  # sparse: untouched slots take no memory
            mapped = mmap.mmap(descriptor, size)
        finally:
            os.close(descriptor)
        if mapped[:8] == bytes(8):
            mapped[:8] = secrets.token_bytes(8)
        return mapped

    def _offset(self, key):
        return self.HEADER.size + (zlib.crc32(key.encode()) % self.SLOTS) * 8

    def snapshot(self, keys):
        mapped = self.map
        tokens = tuple(mapped[offset : offset + 8] for offset in map(self._offset, keys))
        offset = self._offset(CHANGES)
        generation, checked, upcoming, recheck = self.HEADER.unpack_from(mapped)
        schedule = None
        if checked:
            schedule = {
                "checked": _moment(checked),
                "next": None if upcoming == self.NO_MOMENT else _moment(upcoming),
                "recheck": _moment(recheck),
            }
        return Snapshot(
            tuple(generation + token for token in tokens),
            generation + mapped[offset : offset + 8],
            schedule,
        )

    settled = snapshot  # no key is ever missing

    def bump(self, keys):
        mapped = self.map
        for key in (CHANGES, *keys):
            offset = self._offset(key)
            mapped[offset : offset + 8] = secrets.token_bytes(8)

    def set_schedule(self, schedule):
        upcoming = schedule["next"]
        self.HEADER.pack_into(
            self.map,
            0,
            self.map[:8],
            schedule["checked"].timestamp(),
            self.NO_MOMENT if upcoming is None else upcoming.timestamp(),
            schedule["recheck"].timestamp(),
        )

    def clear(self):
        """Forget the schedule and start a new generation: every stored page is out of date."""
        self.HEADER.pack_into(self.map, 0, secrets.token_bytes(8), 0.0, 0.0, 0.0)


def _moment(timestamp):
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


_stores = {}


def store():
    """The token store the settings choose: Redis's cache with ``REDIS_URL``, else the file."""
    if settings.REDIS_URL:
        return _stores.setdefault("cache", CacheTokens())
    path = settings.BLOG_TOKEN_FILE or default_token_file()
    if path not in _stores:
        _stores[path] = FileTokens(path)
    return _stores[path]


def default_token_file():
    """Next to an SQLite database file; else in the temporary folder, named after the database
    (every process of the site on this machine finds the same file)."""
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    in_memory = name.startswith(":memory:") or "mode=memory" in name
    if database["ENGINE"].endswith("sqlite3") and name and not in_memory:
        return name + "-tokens"
    digest = hashlib.sha256(f"{database.get('HOST')}|{name}".encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"blog-tokens-{digest}")


def etag_of(keys):
    """One string for the tokens of ``keys`` now: what a result derived from them (search
    results) is cached under."""
    return hashlib.sha256(repr(store().settled(keys).tokens).encode()).hexdigest()[:32]
