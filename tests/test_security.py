"""What a stranger can send and what an import can carry must never harm the site or its readers:
unsafe addresses, names without slug characters, NUL bytes, password guessing, headers, terms of
drafts, and the admin's own safety nets (restores, authors, the preview)."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from blog import loading
from blog.importing import ImportOptions, import_paths
from blog.models import Author, Category, Keyword, Post, Revision
from blog.revisions import record_revision
from tests.factories import make_author, make_category, make_post
from tests.test_admin import ADD, CHANGELIST, PREVIEW, change_url, form_data

pytestmark = pytest.mark.django_db

UNSAFE_LINKS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def do_import(folder):
    return import_paths([str(folder)], options=ImportOptions(tz=dt.UTC))


# --- Addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", UNSAFE_LINKS)
@pytest.mark.parametrize("key", ["url", "website"])
def test_an_imported_authors_unsafe_address_is_left_out_with_a_warning(tmp_path, client, url, key):
    write(
        tmp_path,
        "2024-01-01-x.md",
        f"---\ntitle: X\nauthor:\n  name: Evil\n  {key}: {url!r}\n---\nText.",
    )
    report = do_import(tmp_path)
    assert report.created == 1
    warning = next(message for message in report.messages if "author's address" in message.text)
    assert warning.line == 3
    author = Author.objects.get(name="Evil")
    assert author.website == ""
    html = client.get(author.get_absolute_url()).content.decode()
    assert "alert(1)" not in html


def test_a_safe_author_address_is_kept(tmp_path):
    write(
        tmp_path, "2024-01-01-x.md", "---\nauthor: {name: Ann, url: 'https://ann.example'}\n---\n"
    )
    do_import(tmp_path)
    assert Author.objects.get(name="Ann").website == "https://ann.example"


@pytest.mark.parametrize("url", UNSAFE_LINKS)
def test_the_admin_refuses_an_unsafe_author_address(admin_client, url):
    response = admin_client.post(
        reverse("admin:blog_author_add"),
        {"name": "Evil", "slug": "evil", "website": url, "bio": "", "email": ""},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Author.objects.filter(slug="evil").exists()


def test_an_unsafe_address_stored_earlier_is_never_printed_as_a_link(client):
    author = make_author(name="Old", website="javascript:alert(1)")
    make_post(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    assert "javascript:" not in html


@pytest.mark.parametrize(
    "image", ["javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "//evil.example/x"]
)
def test_unsafe_images_are_left_out_of_imports_and_never_printed(tmp_path, client, image):
    write(tmp_path, "2024-01-01-x.md", f"---\ntitle: X\nimage: {image!r}\n---\nText.")
    report = do_import(tmp_path)
    assert any("left out the image" in message.text for message in report.messages)
    post = Post.objects.get()
    assert post.images == []
    Post.objects.filter(pk=post.pk).update(images=[image])  # as an older version stored it
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'property="og:image"' not in html
    assert image not in client.get("/feed.json").content.decode()


def test_site_relative_and_https_images_are_social_cards(client):
    post = make_post(images=["/images/card.png"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<meta property="og:image" content="http://testserver/images/card.png">' in html


# --- Names without slug characters ------------------------------------------------------------

EMPTY_SLUG_NAMES = ["🐍", "<<>>", "!!!"]


def test_terms_whose_names_have_no_slug_characters_never_break_a_page(tmp_path, client):
    names = ", ".join(repr(name) for name in EMPTY_SLUG_NAMES)
    write(
        tmp_path,
        "2024-01-01-x.md",
        f"---\ntitle: Snake\nauthor: '🐍'\ncategories: [{names}]\ntags: [{names}]\n"
        f"keywords: [{names}]\n---\nText.",
    )
    report = do_import(tmp_path)
    assert report.created == 1, [str(message) for message in report.messages]
    post = Post.objects.get()
    for model in (Tag, Keyword, Category, Author):
        assert all(model.objects.values_list("slug", flat=True)), model
    assert Tag.objects.get(name="🐍").slug == "u1f40d"
    urls = [
        "/",
        post.get_absolute_url(),
        "/tags/",
        "/categories/",
        "/authors/",
        "/sitemap.xml",
        "/search/?q=snake",
        f"/{post.published_at:%Y}/",
        f"/{post.published_at:%Y/%m}/",
        *(term.get_absolute_url() for term in [*Category.objects.all(), *Author.objects.all()]),
        *(reverse("blog:tag_detail", args=[tag.slug]) for tag in Tag.objects.all()),
        *(keyword.get_absolute_url() for keyword in Keyword.objects.all()),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_an_editor_can_tag_a_post_with_an_emoji_in_the_admin(admin_client, client):
    post = make_post()
    admin_client.post(change_url(post), form_data(post, tags="🐍, python"))
    assert set(post.tags.values_list("slug", flat=True)) == {"u1f40d", "python"}
    post.refresh_from_db()
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get("/tags/").status_code == 200


# --- Requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/%00", "/tags/a%00b/", "/search/?q=%00", "/?page=1%00", "/2024/01/01/x%00/"]
)
def test_a_nul_in_the_address_answers_400(client, url):
    assert client.get(url).status_code == 400


def test_a_nul_in_a_cookie_answers_400(client):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400


def test_headers_forbid_inline_script_and_unused_features(client, admin_client):
    make_post()
    for response in (client.get("/"), admin_client.get(CHANGELIST), admin_client.get(ADD)):
        policy = dict(
            part.strip().split(" ", 1)
            for part in response["Content-Security-Policy"].split(";")
            if part.strip()
        )
        assert policy["script-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# --- Logging in ---------------------------------------------------------------------------------


def test_password_guessing_is_locked_out_before_the_password_is_checked(settings):
    settings.AXES_FAILURE_LIMIT = 5
    User.objects.create_superuser("boss", password="right-password")
    login = reverse("admin:login")
    client = Client()
    for _ in range(4):
        response = client.post(login, {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again
    assert client.post(login, {"username": "boss", "password": "wrong"}).status_code == 429
    response = client.post(login, {"username": "boss", "password": "right-password"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(settings):
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_superuser("boss", password="right-password")
    login = reverse("admin:login")
    client = Client()
    for _ in range(2):
        client.post(login, {"username": "boss", "password": "wrong"})
    response = client.post(login, {"username": "boss", "password": "right-password"})
    assert response.status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(login, {"username": "boss", "password": "wrong"}).status_code == 200


# --- Terms of drafts ---------------------------------------------------------------------------


def test_terms_used_only_by_drafts_are_not_public(client, admin_client):
    author = make_author(name="Secret author", bio="Works on the unannounced thing.")
    category = make_category(name="Unannounced")
    make_post(
        status=Post.Status.DRAFT,
        authors=[author],
        categories=[category],
        tags=["secret-tag"],
        keywords=["secret-keyword"],
    )
    urls = [
        author.get_absolute_url(),
        category.get_absolute_url(),
        reverse("blog:tag_detail", args=["secret-tag"]),
        Keyword.objects.get().get_absolute_url(),
        reverse("blog:author_feed_atom", args=[author.slug]),
        reverse("blog:category_feed_rss", args=[category.slug]),
        reverse("blog:tag_feed_atom", args=["secret-tag"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert admin_client.get(url).status_code == 200, url


# --- Authors of published posts -----------------------------------------------------------------


def test_a_published_import_without_author_credits_the_sites_default_author(tmp_path, settings):
    settings.BLOG_DEFAULT_AUTHOR = "The Editors"
    write(tmp_path, "2024-01-01-a.md", "---\ntitle: Nobody's\n---\nText.")
    write(tmp_path, "2024-01-02-b.md", "---\ntitle: Draft\npublished: false\n---\nText.")
    do_import(tmp_path)
    assert [a.name for a in Post.objects.get(title="Nobody's").authors.all()] == ["The Editors"]
    assert not Post.objects.get(title="Draft").authors.exists()
    # The next import sees an unchanged post, not one edited on the site.
    (tmp_path / "2024-01-01-a.md").write_text("---\ntitle: Nobody's\n---\nText, changed.")
    assert do_import(tmp_path).updated == 1


def test_publishing_in_the_admin_without_author_credits_the_sites_default_author(
    admin_client, settings
):
    settings.BLOG_DEFAULT_AUTHOR = "The Editors"
    admin_client.post(ADD, form_data(title="Anonymous", slug="anonymous", status="published"))
    post = Post.objects.get(slug="anonymous")
    assert [author.name for author in post.authors.all()] == ["The Editors"]
    draft = make_post(status=Post.Status.DRAFT)
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    assert [author.name for author in draft.authors.all()] == ["The Editors"]


# --- Restoring a revision ----------------------------------------------------------------------


def test_restoring_an_old_revision_keeps_a_live_post_live_unless_confirmed(admin_client, client):
    post = make_post(
        title="Old draft text", status=Post.Status.DRAFT, excerpt_words=70, body="Old."
    )
    old = record_revision(post)
    post.title, post.body, post.status, post.excerpt_words = "Live", "New.", "published", 0
    post.published_at -= dt.timedelta(days=3)
    post.save()
    live_address = post.get_absolute_url()
    url = reverse("admin:blog_post_revision", args=[post.pk, old.pk])

    page = admin_client.get(url).content.decode()
    assert "Status: Published → Draft (it would no longer be on the site)" in page
    assert "Publication date (the date in its address)" in page
    assert "Also restore the status and dates above" in page

    response = admin_client.post(url, follow=True)
    assert "Its status and dates were kept as they were." in response.content.decode()
    post.refresh_from_db()
    assert (post.title, post.body, post.status) == ("Old draft text", "Old.", "published")
    assert post.excerpt_words == 70
    assert post.get_absolute_url() == live_address
    assert client.get(live_address).status_code == 200

    admin_client.post(url, {"restore_publication": "1"})
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert post.revisions.first().source == Revision.Source.RESTORE


# --- The preview endpoint ----------------------------------------------------------------------


def test_the_preview_is_refused_to_staff_who_may_not_write_posts():
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))
    client = Client()
    client.force_login(viewer)
    assert client.post(PREVIEW, {"body": "*x*"}).status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="change_post"))
    client.force_login(User.objects.get(pk=viewer.pk))
    assert client.post(PREVIEW, {"body": "*x*"}).json()["html"] == "<p><em>x</em></p>"


# --- Interrupting an import --------------------------------------------------------------------


def test_ctrl_c_during_an_import_prints_the_summary_and_exits_130(tmp_path, monkeypatch):
    for number in range(5):
        write(tmp_path, f"2024-01-0{number + 1}-p{number}.md", f"---\ntitle: P{number}\n---\nx")
    monkeypatch.setattr("blog.importing.BATCH_SIZE", 2)
    original = loading.PostLoader.load
    batches = []

    def load(self, items):
        batches.append(items)
        if len(batches) == 2:
            raise KeyboardInterrupt
        return original(self, items)

    monkeypatch.setattr(loading.PostLoader, "load", load)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("import_posts", str(tmp_path), "--workers", "1", stdout=out, stderr=err)
    assert stopped.value.code == 130
    assert "2 created" in out.getvalue()
    assert "Interrupted: the posts counted above were written whole" in out.getvalue()
    assert "Traceback" not in err.getvalue()
    assert Post.objects.count() == 2
