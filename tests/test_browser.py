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

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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


def csp_violations(page):
    """The Content-Security-Policy violations the page reports from now on (a list that fills)."""
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and violations.append(message.text)
        ),
    )
    return violations


def has_horizontal_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_reader_opens_a_post_from_the_home_page(site, page, artifacts_dir):
    violations = csp_violations(page)
    page.goto(site + "/")
    assert page.title() == "Field Notes"
    first = Post.objects.public().first()
    page.get_by_role("link", name=first.title, exact=True).first.click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert page.locator("h1").inner_text() == first.title
    page.screenshot(path=artifacts_dir / "home-to-post.png")
    assert violations == []


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
    assert page.evaluate("document.activeElement.id") == "site-content"


def test_drafts_are_not_found(site, page):
    draft = Post.objects.get(status=Post.Status.DRAFT)
    response = page.goto(site + draft.get_absolute_url())
    assert response.status == 404


def test_reader_browses_by_tag_category_author_and_archive(site, page, artifacts_dir):
    post = Post.objects.for_listing().get(slug="a-field-guide-to-postgres-indexes")
    page.goto(site + post.get_absolute_url())

    tag = post.tags.all()[0]
    page.get_by_role("link", name=f"#{tag.name}", exact=True).first.click()
    page.wait_for_url(f"**/tags/{tag.slug}/")
    assert page.locator("h1").inner_text() == f"#{tag.name}"
    assert page.get_by_role("link", name=post.title, exact=True).count() == 1
    page.screenshot(path=artifacts_dir / "tag.png", full_page=True)

    page.get_by_role("link", name=post.title, exact=True).click()
    category = post.categories.all()[0]
    page.locator("a.category", has_text=category.name).first.click()
    page.wait_for_url(f"**{category.get_absolute_url()}")
    assert page.locator("h1").inner_text() == category.name

    author = post.authors.all()[0]
    page.get_by_role("link", name=author.name).first.click()
    page.wait_for_url(f"**{author.get_absolute_url()}")
    assert page.locator("h1").inner_text() == author.name
    page.screenshot(path=artifacts_dir / "author.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    page.wait_for_url("**/archive/")
    month = page.locator(f'.archive-months a[href="/{post.published_at:%Y/%m}/"]')
    assert month.inner_text() == f"{post.published_at:%B}"
    page.screenshot(path=artifacts_dir / "archive.png")
    year = f"{post.published_at:%Y}"
    page.get_by_role("link", name=year, exact=True).click()
    page.wait_for_url(f"**/{year}/")
    assert page.get_by_role("link", name=post.title, exact=True).count() == 1
    page.screenshot(path=artifacts_dir / "archive-year.png")

    for name, url in [("Tags", "/tags/"), ("Categories", "/categories/"), ("Authors", "/authors/")]:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
        page.wait_for_url(f"**{url}")
        assert page.locator("h1").inner_text() == name
        assert not has_horizontal_scroll(page)
        page.screenshot(path=artifacts_dir / f"index-{name.lower()}.png")


def test_reader_searches_and_finds_highlighted_results(site, page, artifacts_dir):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search the posts").fill("index")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=index")
    assert "found for “index”" in page.get_by_role("status").inner_text()
    assert page.locator("article.post-summary mark").count() >= 1
    page.locator("article.post-summary h2 a").first.click()
    assert page.locator("article.post").count() == 1
    page.go_back()
    page.screenshot(path=artifacts_dir / "search.png")


def test_the_feed_link_serves_a_feed(site, page):
    page.goto(site + "/")
    href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    response = page.request.get(site + href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "<feed" in response.text()
    footer_feed = page.get_by_role("link", name="Atom feed")
    assert footer_feed.get_attribute("href") == href


def test_index_and_term_pages_fit_a_phone_in_dark_mode(site, browser, artifacts_dir):
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    page = context.new_page()
    for url in ["/tags/", "/archive/", "/authors/", "/categories/engineering/", "/search/?q=go"]:
        page.goto(site + url)
        assert not has_horizontal_scroll(page), url
    page.screenshot(path=artifacts_dir / "search-phone-dark.png", full_page=True)
    context.close()


def test_not_found_page_offers_search_and_old_addresses_lead_to_the_post(site, page, artifacts_dir):
    response = page.goto(site + "/no/such/page/")
    assert response.status == 404
    assert page.get_by_role("search").count() == 1
    page.screenshot(path=artifacts_dir / "not-found.png")

    # Where Jekyll published the sample post: /:categories/:year/:month/:day/:title.html
    post = Post.objects.get(slug="a-field-guide-to-postgres-indexes")
    page.goto(site + "/engineering/databases/2024/03/25/a-field-guide-to-postgres-indexes.html")
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert page.locator("h1").inner_text() == post.title


def test_an_author_writes_previews_and_publishes_a_post(site, browser, artifacts_dir):
    from django.contrib.auth.models import User

    User.objects.create_superuser("writer", "writer@example.org", "a long test password")
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    violations = csp_violations(page)
    page.goto(site + "/admin/login/?next=/admin/blog/post/add/")
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/blog/post/add/")

    page.get_by_label("Title").press_sequentially("Written in the browser")
    assert page.get_by_label("Slug").input_value() == "written-in-the-browser"  # prefilled
    page.get_by_label("Body").fill(
        "A claim that needs a source.[^1]\n\n```python\ndef hello():\n    return 42\n```\n\n"
        "| Year | Posts |\n|---|---:|\n| 2025 | 12 |\n\n[^1]: The source."
    )
    preview = page.locator(".post-preview__body")
    preview.locator(".footnote").wait_for()
    assert preview.locator(".highlight .k").first.inner_text() == "def"
    assert preview.locator("table").count() == 1
    assert "words" in page.locator(".post-preview__stats").inner_text()
    page.get_by_label("Status").select_option("published")
    page.screenshot(path=artifacts_dir / "admin-editor.png")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/blog/post/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    post = Post.objects.get(slug="written-in-the-browser")
    assert post.is_public
    page.goto(site + "/")
    page.get_by_role("link", name="Written in the browser", exact=True).first.click()
    page.wait_for_url(f"**{post.get_absolute_url()}")
    assert page.locator(".post__body .footnote").count() == 1
    assert page.locator(".post__body .highlight").count() == 1
    # The admin works under the site's Content-Security-Policy: no inline script or style.
    page.goto(site + f"/admin/blog/post/{post.pk}/change/")
    page.locator(".post-preview__body .footnote").wait_for()
    page.goto(site + f"/admin/blog/post/{post.pk}/history/")
    assert violations == []
    context.close()


def test_limit_and_outage_pages_fit_desktop_and_phone_in_both_schemes(
    site, browser, artifacts_dir, settings, monkeypatch
):
    """The pages a reader sees when the site says no: too many searches (429), too many wrong
    passwords (429), the database unreachable (503)."""
    from django.db import OperationalError

    settings.BLOG_SEARCH_RATE = (1, 60)
    settings.AXES_FAILURE_LIMIT = 1
    for scheme in ("light", "dark"):
        for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            violations = csp_violations(page)
            page.goto(site + "/search/?q=index")
            response = page.goto(site + "/search/?q=index")
            assert response.status == 429
            assert "Too many searches at once" in page.locator("h1").inner_text()
            assert not has_horizontal_scroll(page)
            page.screenshot(path=artifacts_dir / f"search-limit-{name}-{scheme}.png")

            page.goto(site + "/admin/login/")
            page.get_by_label("Username").fill("nobody")
            page.get_by_label("Password").fill("wrong")
            page.get_by_role("button", name="Log in").click()
            assert "Too many failed logins" in page.locator("h1").inner_text()
            assert "paused for 15\xa0minutes" in page.locator("main").inner_text()
            assert not has_horizontal_scroll(page)
            page.screenshot(path=artifacts_dir / f"login-locked-{name}-{scheme}.png")
            assert violations == []
            context.close()
            from axes.utils import reset

            reset()

    def database_down(view):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("blog.views.ArchiveView.get_items", database_down)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    response = page.goto(site + "/archive/")
    assert response.status == 503
    assert response.headers["retry-after"] == "30"
    assert page.locator("h1").inner_text() == "Back in a moment"
    page.screenshot(path=artifacts_dir / "database-down-phone.png")
    context.close()


def test_restoring_an_old_revision_asks_before_unpublishing(site, browser, artifacts_dir):
    from django.contrib.auth.models import User

    from blog.revisions import record_revision

    User.objects.create_superuser("editor", "editor@example.org", "a long test password")
    post = Post.objects.public().first()
    post.status = Post.Status.DRAFT
    post.save()
    old = record_revision(post)
    post.status = Post.Status.PUBLISHED
    post.body += "\n\nA later paragraph."
    post.save()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(site + f"/admin/blog/post/{post.pk}/revisions/{old.pk}/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/revisions/{old.pk}/")
    changes = page.locator(".restore-publication")
    assert "Status: Published → Draft" in changes.inner_text()
    page.screenshot(path=artifacts_dir / "admin-restore-confirmation.png", full_page=True)
    page.get_by_role("button", name=f"Restore version {old.version}").click()
    assert "status and dates were kept" in page.locator(".messagelist").inner_text()
    post.refresh_from_db()
    assert post.is_public
    context.close()


def test_a_moved_site_keeps_its_pages_in_the_navigation(
    live_server, browser, artifacts_dir, tmp_path
):
    """A Hugo site's About page (in its main menu) and a section's page, after an import."""
    site = tmp_path / "old"
    files = {
        "hugo.toml": "baseURL = 'https://example.org/'\n",
        "content/posts/first.md": "---\ntitle: First post\ndate: 2024-01-02\n---\nHello.\n",
        "content/about.md": "---\ntitle: About this blog\nmenu: main\n---\n"
        "Written by **Ada**, who moved here from Hugo.\n",
        "content/guides/_index.md": "---\ntitle: Guides\n---\nStep-by-step guides.\n",
        "content/guides/install.md": "---\ntitle: Installing\ndescription: From zero to "
        "a running site.\n---\nRun it.\n",
        "content/guides/upgrade.md": "---\ntitle: Upgrading\n---\nUpgrade it.\n",
    }
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    call_command("import_posts", str(site), verbosity=0)
    for name, viewport, scheme in [("desktop", DESKTOP, "light"), ("phone", PHONE, "dark")]:
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        violations = csp_violations(page)
        page.goto(live_server.url + "/")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="About this blog"
        ).click()
        page.wait_for_url("**/about/")
        assert page.locator("h1").inner_text() == "About this blog"
        current = page.get_by_role("link", name="About this blog")
        assert current.get_attribute("aria-current") == "page"
        page.screenshot(path=artifacts_dir / f"page-{name}.png", full_page=True)
        page.goto(live_server.url + "/guides/")
        links = page.locator(".section-contents a")
        assert links.all_inner_texts() == ["Installing", "Upgrading"]
        assert not has_horizontal_scroll(page)
        page.screenshot(path=artifacts_dir / f"section-{name}.png", full_page=True)
        assert violations == []
        context.close()
