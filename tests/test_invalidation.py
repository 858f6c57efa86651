"""Exact invalidation: after each kind of edit, every stored page a reader gets is the page a
fresh render gives (nothing stale), and pages that do not show what changed are still served
from the store (not rendered again for nothing)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from blog.models import Category, Page, Post, SiteSettings
from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SITEMAPS = ["/sitemap.xml", "/sitemap-site.xml", *(f"/sitemap-posts-{n}.xml" for n in (1, 2, 3))]


@pytest.fixture(autouse=True)
def sitemap_index(monkeypatch):
    """Four posts to a sitemap file: the nine posts' sitemap is an index of four files."""
    monkeypatch.setattr("blog.sitemaps.POSTS_PER_SITEMAP", 4)


@pytest.fixture
def site(settings):
    """Nine posts over two years, two tags, two categories, two authors, three to a list page,
    and a page in the navigation."""
    settings.BLOG_POSTS_PER_PAGE = 3
    ada, grace = make_author(name="Ada"), make_author(name="Grace")
    notes, essays = make_category(name="Notes"), make_category(name="Essays")
    start = timezone.now() - dt.timedelta(days=500)
    posts = [
        make_post(
            title=f"Entry {number}",
            slug=f"entry-{number}",
            published_at=start + number * 60 * DAY,
            authors=[ada if number % 2 else grace],
            categories=[notes if number % 3 else essays],
            tags=["python" if number % 2 else "go"],
            body=f"Body of entry {number}.\n\nMore of entry {number}.",
        )
        for number in range(9)
    ]
    Page.objects.create(
        title="About", path="/about/", show_in_navigation=True, body="About us.", status="published"
    )
    return posts


def addresses():
    """Every public page of the site as it is now."""
    found = ["/", "/?page=2", "/?page=3", "/archive/", "/tags/", "/categories/", "/authors/"]
    found += ["/feed.xml", "/index.xml", "/feed.json", "/about/", *SITEMAPS]
    for post in Post.objects.public():
        found.append(post.get_absolute_url())
        found.append(reverse("blog:year_archive", args=[post.published_at.year]))
    for tag in Tag.objects.all():
        found += [f"/tags/{tag.slug}/", f"/tags/{tag.slug}/feed.xml"]
    for category in Category.objects.all():
        found.append(category.get_absolute_url())
    for post in Post.objects.public().prefetch_related("authors"):
        found += [author.get_absolute_url() for author in post.authors.all()]
    return sorted(set(found))


def store_every_page(client):
    pages = addresses()
    for address in pages:
        client.get(address)
    return pages


def served(client, pages):
    """{address: (status, body, how it was served)} through the page cache."""
    answers = {}
    for address in pages:
        response = client.get(address)
        answers[address] = (response.status_code, response.content, response.get("X-Page-Cache"))
    return answers


def assert_nothing_stale(client, pages):
    """Every page as served equals a fresh render; returns the addresses rendered again."""
    pages = sorted(set(pages))
    cached = served(client, pages)
    with override_settings(BLOG_PAGE_CACHE_SECONDS=0):
        fresh = served(client, pages)
    stale = [address for address in pages if cached[address][:2] != fresh[address][:2]]
    assert stale == [], f"stale pages: {stale}"
    return {address for address in pages if cached[address][2] != "hit"}


def shows(client, address, post):
    return post.get_absolute_url() in client.get(address).content.decode()


# --- Edits of one post -------------------------------------------------------------------------


def test_a_body_edit_renders_again_only_the_pages_that_show_the_post_whole(client, site):
    post = site[4]
    pages = store_every_page(client)
    neighbours = [site[3].get_absolute_url(), site[5].get_absolute_url()]
    # The sitemap's post files show each post's last change: any post's edit renders them
    # again (a few ms each), but not the index or the file of the other addresses.
    showing = {address for address in pages if shows(client, address, post)}
    showing |= {"/sitemap-posts-1.xml", "/sitemap-posts-2.xml", "/sitemap-posts-3.xml"}
    post.body = "A new body.\n\nWith a new second paragraph."
    post.save()
    again = assert_nothing_stale(client, pages)
    assert post.get_absolute_url() in again
    assert "/feed.xml" in again
    assert "/sitemap-posts-2.xml" in again
    assert "/sitemap.xml" not in again
    assert "/sitemap-site.xml" not in again
    # Only pages that show the post; its neighbours show its title alone, which did not change.
    assert again <= showing
    assert not again & set(neighbours)
    other_posts = {p.get_absolute_url() for p in site if p != post}
    assert not again & other_posts


def test_a_new_title_renders_again_the_pages_that_link_the_post_and_no_other_post(client, site):
    post = site[4]
    pages = store_every_page(client)
    showing = {address for address in pages if shows(client, address, post)}
    post.title = "A brand new title"
    post.save()
    again = assert_nothing_stale(client, pages)
    assert {site[3].get_absolute_url(), site[5].get_absolute_url()} <= again  # its neighbours
    linking = {p.get_absolute_url() for p in site} & showing
    assert again & {p.get_absolute_url() for p in site} <= linking


@pytest.mark.parametrize(
    "edit",
    [
        "excerpt",
        "description",
        "updated_at",
        "slug",
        "published_at",
        "unpublish",
        "expires",
        "delete",
        "add_tag",
        "remove_tag",
    ],
)
def test_no_page_is_stale_after_an_edit(client, site, edit):
    post = site[4]
    pages = store_every_page(client)
    if edit == "excerpt":
        post.excerpt = "A hand-written excerpt."
    elif edit == "description":
        post.description = "A new description for search engines."
    elif edit == "updated_at":
        post.updated_at = timezone.now()
    elif edit == "slug":
        post.slug = "entry-four-renamed"
    elif edit == "published_at":
        post.published_at = timezone.now() - dt.timedelta(hours=2)
    elif edit == "unpublish":
        post.status = Post.Status.DRAFT
    elif edit == "expires":
        post.expires_at = timezone.now() - dt.timedelta(minutes=1)
    if edit == "delete":
        post.delete()
    elif edit == "add_tag":
        post.tags.add("django")
    elif edit == "remove_tag":
        post.tags.clear()
    else:
        post.save()
    assert_nothing_stale(client, pages + addresses())


def test_publishing_a_post_changes_the_lists_and_its_neighbours_only(client, site):
    pages = store_every_page(client)
    new = make_post(
        title="Fresh post",
        slug="fresh",
        published_at=site[4].published_at + DAY,
        tags=["python"],
        categories=[Category.objects.get(name="Notes")],
    )
    again = assert_nothing_stale(client, pages + addresses())
    assert {"/", "/feed.xml", "/archive/", "/sitemap.xml"} <= again
    assert {site[4].get_absolute_url(), site[5].get_absolute_url()} <= again
    untouched = {p.get_absolute_url() for p in site} - {
        site[4].get_absolute_url(),
        site[5].get_absolute_url(),
    }
    assert not again & untouched, "post pages that do not link the new post stay stored"
    assert new.get_absolute_url() in again


# --- Edits of what many pages show -------------------------------------------------------------


@pytest.mark.parametrize("what", ["tag", "category", "author"])
def test_renaming_a_term_changes_every_page_that_shows_it(client, site, what):
    pages = store_every_page(client)
    if what == "tag":
        term = Tag.objects.get(name="python")
    elif what == "category":
        term = Category.objects.get(name="Notes")
    else:
        term = make_author.__globals__["Author"].objects.get(name="Ada")
    term.name = "Renamed term"
    term.save()
    assert_nothing_stale(client, pages)


def test_a_page_in_the_navigation_changes_every_page(client, site):
    pages = store_every_page(client)
    about = Page.objects.get(path="/about/")
    about.menu_title = "Who we are"
    about.save()
    again = assert_nothing_stale(client, pages)
    assert again == set(pages)


def test_a_page_outside_the_navigation_changes_only_itself_and_the_sitemap(client, site):
    Page.objects.create(
        title="Colophon", path="/colophon/", body="Set in type.", status="published"
    )
    pages = [*store_every_page(client), "/colophon/"]
    client.get("/colophon/")
    colophon = Page.objects.get(path="/colophon/")
    colophon.body = "Set in a new type."
    colophon.save()
    again = assert_nothing_stale(client, pages)
    assert again == {"/colophon/", "/sitemap-site.xml"}


def test_changing_the_post_address_pattern_changes_every_page(client, site):
    pages = store_every_page(client)
    settings_row = SiteSettings.load()
    settings_row.post_address = "/posts/:slug/"
    settings_row.save()
    assert_nothing_stale(client, pages + addresses())
