"""The files an old site's posts refer to: copied once, pointed at, their old addresses kept."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.storage import default_storage

from blog.importing import ImportOptions, import_paths
from blog.models import FileAddress, Page, Post, StoredFile
from tests.test_generators import HUGO, needs_hugo, run_generator

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f2a0b20000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def write(root, name, data):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def import_site(site, **options):
    return import_paths([str(site)], options=ImportOptions(tz=dt.UTC, **options))


def jekyll_site(root):
    site = root / "jekyll"
    write(site, "_config.yml", "baseurl: /blog\n")
    write(site, "assets/img/dot.png", PNG)
    write(site, "assets/img/same-dot.png", PNG)  # the same bytes under another name
    write(site, "files/paper.pdf", b"%PDF-1.4 a paper")
    write(site, "_drafts/notes.md", "---\ntitle: x\n---\n")
    write(
        site,
        "_posts/2024-01-01-images.md",
        "---\ntitle: Images\nimage: /assets/img/same-dot.png\n---\n"
        "![A dot]({{ site.baseurl }}/assets/img/dot.png)\n\n"
        "Read [the paper](/files/paper.pdf).\n\n![Gone](/assets/img/gone.png)\n",
    )
    return site


def test_files_are_copied_once_pointed_at_and_their_old_addresses_answer(client, media, tmp_path):
    site = jekyll_site(tmp_path)
    report = import_site(site)
    post = Post.objects.get()
    digest = hashlib.sha256(PNG).hexdigest()
    image = f"/media/files/{digest[:2]}/{digest}.png"
    assert f'<img alt="A dot" src="{image}">' in post.body_html
    assert re.search(r'href="/media/files/\w\w/\w+\.pdf"', post.body_html)
    # Two names, one stored copy; the PDF is the second file.
    assert StoredFile.objects.count() == 2
    assert (media / image.removeprefix("/media/")).read_bytes() == PNG
    assert report.files_copied == 2
    # Each address the old site had a file at answers 301 to the copy.
    for old in ("/assets/img/dot.png", "/assets/img/same-dot.png", "/files/paper.pdf"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"].startswith("/media/files/")
    # A reference to a file the site does not have is a warning naming the post and the file.
    assert [message.text for message in report.messages if message.severity == "warning"] == [
        "refers to /assets/img/gone.png, which is not among the site's files: it will not load"
    ]
    assert report.files_missing == 1


def test_a_re_import_copies_nothing_and_a_dry_run_writes_no_file(media, tmp_path):
    site = jekyll_site(tmp_path)
    report = import_site(site, dry_run=True)
    assert report.files_copied == 0
    assert not media.exists() or not any(media.rglob("*.png"))
    import_site(site)
    (site / "_posts/2024-01-01-images.md").write_text(
        "---\ntitle: Images\n---\n![A dot](/blog/assets/img/dot.png) changed\n"
    )
    report = import_site(site)
    assert (report.updated, report.files_copied) == (1, 0)


def test_rendering_again_keeps_pointing_at_the_copies(tmp_path):
    from django.core.management import call_command

    import_site(jekyll_site(tmp_path))
    before = Post.objects.get().body_html
    call_command("rerender_posts", verbosity=0)
    post = Post.objects.get()
    assert post.body_html == before
    post.body += "\n\nOne more line."
    post.save()
    assert "/media/files/" in post.body_html


def test_a_page_bundle_and_static_files_of_a_hugo_site(client, tmp_path):
    site = tmp_path / "hugo"
    write(site, "hugo.toml", "baseURL = 'https://example.org/'\n")
    write(
        site,
        "content/posts/trip/index.md",
        "---\ntitle: Trip\ndate: 2024-01-01\n---\n![Me](photo.png) and [map](/maps/route.gpx)\n",
    )
    write(site, "content/posts/trip/photo.png", PNG)
    write(site, "static/maps/route.gpx", b"<gpx/>")
    write(site, "content/about.md", "---\ntitle: About\n---\n![Me](/maps/route.gpx)\n")
    report = import_site(site)
    assert report.files_missing == 0
    post = Post.objects.get()
    assert "/media/files/" in post.body_html
    assert FileAddress.objects.filter(key="/posts/trip/photo.png").exists()
    assert "/media/files/" in Page.objects.get().body_html


@needs_hugo
def test_every_local_image_hugo_loads_is_stored_here(tmp_path):
    site = tmp_path / "hugo"
    write(site, "hugo.toml", "baseURL = 'https://example.org/'\n")
    write(site, "layouts/_default/single.html", "{{ .Content }}")
    write(site, "layouts/_default/list.html", "")
    write(
        site,
        "content/posts/trip/index.md",
        "---\ntitle: Trip\ndate: 2024-01-01\n---\n![Me](photo.png)\n\n![Dot](/img/dot.png)\n",
    )
    write(site, "content/posts/trip/photo.png", PNG)
    write(site, "static/img/dot.png", PNG)
    build = run_generator([HUGO], site, tmp_path / "public")
    import_site(site)
    page = (build / "posts/trip/index.html").read_text()
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) == 2
    for source in sources:
        old = source if source.startswith("/") else "/posts/trip/" + source
        assert (build / old.lstrip("/")).is_file()  # Hugo published it there
        stored = FileAddress.objects.get(key=old).file
        assert default_storage.exists(stored.name)


def test_only_references_to_files_count():
    from blog.parsing.assets import resolve

    assert resolve("photo.png", "/posts/trip/") == "/posts/trip/photo.png"
    assert resolve("../img/a.jpg", "/posts/trip/") == "/posts/img/a.jpg"
    assert resolve("/docs/guide.pdf", "/a.html") == "/docs/guide.pdf"
    for not_a_file in (
        "https://example.org/a.png",
        "//cdn.example.org/a.png",
        "#top",
        "/about/",
        "/page.html",
        "mailto:me@example.org",
        "{{ .RelPermalink }}",
        "/configuration/{{ .Permalink | safeURL }}",
    ):
        assert resolve(not_a_file, "/posts/x/") is None, not_a_file


def test_only_the_html_tags_references_count_not_text_that_looks_like_one():
    from blog.conversion.references import references

    markup = '<p>{{&lt; img src="images/a.jpg" &gt;}} <img alt="x" src="/a.png"></p>'
    assert references(markup) == ["/a.png"]
