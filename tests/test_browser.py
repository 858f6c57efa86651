"""The site in a real browser: Playwright driving Debian's chromium against a live server."""

import os

import pytest
from django.conf import settings
from django.core.management import call_command

from blog.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM, used by the test itself,
# refuses to run next to one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server):
    call_command("import_posts", str(settings.BASE_DIR / "fixtures" / "posts"), verbosity=0)
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def has_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_reader_opens_a_post_from_the_home_page(site, page, artifacts_dir):
    page.goto(site + "/")
    assert page.title() == "Field Notes"
    first = Post.objects.public().first()
    page.get_by_role("link", name=first.title, exact=True).first.click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert page.locator("h1").inner_text() == first.title
    page.screenshot(path=artifacts_dir / "home-to-post.png")


def test_home_page_on_desktop_and_phone(site, browser, artifacts_dir):
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(site + "/")
        assert page.locator("article.post-summary").count() == settings.BLOG_POSTS_PER_PAGE
        assert not has_horizontal_scroll(page), f"horizontal scroll on the {name} home page"
        page.screenshot(path=artifacts_dir / f"home-{name}.png", full_page=name == "phone")
        context.close()


def test_post_page_footnotes_jump_and_back(site, page, artifacts_dir):
    post = Post.objects.get(slug="footnotes-done-right")
    page.goto(site + post.get_absolute_url())
    page.locator("a.footnote-ref").first.click()
    page.wait_for_url("**#fn:evidence")
    assert page.locator("li#fn\\:evidence").is_visible()
    page.locator("li#fn\\:evidence a.footnote-backref").click()
    page.wait_for_url("**#fnref:evidence")
    page.screenshot(path=artifacts_dir / "post-footnotes.png")


def test_post_page_with_code_on_desktop_and_phone(site, browser, artifacts_dir):
    post = Post.objects.get(slug="parsing-dates-in-python-and-go")
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(site + post.get_absolute_url())
        assert page.locator(".highlight").count() == 2
        # Highlighting comes from the stylesheet: a keyword is coloured, not the body colour.
        keyword_colour = page.locator(".highlight .k").first.evaluate(
            "e => getComputedStyle(e).color"
        )
        text_colour = page.locator(".post__body p").first.evaluate("e => getComputedStyle(e).color")
        assert keyword_colour != text_colour
        assert not has_horizontal_scroll(page), f"horizontal scroll on the {name} post page"
        page.screenshot(path=artifacts_dir / f"post-{name}.png", full_page=True)
        context.close()


def test_dark_mode_follows_the_system(site, browser, artifacts_dir):
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    page = context.new_page()
    page.goto(site + Post.objects.get(slug="a-field-guide-to-postgres-indexes").get_absolute_url())
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 23, 26)"
    assert page.locator("nav.post__toc").is_visible()
    page.screenshot(path=artifacts_dir / "post-dark.png")
    context.close()


def test_skip_link_is_the_first_stop_for_keyboard_users(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_drafts_are_not_found(site, page):
    draft = Post.objects.get(status=Post.Status.DRAFT)
    response = page.goto(site + draft.get_absolute_url())
    assert response.status == 404
