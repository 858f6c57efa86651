"""Purging changed pages from a shared cache in front of the app servers.

``BLOG_PURGER`` names the class (a dotted path; empty: no shared cache). It gets the keys of
what changed (``blog.caching.keys``), the same names pages carry in their surrogate-key header
(``BLOG_SURROGATE_KEY_HEADER``). A purge that fails is logged, not raised: the write it follows
is done, and the shared cache keeps pages no longer than ``BLOG_SHARED_CACHE_SECONDS``.

``VarnishPurger`` sends ``PURGE /`` with the keys in an ``xkey-purge`` header to every address
of ``BLOG_PURGE_URLS``, as ``deploy/varnish.vcl`` (varnish-modules' xkey) expects. A CDN needs
a class of a few lines calling its API with the same keys (README, "A shared cache in front").
"""

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("blog.cache")


class NoPurger:
    def purge(self, keys):
        pass


class VarnishPurger:
    """PURGE by xkey, to each Varnish of ``BLOG_PURGE_URLS``."""

    timeout = 2.0

    def __init__(self, urls=None):
        self.urls = list(settings.BLOG_PURGE_URLS if urls is None else urls)

    def purge(self, keys):
        for url in self.urls:
            try:
                status = self._send(url, " ".join(keys))
            except OSError as error:
                logger.error("Could not purge %s from the cache at %s: %s", keys, url, error)
                continue
            if status != 200:
                logger.error("The cache at %s answered %s to a purge of %s", url, status, keys)

    def _send(self, url, keys):
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.netloc, timeout=self.timeout)
        try:
            connection.request("PURGE", parts.path or "/", headers={"xkey-purge": keys})
            return connection.getresponse().status
        finally:
            connection.close()


def purger():
    return import_string(settings.BLOG_PURGER)() if settings.BLOG_PURGER else NoPurger()


def purge(keys):
    if keys:
        purger().purge(keys)
