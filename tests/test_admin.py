"""Writing and publishing in the admin: lists, forms, preview, locking, revisions, images, roles."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from blog.importing import ImportOptions, import_paths
from blog.models import Author, Post, PostImage, Revision
from tests.factories import make_author, make_category, make_post

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:blog_post_changelist")
ADD = reverse("admin:blog_post_add")
PREVIEW = reverse("admin:blog_post_preview")


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


def form_data(post=None, **fields):
    """What the post form sends: the fields, and empty inline forms for authors, categories,
    images."""
    when = timezone.localtime(fields.pop("published_at", None) or timezone.now())
    data = {
        "title": "A title",
        "slug": "a-title",
        "body": "Some *text*.",
        "status": "draft",
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
        "tags": "",
        "keywords": "",
        "excerpt_words": "0",
        "images": "[]",
        "aliases": "[]",
        "opened_version": post.version if post else "",
    }
    if post is not None:
        data |= {
            "title": post.title,
            "slug": post.slug,
            "body": post.body,
            "status": post.status,
        }
    for prefix in ("postauthor_set", "postcategory_set", "uploaded_images"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | fields


def png(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def author_user():
    """A member of the Authors group whose login is linked to the author Ann."""
    user = User.objects.create_user("ann", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    make_author(name="Ann", slug="ann", user=user)
    return user


@pytest.fixture
def editor_user():
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


# --- The list -------------------------------------------------------------------------------------


def test_post_list_shows_status_authors_categories_tags_and_a_site_link(
    admin_client, django_assert_max_num_queries
):
    authors = [make_author(name=f"Writer {n}") for n in range(3)]
    category = make_category(name="Databases")
    for number in range(12):
        make_post(authors=authors, categories=[category], tags=["a", "b", f"t{number}"])
    scheduled = make_post(title="Later", published_at=timezone.now() + dt.timedelta(days=2))
    make_post(title="Unfinished", status=Post.Status.DRAFT)
    # session, user, then counts, the posts page, authors, categories, and the filters' choices
    with django_assert_max_num_queries(14):
        response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Writer 0, Writer 1, Writer 2" in html
    assert "Databases" in html
    assert ">3</td>" in html  # tag count
    local = timezone.localtime(scheduled.published_at)
    assert f"Scheduled for {local:%Y-%m-%d %H:%M}" in html
    assert "Draft" in html
    assert f'href="{scheduled.get_absolute_url()}" target="_blank">Preview</a>' in html


def test_post_list_query_count_does_not_grow(admin_client, django_assert_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            admin_client.get(CHANGELIST)
        return len(captured)

    make_post(authors=[make_author()], categories=[make_category()], tags=["x"])
    few = count()
    for _ in range(10):
        make_post(authors=[make_author(), make_author()], categories=[make_category()], tags=["x"])
    assert count() == few


def test_post_list_filters_and_search(admin_client):
    data = make_category(name="Data", slug="data")
    make_post(title="Indexes", categories=[data], tags=["postgres"])
    make_post(title="Gardening", tags=["soil"])
    assert (
        "Gardening"
        not in admin_client.get(CHANGELIST + f"?categories__id__exact={data.pk}").content.decode()
    )
    assert "Gardening" not in admin_client.get(CHANGELIST + "?tag=postgres").content.decode()
    assert "Indexes" not in admin_client.get(CHANGELIST + "?q=garden").content.decode()
    assert "Indexes" in admin_client.get(CHANGELIST + "?status__exact=published").content.decode()


def test_an_author_sees_their_own_posts_first(client, author_user):
    ann = Author.objects.get(user=author_user)
    make_post(
        title="Ann's old post", authors=[ann], published_at=timezone.now() - dt.timedelta(days=30)
    )
    make_post(title="Someone's new post")
    client.force_login(author_user)
    html = client.get(CHANGELIST).content.decode()
    assert html.index("Ann&#x27;s old post") < html.index("Someone&#x27;s new post")


def test_bulk_actions_publish_unpublish_and_rerender_and_say_what_they_did(admin_client):
    drafts = [make_post(status=Post.Status.DRAFT) for _ in range(2)]
    published = make_post()
    response = admin_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [p.pk for p in [*drafts, published]]},
        follow=True,
    )
    assert "2 post(s) published; 1 already were." in response.content.decode()
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == 3
    response = admin_client.post(
        CHANGELIST, {"action": "unpublish", "_selected_action": [published.pk]}, follow=True
    )
    assert "1 post(s) turned back into drafts" in response.content.decode()
    Post.objects.filter(pk=published.pk).update(body_html="stale")
    response = admin_client.post(
        CHANGELIST, {"action": "rerender", "_selected_action": [published.pk]}, follow=True
    )
    assert "1 post(s) rendered again." in response.content.decode()
    assert Post.objects.get(pk=published.pk).body_html.startswith("<p>The first paragraph")


# --- Writing --------------------------------------------------------------------------------------


def test_create_a_post_with_authors_categories_tags_and_keywords(admin_client):
    ann = make_author(name="Ann")
    data = make_category(name="Data")
    response = admin_client.post(
        ADD,
        form_data(
            title="Hello admin",
            slug="hello-admin",
            body="Text with a note.[^1]\n\n[^1]: The note.",
            status="published",
            tags="Python, Web Dev",
            keywords="django admin, blogging",
            **{
                "postauthor_set-TOTAL_FORMS": "1",
                "postauthor_set-0-author": ann.pk,
                "postauthor_set-0-position": "0",
                "postcategory_set-TOTAL_FORMS": "1",
                "postcategory_set-0-category": data.pk,
                "postcategory_set-0-position": "0",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get(slug="hello-admin")
    assert post.is_public
    assert [a.name for a in post.authors.all()] == ["Ann"]
    assert [c.name for c in post.categories.all()] == ["Data"]
    assert sorted(post.tags.names()) == ["Python", "Web Dev"]
    assert sorted(post.keywords.names()) == ["blogging", "django admin"]
    assert 'class="footnote"' in post.body_html
    assert post.revisions.get().source == Revision.Source.ADMIN


def test_change_form_loads_with_preview_and_site_link(admin_client):
    post = make_post(status=Post.Status.DRAFT)
    html = admin_client.get(change_url(post)).content.decode()
    assert 'data-preview-url="/admin/blog/post/preview/"' in html
    assert "Preview on site" in html
    assert 'name="opened_version"' in html
    assert "post_editor.js" in html


def test_a_slug_used_on_the_same_day_is_a_clear_error(admin_client):
    existing = make_post(slug="taken")
    response = admin_client.post(ADD, form_data(slug="taken", published_at=existing.published_at))
    assert response.status_code == 200
    assert (
        "Another post published on the same day already uses this slug."
        in response.content.decode()
    )


def test_a_future_date_schedules_the_post(admin_client):
    later = timezone.now() + dt.timedelta(days=3)
    admin_client.post(ADD, form_data(status="published", published_at=later))
    post = Post.objects.get()
    assert post.is_scheduled
    assert "Scheduled for" in admin_client.get(CHANGELIST).content.decode()


def test_preview_renders_like_the_site_for_staff_only_with_csrf(admin_user):
    body = (
        "# Title\n\nText.[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```python\nx = 1\n```\n\n[^1]: N."
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(PREVIEW, {"body": body}).status_code == 403  # no CSRF token
    page = strict.get(ADD)
    token = page.cookies["csrftoken"].value
    response = strict.post(PREVIEW, {"body": body}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    result = response.json()
    assert 'class="footnote"' in result["html"]
    assert "<table>" in result["html"]
    assert 'class="highlight"' in result["html"]
    assert result["words"] == 9  # Title, Text, a, b, 1, 2, x, 1, N
    assert Client().post(PREVIEW, {"body": body}).status_code == 302  # to the login page
    assert strict.get(PREVIEW).status_code == 405


# --- No lost edits --------------------------------------------------------------------------------


def test_a_save_made_from_an_older_version_is_refused_and_shows_what_changed(admin_client):
    post = make_post(title="Original", body="First version.")
    admin_client.post(change_url(post), form_data(post))  # a revision to compare with
    post.refresh_from_db()
    opened = post.version
    # Someone else saves meanwhile.
    other = Post.objects.get(pk=post.pk)
    other.body = "Their version."
    other.save()
    response = admin_client.post(
        change_url(post), form_data(post, body="My version.", opened_version=opened)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This post was changed" in html
    assert "since you opened it" in html
    assert "-First version." in html
    assert "+Their version." in html
    assert Post.objects.get(pk=post.pk).body == "Their version."


def test_editing_an_imported_post_makes_the_next_import_a_conflict(admin_client, tmp_path):
    path = tmp_path / "2024-01-01-x.md"
    path.write_text("---\ntitle: From file\n---\nFile text.")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get()
    assert post.revisions.get().source == Revision.Source.IMPORT
    admin_client.post(change_url(post), form_data(post, body="Edited in the admin."))
    path.write_text("---\ntitle: From file\n---\nFile text, changed.")
    report = import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    assert report.conflicts == 1
    assert Post.objects.get().body == "Edited in the admin."


# --- Revisions ------------------------------------------------------------------------------------


def test_history_lists_revisions_and_a_revision_can_be_compared_and_restored(admin_client):
    post = make_post(title="One", body="First text.")
    admin_client.post(change_url(post), form_data(post))
    post.refresh_from_db()
    admin_client.post(
        change_url(post), form_data(post, body="Second text.", opened_version=post.version)
    )
    first, _second = post.revisions.order_by("version")
    history = admin_client.get(reverse("admin:blog_post_history", args=[post.pk])).content.decode()
    assert history.count("Compare with now") == 2
    revision_url = reverse("admin:blog_post_revision", args=[post.pk, first.pk])
    compare = admin_client.get(revision_url).content.decode()
    assert "-First text." in compare
    assert "+Second text." in compare
    assert "Restore version" in compare

    response = admin_client.post(revision_url, follow=True)
    assert "Restored version" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "First text."
    latest = post.revisions.first()
    assert latest.source == Revision.Source.RESTORE
    assert latest.version == post.version


def test_an_import_can_be_undone_by_restoring_the_revision_before_it(admin_client, tmp_path):
    path = tmp_path / "2024-01-01-x.md"
    path.write_text("---\ntitle: First\ntags: [a]\n---\nOne.")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    path.write_text("---\ntitle: Second\ntags: [b]\n---\nTwo.")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get()
    first = post.revisions.order_by("version").first()
    admin_client.post(reverse("admin:blog_post_revision", args=[post.pk, first.pk]))
    post.refresh_from_db()
    assert (post.title, post.body, list(post.tags.names())) == ("First", "One.", ["a"])


# --- Images ---------------------------------------------------------------------------------------


def test_upload_an_image_and_get_its_markdown(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = make_post()
    data = form_data(
        post,
        opened_version=post.version,
        **{"uploaded_images-TOTAL_FORMS": "1", "uploaded_images-0-alt": "A teal square"},
    )
    data["uploaded_images-0-image"] = SimpleUploadedFile("square.png", png(), "image/png")
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    image = PostImage.objects.get()
    assert image.markdown == f"![A teal square]({image.image.url})"
    assert image.image.url.startswith("/media/images/")
    assert image.markdown in admin_client.get(change_url(post)).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.png", b"not an image at all", "Upload a valid image"),
        ("script.svg", b"<svg onload=alert(1)>", "Upload a valid image"),
    ],
)
def test_uploads_that_are_not_images_are_refused(
    admin_client, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    post = make_post()
    data = form_data(
        post,
        opened_version=post.version,
        **{"uploaded_images-TOTAL_FORMS": "1", "uploaded_images-0-alt": "x"},
    )
    data["uploaded_images-0-image"] = SimpleUploadedFile(name, content)
    response = admin_client.post(change_url(post), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PostImage.objects.exists()


def test_images_over_the_size_limit_are_refused(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BLOG_MAX_IMAGE_BYTES = 100
    post = make_post()
    data = form_data(
        post,
        opened_version=post.version,
        **{"uploaded_images-TOTAL_FORMS": "1", "uploaded_images-0-alt": "x"},
    )
    data["uploaded_images-0-image"] = SimpleUploadedFile("big.png", png((64, 64)), "image/png")
    response = admin_client.post(change_url(post), data)
    assert "images may be at most" in response.content.decode()


# --- Roles ----------------------------------------------------------------------------------------


def test_an_author_writes_and_publishes_their_own_post(client, author_user):
    client.force_login(author_user)
    response = client.post(ADD, form_data(title="Mine", slug="mine", status="published"))
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="mine")
    assert post.is_public
    assert [a.name for a in post.authors.all()] == ["Ann"]  # credited to the writer


def test_an_author_may_edit_but_not_publish_someone_elses_post(client, author_user):
    theirs = make_post(title="Theirs", status=Post.Status.DRAFT, authors=[make_author(name="Bo")])
    client.force_login(author_user)
    edited = client.post(
        change_url(theirs), form_data(theirs, body="Fixed a typo.", opened_version=theirs.version)
    )
    assert edited.status_code == 302
    theirs.refresh_from_db()
    response = client.post(
        change_url(theirs), form_data(theirs, status="published", opened_version=theirs.version)
    )
    assert response.status_code == 200
    assert "You may publish only your own posts" in response.content.decode()
    response = client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [theirs.pk]}, follow=True
    )
    assert "only editors may publish other people" in response.content.decode()
    assert Post.objects.get(pk=theirs.pk).status == Post.Status.DRAFT


def test_an_editor_publishes_anyones_post(client, editor_user):
    post = make_post(status=Post.Status.DRAFT, authors=[make_author()])
    client.force_login(editor_user)
    response = client.post(
        change_url(post), form_data(post, status="published", opened_version=post.version)
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).is_public


def test_author_category_and_keyword_admins_show_post_counts(admin_client):
    ann = make_author(name="Ann Counted")
    make_post(authors=[ann], keywords=["kw"])
    make_post(authors=[ann])
    html = admin_client.get(reverse("admin:blog_author_changelist") + "?q=Counted").content.decode()
    assert "Ann Counted" in html
    assert '<td class="field-post_count">2</td>' in html
    keywords = admin_client.get(reverse("admin:blog_keyword_changelist")).content.decode()
    assert '<td class="field-post_count">1</td>' in keywords


def test_change_form_query_count_does_not_grow_with_tags_and_authors(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(post):
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(change_url(post)).status_code == 200
        return len(captured)

    few = queries(make_post(authors=[make_author()], tags=["a"]))
    many = queries(
        make_post(
            authors=[make_author() for _ in range(6)],
            categories=[make_category() for _ in range(4)],
            tags=[f"t{n}" for n in range(12)],
            keywords=[f"k{n}" for n in range(12)],
        )
    )
    # Each inline row's autocomplete widget fetches its chosen author or category: one query a
    # row (9 more rows here); tags and keywords cost nothing more.
    assert many - few <= 9


def test_changing_the_slug_of_a_public_post_keeps_its_old_address(admin_client, client):
    post = make_post(slug="old-name")
    old_url = post.get_absolute_url()
    admin_client.post(change_url(post), form_data(post, slug="new-name"))
    post.refresh_from_db()
    assert post.slug == "new-name"
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())


# --- Pages ------------------------------------------------------------------------------------


def page_form(page=None, **fields):
    data = {
        "title": "About",
        "path": "/about/",
        "status": "published",
        "body": "About *me*.",
        "menu_title": "",
        "menu_order": "0",
        "description": "",
        "images": "[]",
        "redirect_to": "",
        "layout": "",
        "front_matter_extra": "{}",
        "opened_version": page.version if page else "",
    } | fields
    if fields.get("show_in_navigation"):
        data["show_in_navigation"] = "on"
    return data


def test_a_page_is_written_revised_compared_and_restored_in_the_admin(admin_client, client):
    from blog.models import Page

    add = reverse("admin:blog_page_add")
    html = admin_client.get(add).content.decode()
    assert 'class="post-preview"' in html  # the same live preview as posts
    response = admin_client.post(add, page_form(show_in_navigation=True))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Page.objects.get()
    assert client.get("/about/").status_code == 200
    assert 'href="/about/"' in client.get("/").content.decode()
    change = reverse("admin:blog_page_change", args=[page.pk])
    admin_client.post(change, page_form(page, body="A new text.", path="/me/", status="draft"))
    page.refresh_from_db()
    assert (page.version, page.revisions.count()) == (2, 2)
    history = admin_client.get(reverse("admin:blog_page_history", args=[page.pk]))
    first = page.revisions.last()
    revision_url = reverse("admin:blog_page_revision", args=[page.pk, first.pk])
    assert revision_url in history.content.decode()
    compare = admin_client.get(revision_url).content.decode()
    assert "-About *me*." in compare
    assert "+A new text." in compare
    response = admin_client.post(revision_url)
    assert response.status_code == 302
    page.refresh_from_db()
    # The text comes back; the address and status stay as they are now.
    assert (page.body, page.path, page.status) == ("About *me*.", "/me/", "draft")
    assert page.revisions.first().source == Revision.Source.RESTORE


def test_a_page_saved_over_by_someone_else_is_refused_with_the_changes(admin_client):
    from blog.models import Page

    admin_client.post(reverse("admin:blog_page_add"), page_form())
    page = Page.objects.get()
    change = reverse("admin:blog_page_change", args=[page.pk])
    opened = page.version
    admin_client.post(change, page_form(page, body="Someone else's words."))
    response = admin_client.post(change, page_form(page, body="Mine.", opened_version=opened))
    html = response.content.decode()
    assert "This page was changed" in html
    assert "Someone else&#x27;s words." in html
    page.refresh_from_db()
    assert page.body == "Someone else's words."


def test_a_page_at_a_site_route_is_a_clear_error_in_the_admin(admin_client):
    response = admin_client.post(reverse("admin:blog_page_add"), page_form(path="/tags/"))
    assert "/tags/ belongs to the site itself" in response.content.decode()


def test_the_post_address_pattern_is_a_setting_in_the_admin(admin_client, client):
    from blog.models import SiteSettings

    post = make_post(slug="hello")
    old = post.get_absolute_url()
    url = reverse("admin:blog_sitesettings_add")
    response = admin_client.post(url, {"post_address": "/:year/:slug/"})
    assert response.status_code == 302
    assert SiteSettings.load().post_address == "/:year/:slug/"
    post.refresh_from_db()
    assert post.path == f"/{post.published_on:%Y}/hello/"
    assert client.get(old)["Location"] == post.get_absolute_url()
    response = admin_client.post(
        reverse("admin:blog_sitesettings_change", args=[1]), {"post_address": "/:year/"}
    )
    assert "The pattern needs :slug" in response.content.decode()


def test_the_preview_converts_the_posts_dialect_with_its_old_sites_templates(admin_client):
    from blog.models import ImportedSite

    site = ImportedSite.objects.create(root="/old", generator="jekyll", config={"title": "Old"})
    post = make_post(markup="jekyll")
    Post.objects.filter(pk=post.pk).update(imported_site=site)
    response = admin_client.post(
        PREVIEW,
        {
            "body": "From {{ site.title }}.\n\n{% gist 1234 %}",
            "markup": "jekyll",
            "model": "post",
            "object_id": str(post.pk),
        },
    )
    result = response.json()
    assert "<p>From Old.</p>" in result["html"]
    assert result["warnings"] == [
        "line 3: the Liquid tag 'gist' is not known here: shown as written"
    ]
    # Plain markdown stays plain: the same text without a dialect is not run.
    plain = admin_client.post(PREVIEW, {"body": "From {{ site.title }}."}).json()
    assert "{{ site.title }}" in plain["html"]
