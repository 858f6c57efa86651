"""Addresses: one normal form, pages at their own paths, posts where the site's pattern puts them,
and every address content ever had answering 301."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.addresses import address_key, fill_pattern, pattern_problem, site_path
from blog.models import Address, Page, Post, SiteSettings
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def make_page(**overrides):
    fields = {
        "title": "About",
        "path": "/about/",
        "status": Page.Status.PUBLISHED,
        "body": "About this blog.",
    } | overrides
    return Page.objects.create(**fields)


# --- The normal form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "/a/b",
        "/a/b/",
        "/a/b.html",
        "/a/b/index.html",
        "/a//b/",
        "/a/./b",
        "/x/../a/b/",
    ],
)
def test_every_spelling_of_an_address_has_one_key(spelling):
    assert address_key(spelling) == "/a/b"


def test_site_paths_are_decoded_once_and_keep_their_ending():
    assert site_path("https://example.org/cloud%20computing/?utm=1#top") == "/cloud computing/"
    assert site_path("/+/%25%23%20+.html") == "/+/%# +.html"  # a literal '#' in a file name
    assert site_path("//cdn.example.org/x.html") == "/x.html"
    assert site_path("") == ""
    assert address_key("/+/%# +.html") == "/+/%# +"  # keys are made from decoded paths only


def test_the_post_address_pattern_is_checked_and_filled():
    moment = dt.datetime(2024, 3, 5, 7, 8, 9)
    assert fill_pattern("/:year/:month/:day/:slug/", moment=moment, slug="x") == "/2024/03/05/x/"
    assert fill_pattern("/blog/:i_month/:title:output_ext", moment=moment, slug="x") == (
        "/blog/3/x.html"
    )
    assert "Unknown placeholder(s) :categories" in pattern_problem("/:categories/:slug/")
    assert "needs :slug" in pattern_problem("/:year/:month/")
    assert "must start with '/'" in pattern_problem(":slug/")


# --- Pages ------------------------------------------------------------------------------------


def test_a_page_is_served_at_its_path_in_every_spelling(client):
    page = make_page(path="/cv.html", title="My CV")
    response = client.get("/cv.html")
    assert response.status_code == 200
    assert '<h1 class="post__title">My CV</h1>' in response.content.decode()
    for spelling in ("/cv", "/cv/", "/cv/index.html"):
        response = client.get(spelling)
        assert (response.status_code, response["Location"]) == (301, page.get_absolute_url())


def test_a_draft_page_is_hidden_from_readers_and_previewed_by_staff(client, admin_user):
    make_page(status=Page.Status.DRAFT)
    assert client.get("/about/").status_code == 404
    client.force_login(admin_user)
    assert "Draft preview" in client.get("/about/").content.decode()


def test_pages_marked_for_navigation_are_in_the_header(client):
    make_page(show_in_navigation=True, menu_title="Me", menu_order=2)
    make_page(title="Uses", path="/uses/", show_in_navigation=True, menu_order=1)
    make_page(title="Hidden", path="/hidden/")
    make_page(title="Draft", path="/draft/", show_in_navigation=True, status=Page.Status.DRAFT)
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert nav.index('href="/uses/"') < nav.index('href="/about/"')
    assert ">Me</a>" in nav
    assert "/hidden/" not in nav
    assert "/draft/" not in nav


def test_saving_a_page_changes_the_cached_pages(client):
    page = make_page(show_in_navigation=True)
    before = client.get("/")
    page.menu_title = "Renamed"
    page.save()
    after = client.get("/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert ">Renamed</a>" in after.content.decode()


def test_a_page_cannot_take_a_site_route_or_another_pages_address():
    for path, problem in [
        ("/tags/", "belongs to the site itself"),
        ("/search/x/", "belongs to the site itself"),
        ("/2024/05/", "belongs to the site itself (month archive)"),
        ("/feed.xml", "belongs to the site itself"),
    ]:
        with pytest.raises(ValidationError) as refused:
            Page(title="x", path=path).full_clean()
        assert problem in str(refused.value), path
    make_page()
    with pytest.raises(ValidationError, match="already the address of the page"):
        Page(title="Again", path="/about.html").full_clean()


def test_the_database_refuses_two_contents_at_one_address_and_content_at_a_route():
    post = make_post()
    page = make_page()
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(key="/about", post=post, is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(key="/tags/x", page=page, is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(key="/elsewhere", post=post, page=page)


def test_a_page_that_moves_keeps_its_old_address_as_a_redirect(client):
    page = make_page()
    page.path = "/me/"
    page.save()
    response = client.get("/about/")
    assert (response.status_code, response["Location"]) == (301, "/me/")


def test_a_section_page_lists_the_pages_and_posts_below_it(client):
    section = make_page(title="Guides", path="/guides/", lists_contents=True)
    make_page(title="Install", path="/guides/install/", menu_order=1)
    make_page(title="Draft guide", path="/guides/draft/", status=Page.Status.DRAFT)
    make_page(title="Elsewhere", path="/other/")
    post = make_post(title="A guide post")
    Address.objects.create(key="/guides/old-post", post=post)  # where the old site had it
    html = client.get(section.path).content.decode()
    assert "Install" in html
    assert "A guide post" in html
    assert "Draft guide" not in html
    assert "Elsewhere" not in html


def test_a_redirect_page_sends_readers_on(client):
    make_page(path="/github.html", redirect_to="https://github.com/example/blog")
    response = client.get("/github.html")
    assert (response.status_code, response["Location"]) == (
        301,
        "https://github.com/example/blog",
    )


# --- Posts and the site's pattern ---------------------------------------------------------


def test_a_post_is_served_at_the_path_the_pattern_gives(client):
    settings_row = SiteSettings.load()
    settings_row.post_address = "/blog/:slug.html"
    settings_row.save()
    post = make_post(slug="hello", title="Hello")
    assert post.path == "/blog/hello.html"
    assert client.get("/blog/hello.html").status_code == 200
    day = timezone.localtime(post.published_at).date()
    response = client.get(f"/{day:%Y/%m/%d}/hello/")
    assert (response.status_code, response["Location"]) == (301, "/blog/hello.html")


def test_changing_the_pattern_moves_every_post_and_keeps_the_old_addresses(client):
    first, second = make_post(slug="one"), make_post(slug="two")
    old_paths = [first.path, second.path]
    settings_row = SiteSettings.load()
    settings_row.post_address = "/posts/:slug/"
    settings_row.save()
    assert sorted(Post.objects.values_list("path", flat=True)) == ["/posts/one/", "/posts/two/"]
    for old, new in zip(old_paths, ["/posts/one/", "/posts/two/"], strict=True):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)


def test_a_pattern_that_would_put_two_posts_at_one_address_is_refused():
    make_post(slug="same", published_at=timezone.now() - dt.timedelta(days=3))
    make_post(slug="same", published_at=timezone.now() - dt.timedelta(days=2))
    make_page(path="/unique/")
    make_post(slug="unique")
    settings_row = SiteSettings.load()
    settings_row.post_address = "/:slug/"
    with pytest.raises(ValidationError) as refused:
        settings_row.full_clean()
    assert refused.value.message_dict["post_address"] == [
        "Two posts would be at /same/: add :day or :year to the pattern.",
        "A post would be at /unique, which is a page's address.",
    ]


def test_a_renamed_post_keeps_its_old_address(client):
    post = make_post(slug="first")
    old = post.get_absolute_url()
    post.slug = "second"
    post.save()
    assert post.path.endswith("/second/")
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())


def test_a_post_may_not_take_a_pages_address():
    make_page(path="/blog/hello.html")
    settings_row = SiteSettings.load()
    settings_row.post_address = "/blog/:slug.html"
    settings_row.save()
    post = Post(title="Hello", slug="hello", published_at=timezone.now())
    with pytest.raises(ValidationError, match="already the address of the page"):
        post.full_clean()


def test_links_to_unusual_addresses_are_percent_encoded(client):
    page = make_page(path="/+/%# +.html", title="Odd")
    assert page.get_absolute_url() == "/+/%25%23%20+.html"
    assert client.get(page.get_absolute_url()).status_code == 200


# --- Old feeds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/atom.xml", "/feed.xml"),
        ("/rss.xml", "/index.xml"),
        ("/posts/index.xml", "/index.xml"),
        ("/series/moving/index.xml", "/index.xml"),
        ("/blog/feed.xml", "/feed.xml"),
    ],
)
def test_old_feeds_lead_to_the_sites_feeds(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_a_feed_of_a_term_that_is_not_public_stays_404(client):
    assert client.get("/tags/nope/index.xml").status_code == 404


# --- verify_migration --------------------------------------------------------------------


def test_verify_migration_reads_a_sitemap_and_prints_json(tmp_path):
    make_page(title="About")
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://old.example/about.html</loc></url>"
        "<url><loc>https://old.example/gone/</loc></url></urlset>"
    )
    out = StringIO()
    with pytest.raises(CommandError) as stopped:
        call_command("verify_migration", str(sitemap), "--json", stdout=out, stderr=StringIO())
    assert stopped.value.returncode == 1
    checks = {check["path"]: check for check in json.loads(out.getvalue())["checks"]}
    assert checks["/about.html"]["verdict"] == "301"
    assert checks["/about.html"]["location"] == "/about/"
    assert checks["/gone/"]["verdict"] == "404"


def test_verify_migration_refuses_a_folder_without_pages(tmp_path):
    with pytest.raises(CommandError, match="holds no pages") as stopped:
        call_command("verify_migration", str(tmp_path), stdout=StringIO())
    assert stopped.value.returncode == 2


def test_verify_migration_tells_wrong_content_from_moved_content(tmp_path):
    make_page(title="Something else", path="/about/")
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("<title>About me | Old</title>")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_migration", str(tmp_path), stdout=out, stderr=StringIO())
    assert "wrong content  content  /about/" in out.getvalue()
