"""gunicorn's settings for `make serve` and for production:
`gunicorn -c site_config/gunicorn.conf.py site_config.wsgi`. Environment variables override
them: WEB_CONCURRENCY (workers), GUNICORN_BIND, GUNICORN_TIMEOUT."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, as many as gunicorn's documentation advises for the CPU count: a page is
# Python work, and a stored page takes a fraction of a millisecond.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Django and the site's code are loaded once, then shared by the workers (copy on write).
preload_app = True
accesslog = None  # a line per request costs more than serving a stored page
errorlog = "-"


def pre_fork(server, worker):
    # What every worker inherits is never collected: the collector does not walk it again in
    # each worker (and does not copy its pages by touching them).
    gc.freeze()
