"""Load test: many readers, searches, an import and admin saves at once, with Redis lost midway.

Starts the production stack on 127.0.0.1 only (gunicorn, debug off) on a fresh database with a
generated corpus, then for ``--seconds``: ``--connections`` reader threads request a mix of pages
(15 % searches), one thread saves posts through the admin, and an import of new files runs. In
``--database postgres`` mode the cache is a Redis server this script starts on its own port; it
is stopped a third of the way in and started again at two thirds. At the end: requests, 5xx
(want 0), p50/p99 per kind, saves acknowledged and saves found in the database (lost writes,
want 0), the import's exit status.

    python bench/loadtest.py [--database sqlite|postgres] [--seconds 60] [--connections 64]

Traffic goes to 127.0.0.1 only; every process started here is stopped by its PID at the end.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus  # noqa: E402
from bench.generate_corpus import generate  # noqa: E402

HOST = "127.0.0.1"
PORT = 8765
REDIS_PORT = 6391
POSTGRES = "postgresql://postgres@127.0.0.1:5432/{name}"
SEARCH_WORDS = (  # noqa: SIM905 - reads better as one line of words
    "database cache latency postgres python index query render markdown search"
).split()
PASSWORD = "load-test-password"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if values else 0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(int)
        self.errors = defaultdict(int)
        self.server_errors = []

    def record(self, kind, status, seconds, url):
        with self.lock:
            self.times[kind].append(seconds * 1000)
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append((status, url))

    def failed(self, kind, error):
        with self.lock:
            self.errors[f"{kind}: {type(error).__name__}"] += 1


def request(method, path, *, body=None, headers=None, timeout=30):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def reader(stop, stats, urls, seed):
    rng = random.Random(seed)
    kinds = [
        ("post", 40),
        ("search", 15),
        ("home", 15),
        ("term", 10),
        ("feed", 10),
        ("archive", 5),
        ("missing", 5),
    ]
    choices = [kind for kind, weight in kinds for _ in range(weight)]
    while not stop.is_set():
        kind = rng.choice(choices)
        if kind == "search":
            words = " ".join(rng.sample(SEARCH_WORDS, rng.randint(1, 2)))
            url = "/search/?" + urlencode({"q": words, "page": rng.choice(["1", "1", "2"])})
        else:
            url = rng.choice(urls[kind])
        started = time.perf_counter()
        try:
            status, _, _ = request("GET", url)
        except (OSError, http.client.HTTPException) as error:
            stats.failed(kind, error)
            continue
        stats.record(kind, status, time.perf_counter() - started, url)


class AdminSession:
    """Logs in through the login form and saves posts through the change form, as a person."""

    def __init__(self):
        self.cookies = {}

    def _headers(self, extra=None):
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie, "Host": f"{HOST}:{PORT}", **(extra or {})}

    def _keep_cookies(self, headers):
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]

    def get(self, path):
        status, headers, body = request("GET", path, headers=self._headers())
        self._keep_cookies(headers)
        return status, body.decode()

    def post(self, path, fields):
        body = urlencode(fields, doseq=True)
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{PORT}{path}",
            }
        )
        status, response_headers, _ = request("POST", path, body=body, headers=headers)
        self._keep_cookies(response_headers)
        return status

    def login(self):
        _, page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        fields = {"csrfmiddlewaretoken": token, "username": "loadtest", "password": PASSWORD}
        status = self.post("/admin/login/?next=/admin/", fields)
        assert status == 302, f"login answered {status}"


def saver(stop, results, post_ids):
    """Saves the posts in turn with a new body each time; records each acknowledged save."""
    session = AdminSession()
    session.login()
    number = 0
    while not stop.is_set():
        post_id = post_ids[number % len(post_ids)]
        path = f"/admin/blog/post/{post_id}/change/"
        try:
            status, page = session.get(path)
            if status != 200:
                results["refused"].append((post_id, status))
                continue
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            version = re.search(r'name="opened_version" value="(\d+)"', page).group(1)
            body = f"Saved under load, save {number} at {time.time():.3f}."
            fields = {
                "csrfmiddlewaretoken": token,
                "title": f"Load test post {post_id}",
                "slug": f"load-test-post-{post_id}",
                "body": body,
                "status": "draft",
                "published_at_0": "2020-01-01",
                "published_at_1": "12:00:00",
                "tags": "load",
                "keywords": "",
                "excerpt_words": "0",
                "images": "[]",
                "aliases": "[]",
                "opened_version": version,
            }
            for prefix in ("postauthor_set", "postcategory_set", "uploaded_images"):
                fields |= {
                    f"{prefix}-TOTAL_FORMS": "0",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": "1000",
                }
            status = session.post(path, fields)
        except (OSError, http.client.HTTPException, AttributeError) as error:
            results["errors"].append(repr(error))
            continue
        if status == 302:
            results["acknowledged"].append((post_id, body))
        else:
            results["refused"].append((post_id, status))
        number += 1
        time.sleep(0.2)


def start_redis(folder):
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--bind",
            HOST,
            "--port",
            str(REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process


def wait_for_server(seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if request("GET", "/robots.txt", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    folder = corpus(arguments.posts)
    processes = []
    with tempfile.TemporaryDirectory() as temporary:
        temporary = Path(temporary)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "site_config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "load-test-only-not-secret",
            "DJANGO_ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{PORT}",
            "DJANGO_SECURE_COOKIES": "0",
            "MEDIA_ROOT": str(temporary / "media"),
            # Many readers share one address here: the per-client limit would answer most
            # searches 429, and the point is to load the search index.
            "BLOG_SEARCH_RATE": "0/60",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("REDIS_URL", None)
        redis = None
        if arguments.database == "postgres":
            import psycopg

            with psycopg.connect(POSTGRES.format(name="postgres"), autocommit=True) as db:
                db.execute('DROP DATABASE IF EXISTS "blog_loadtest"')
                db.execute('CREATE DATABASE "blog_loadtest"')
            env["DATABASE_URL"] = POSTGRES.format(name="blog_loadtest")
            env["REDIS_URL"] = f"redis://{HOST}:{REDIS_PORT}/0"
            redis = start_redis(temporary)
            processes.append(redis)
        else:
            env["DATABASE_URL"] = f"sqlite:///{temporary / 'load.sqlite3'}"
        os.environ.update(env)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "import_posts", str(folder), "-v", "0"], env=env, check=True)

        import django

        django.setup()
        from django.contrib.auth.models import User
        from taggit.models import Tag

        from blog.models import Post

        User.objects.create_superuser("loadtest", password=PASSWORD)
        saved_posts = [
            Post.objects.create(
                title=f"Load test post {number}", slug=f"load-test-{number}", body="Start."
            ).pk
            for number in range(4)
        ]
        for pk in saved_posts:
            Post.objects.filter(pk=pk).update(slug=f"load-test-post-{pk}")
        public = list(Post.objects.public()[:500])
        urls = {
            "post": [post.get_absolute_url() for post in public],
            "home": ["/", "/?page=2", "/?page=3"],
            "term": [f"/tags/{tag.slug}/" for tag in Tag.objects.all()[:20]]
            + ["/tags/", "/categories/", "/authors/"],
            "feed": ["/feed.xml", "/index.xml", "/feed.json", "/sitemap.xml"],
            "archive": ["/archive/", f"/{public[0].published_at:%Y}/"],
            "missing": ["/no/such/page/", "/2019/01/01/gone.html", "/tags/nothing-here/"],
        }
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "site_config.wsgi",
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                str(arguments.workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        processes.append(gunicorn)
        try:
            wait_for_server()
            stats, stop = Stats(), threading.Event()
            saves = {"acknowledged": [], "refused": [], "errors": []}
            threads = [
                threading.Thread(target=reader, args=(stop, stats, urls, seed), daemon=True)
                for seed in range(arguments.connections)
            ]
            threads.append(
                threading.Thread(target=saver, args=(stop, saves, saved_posts), daemon=True)
            )
            new_posts = generate(temporary / "new-posts", 300, seed=7)
            started = time.time()
            for thread in threads:
                thread.start()
            time.sleep(arguments.seconds / 6)
            importer = subprocess.Popen(
                [*manage, "import_posts", str(new_posts), "-v", "0"],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            processes.append(importer)
            events = []
            if redis is not None:
                time.sleep(max(0.0, started + arguments.seconds / 3 - time.time()))
                redis.send_signal(signal.SIGTERM)
                redis.wait()
                events.append(f"Redis stopped at {time.time() - started:.0f} s")
                time.sleep(max(0.0, started + 2 * arguments.seconds / 3 - time.time()))
                redis = start_redis(temporary)
                processes.append(redis)
                events.append(f"Redis started again at {time.time() - started:.0f} s")
            time.sleep(max(0.0, started + arguments.seconds - time.time()))
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            import_status = importer.wait(timeout=600)
            elapsed = time.time() - started
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)

        from django.db import connection

        connection.close()
        lost = []
        for post_id in saved_posts:
            acknowledged = [body for pk, body in saves["acknowledged"] if pk == post_id]
            if acknowledged and Post.objects.get(pk=post_id).body != acknowledged[-1]:
                lost.append(post_id)
            stored = set(
                Post.objects.get(pk=post_id).revisions.values_list("snapshot__body", flat=True)
            )
            lost += [post_id for body in acknowledged if body not in stored]
        all_times = [value for values in stats.times.values() for value in values]
        report = {
            "database": arguments.database,
            "cache": "Redis (stopped and restarted midway)" if env.get("REDIS_URL") else "local",
            "seconds": round(elapsed, 1),
            "connections": arguments.connections,
            "gunicorn_workers": arguments.workers,
            "requests": len(all_times),
            "requests_per_second": round(len(all_times) / elapsed, 1),
            "statuses": dict(sorted(stats.statuses.items())),
            "server_errors": len(stats.server_errors),
            "connection_errors": dict(stats.errors),
            "p50_ms": round(statistics.median(all_times), 1) if all_times else 0,
            "p99_ms": round(percentile(all_times, 0.99), 1),
            "by_kind": {
                kind: {
                    "requests": len(times),
                    "p50_ms": round(statistics.median(times), 1),
                    "p99_ms": round(percentile(times, 0.99), 1),
                }
                for kind, times in sorted(stats.times.items())
            },
            "admin_saves_acknowledged": len(saves["acknowledged"]),
            "admin_saves_refused": len(saves["refused"]),
            "lost_writes": len(lost),
            "import_exit_status": import_status,
            "posts_at_the_end": Post.objects.count(),
            "events": events,
            "first_server_errors": stats.server_errors[:10],
        }
    print(json.dumps(report, indent=2))
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if report["server_errors"] or report["lost_writes"] or import_status else 0


if __name__ == "__main__":
    sys.exit(main())
