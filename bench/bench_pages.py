"""Benchmark serving pages: from scratch, and under gunicorn beside a static file, in one run.

On a fresh database (SQLite, or PostgreSQL with Redis) holding the generated corpus:

1. Rendered from scratch, in one process through Django's test client (every middleware, no
   network), page cache off: the median and p99 of 50 renders of every page kind, with the
   posts' cards kept (as after any change) and, for lists, with the card cache emptied too.
2. Under gunicorn (``site_config/gunicorn.conf.py``, debug off, collected static files) with
   Debian's ``wrk`` on 127.0.0.1: requests per second, p50 and p99 of every page kind stored
   (the page cache in front) and rendered each time (page cache off, a second gunicorn), and
   of a stylesheet WhiteNoise serves, at 32 connections; then the stored post page and the
   static file at half their peak rate. Any error or non-2xx answer is counted.

    python bench/bench_pages.py [--posts 10000] [--database sqlite|postgres] [--seconds 5]
                                [--json bench/pages.json]

Servers listen on 127.0.0.1 only and are stopped by their PID at the end.
"""

import argparse
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus, production_environment  # noqa: E402
from tests import servers  # noqa: E402

RENDERS = 50
CONNECTIONS = 32
POSTGRES = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS = "redis://127.0.0.1:6379/12"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- The site and its addresses --------------------------------------------------------------


def prepare(arguments, folder):
    """A database with the corpus imported and collected static files; the environment."""
    if arguments.database == "postgres":
        import psycopg
        import redis

        name = "blog_bench_pages"
        with psycopg.connect(POSTGRES.format(name="postgres"), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        redis.Redis.from_url(REDIS).flushdb()
        env = production_environment(POSTGRES.format(name=name), host="127.0.0.1")
        env["REDIS_URL"] = REDIS
    else:
        env = production_environment(f"sqlite:///{folder}/pages.sqlite3", host="127.0.0.1")
        env["BLOG_TOKEN_FILE"] = str(folder / "tokens")
    env.update(
        BLOG_SEARCH_RATE="0/60",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_COOKIES="0",
        PYTHONPATH=str(ROOT),
    )
    servers.manage(env, "migrate", "--noinput", "--verbosity", "0")
    servers.manage(env, "import_posts", str(corpus(arguments.posts)), "--verbosity", "0")
    servers.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    if arguments.database == "postgres":
        # The import leaves some 200 MB of changed pages that PostgreSQL writes out over the
        # next minutes (a spread checkpoint), on the same two cores: write them now, so that the
        # figures are of serving pages, as on a site imported a while ago.
        with psycopg.connect(POSTGRES.format(name=name), autocommit=True) as db:
            db.execute("CHECKPOINT")
    return env


def addresses(env):
    """{page kind: address}: the busiest tag, category and author, a post among the newest."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count
    from taggit.models import Tag

    from blog.models import Author, Category, Post

    def busiest(model, relation):
        return model.objects.annotate(n=Count(relation)).order_by("-n")[0]

    post = Post.objects.public().order_by("-published_at")[3]
    return {
        "home": "/",
        "post": post.get_absolute_url(),
        "tag": f"/tags/{busiest(Tag, 'blog_taggedpost_items').slug}/",
        "category": busiest(Category, "posts").get_absolute_url(),
        "author": busiest(Author, "posts").get_absolute_url(),
        "tag index": "/tags/",
        "archive": "/archive/",
        "year": f"/{post.published_at:%Y}/",
        "search": "/search/?q=database",
        "feed": "/feed.xml",
        "sitemap index": "/sitemap.xml",
        "sitemap file": "/sitemap-posts-1.xml",  # 1,000 posts
    }


# --- 1. From scratch -----------------------------------------------------------------------------


def from_scratch(pages):
    from django.core.cache import cache
    from django.test import Client, override_settings

    client = Client()
    figures = {}
    with override_settings(BLOG_PAGE_CACHE_SECONDS=0):
        for address in pages.values():
            client.get(address)
        # As each gunicorn worker does (site_config/gunicorn.conf.py): what start-up made is
        # never walked by the collector again. Without it, a full collection during a render
        # shows in the p99 (feed: 43 ms instead of 13).
        gc.freeze()
        for kind, address in pages.items():
            for _ in range(3):
                response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
            kept, cold = [], []
            for _ in range(RENDERS):
                started = time.perf_counter()
                client.get(address)
                kept.append((time.perf_counter() - started) * 1000)
            for _ in range(10):
                cache.clear()  # the posts' cards too
                started = time.perf_counter()
                client.get(address)
                cold.append((time.perf_counter() - started) * 1000)
            figures[kind] = {
                "median_ms": round(statistics.median(kept), 2),
                "p99_ms": round(percentile(kept, 0.99), 2),
                "cold_median_ms": round(statistics.median(cold), 2),
            }
            print(
                f"  {kind:10} from scratch: median {figures[kind]['median_ms']:6.1f} ms, "
                f"p99 {figures[kind]['p99_ms']:6.1f} ms; with no card kept "
                f"{figures[kind]['cold_median_ms']:6.1f} ms"
            )
    return figures


# --- 2. Under gunicorn ---------------------------------------------------------------------------

WRK_LINE = {
    "requests": re.compile(r"Requests/sec:\s+([\d.]+)"),
    "p50": re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)", re.M),
    "p99": re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)", re.M),
    "non_2xx": re.compile(r"Non-2xx or 3xx responses:\s+(\d+)"),
    "errors": re.compile(r"Socket errors:.*?(\d+) read, (\d+) write, (\d+) timeout"),
}


def wrk(url, seconds, *, connections=CONNECTIONS, rate=None, folder=None):
    """wrk's figures for ``url``; ``rate``: requests per second in all (paced per connection)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if rate:
        script = Path(folder) / "paced.lua"
        script.write_text(f"function delay() return {1000 * connections / rate:.3f} end\n")
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1, "s": 1000}
    figures = {"requests_per_s": float(WRK_LINE["requests"].search(output)[1])}
    for name in ("p50", "p99"):
        found = WRK_LINE[name].search(output)
        figures[f"{name}_ms"] = round(float(found[1]) * unit[found[2]], 2)
    non_2xx = WRK_LINE["non_2xx"].search(output)
    socket_errors = WRK_LINE["errors"].search(output)
    figures["errors"] = (int(non_2xx[1]) if non_2xx else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    )
    return figures


def under_gunicorn(env, pages, seconds, folder):
    figures = {}
    with servers.gunicorn(env, workers=None) as site:
        home = servers.get(site + "/")[2]
        stylesheet = re.search(r'rel="stylesheet" href="([^"]+)"', home)[1]
        for address in pages.values():
            servers.get(site + address)  # stored, in every worker soon
        figures["static file"] = wrk(site + stylesheet, seconds)
        static = figures["static file"]["requests_per_s"]
        print(f"  static file {stylesheet}: {static:8.0f} req/s")
        for kind, address in pages.items():
            if kind == "search":
                continue  # never stored: the query is not part of a stored page's address
            figures[f"{kind}, stored"] = result = wrk(site + address, seconds)
            result["to_static"] = round(result["requests_per_s"] / static, 2)
            print(
                f"  {kind:10} stored: {result['requests_per_s']:8.0f} req/s "
                f"({result['to_static']:.2f} x static), p50 {result['p50_ms']} ms, "
                f"p99 {result['p99_ms']} ms, errors {result['errors']}"
            )
        for kind, base in (("post, stored", pages["post"]), ("static file", stylesheet)):
            rate = figures[kind]["requests_per_s"] / 2
            figures[f"{kind}, half peak"] = half = wrk(
                site + base, seconds, rate=rate, folder=folder
            )
            print(f"  {kind} at {rate:.0f} req/s: p50 {half['p50_ms']} ms, p99 {half['p99_ms']} ms")
    with servers.gunicorn({**env, "BLOG_PAGE_CACHE_SECONDS": "0"}, workers=None) as site:
        for kind, address in pages.items():
            figures[f"{kind}, rendered"] = result = wrk(site + address, seconds)
            print(
                f"  {kind:10} rendered each time: {result['requests_per_s']:8.0f} req/s, "
                f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}"
            )
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt install wrk")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print(f"{arguments.posts} posts on {arguments.database}")
        env = prepare(arguments, folder)
        pages = addresses(env)
        figures = {"posts": arguments.posts, "database": arguments.database}
        figures["from_scratch"] = from_scratch(pages)
        figures["gunicorn"] = under_gunicorn(env, pages, arguments.seconds, folder)
    verdicts = targets(figures)
    for name, ok in verdicts.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if arguments.json:
        figures["passed"] = verdicts
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(verdicts.values()) else 1


def targets(figures):
    """The speed issue's targets: every page kind from scratch in 15 ms at the median and 40
    ms at p99; no errors; on SQLite (the default, where the issue measured it) the stored post
    page at 0.8 of a static file's rate or more. With Redis the issue asks that a stored page
    cost at most one read of it, which it does; the ratio is printed, not judged."""
    scratch = figures["from_scratch"]
    served = figures["gunicorn"]
    slowest = max(scratch, key=lambda kind: scratch[kind]["median_ms"])
    slowest_p99 = max(scratch, key=lambda kind: scratch[kind]["p99_ms"])
    stored_ratio = served["post, stored"]["to_static"]
    verdicts = {
        f"every page kind from scratch ≤ 15 ms median (slowest: {slowest}, "
        f"{scratch[slowest]['median_ms']} ms)": scratch[slowest]["median_ms"] <= 15,
        f"every page kind from scratch ≤ 40 ms p99 (slowest: {slowest_p99}, "
        f"{scratch[slowest_p99]['p99_ms']} ms)": scratch[slowest_p99]["p99_ms"] <= 40,
        "no errors or non-2xx answers": all(result["errors"] == 0 for result in served.values()),
    }
    if figures["database"] == "sqlite":
        verdicts[f"stored post page ≥ 0.8 x a static file's rate ({stored_ratio})"] = (
            stored_ratio >= 0.8
        )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
