"""Benchmark page serving against a static file served by the same app (WhiteNoise).

One process, Django's test client (the full WSGI stack with every middleware, no network), on
SQLite with a generated corpus imported. For each page, the median time of a request:
rendered (page cache off), from the page cache, and a conditional request answered 304; each
compared with the median time of the stylesheet that WhiteNoise serves in the same run.

    python bench/bench_pages.py [--posts 1000] [--json bench/pages.json]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus, production_environment  # noqa: E402

ROUNDS = 200


def median_ms(client, url, **headers):
    for _ in range(10):  # warm up
        client.get(url, **headers)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, response


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    arguments = parser.parse_args()
    folder = corpus(arguments.posts)

    with tempfile.TemporaryDirectory() as temporary:
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            production_environment(f"sqlite:///{temporary}/pages.sqlite3", host="testserver")
        )
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client, override_settings

        from blog.models import Post

        settings.STATIC_ROOT = f"{temporary}/static"
        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        call_command("import_posts", str(folder), verbosity=0)

        client = Client()
        post = Post.objects.public().order_by("-published_at")[5]
        tag = post.tags.first()
        stylesheet = client.get("/").content.decode().split('rel="stylesheet" href="')[1]
        stylesheet = stylesheet.split('"')[0]
        pages = {
            "home": "/",
            "post": post.get_absolute_url(),
            "tag": f"/tags/{tag.slug}/",
            "archive": "/archive/",
            "year": f"/{post.published_at:%Y}/",
        }
        static_ms, response = median_ms(client, stylesheet)
        assert response.status_code == 200, stylesheet
        figures = {"posts": Post.objects.count(), "static_file_ms": round(static_ms, 3)}
        print(f"static file {stylesheet}: {static_ms:.2f} ms")
        for name, url in pages.items():
            with override_settings(BLOG_PAGE_CACHE_SECONDS=0):
                rendered, response = median_ms(client, url)
            assert response.status_code == 200, url
            cached, _ = median_ms(client, url)
            not_modified, response = median_ms(client, url, HTTP_IF_NONE_MATCH=response["ETag"])
            assert response.status_code == 304, url
            figures[name] = {
                "rendered_ms": round(rendered, 3),
                "cached_ms": round(cached, 3),
                "not_modified_ms": round(not_modified, 3),
                "cached_to_static": round(cached / static_ms, 2),
            }
            print(
                f"{name:8} rendered {rendered:6.2f} ms   cached {cached:5.2f} ms "
                f"({cached / static_ms:.2f} x the static file)   304 {not_modified:5.2f} ms"
            )
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
