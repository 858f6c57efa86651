"""import_posts: files → posts, idempotent, one transaction per file, clear errors."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from blog.models import Author, Category, Keyword, Post

pytestmark = pytest.mark.django_db

SEED = "2025-05-13-generative-ai-personalized-medicine.md"
FIXTURES = settings.BASE_DIR / "fixtures" / "posts"


def run_import(*paths):
    out, err = StringIO(), StringIO()
    call_command("import_posts", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_seed_file_imports_every_field(shared_dir):
    run_import(shared_dir / "corpus" / SEED)
    post = Post.objects.get()
    assert post.title == (
        "Generative AI's Impact on Personalized Medicine: A Glimpse into the Future"
    )
    assert post.published_at == dt.datetime(2025, 5, 13, tzinfo=dt.UTC)
    assert post.get_absolute_url() == "/2025/05/13/generative-ai-personalized-medicine/"
    assert post.status == Post.Status.PUBLISHED
    assert post.layout == "default"
    assert [c.name for c in post.categories.all()] == ["blog"]
    assert [a.name for a in post.authors.all()] == ["rkoots Bot"]
    assert sorted(post.tags.names()) == sorted(
        [
            "Generative AI",
            "Personalized Medicine",
            "Drug Discovery",
            "Genomics",
            "AI in Healthcare",
            "Machine Learning",
            "Deep Learning",
            "Bioinformatics",
        ]
    )
    assert post.keywords.count() == 10
    assert "precision medicine" in post.keywords.names()
    assert post.body_html.count('<li id="fn:') == 2
    assert 'href="#fnref:1"' in post.body_html
    assert 'href="#fnref:2"' in post.body_html
    assert post.source_path == SEED
    assert post.front_matter_extra == {}
    assert "fnref" not in post.excerpt_html


def test_whole_corpus_folder_imports(shared_dir):
    out, _ = run_import(shared_dir / "corpus")
    files = list((shared_dir / "corpus").glob("*.md"))
    assert Post.objects.count() == len(files)
    assert "0 failed" in out


def test_reimporting_the_same_files_creates_nothing():
    run_import(FIXTURES)
    counts = (
        Post.objects.count(),
        Author.objects.count(),
        Category.objects.count(),
        Keyword.objects.count(),
    )
    out, _ = run_import(FIXTURES)
    assert "0 created, 0 updated" in out
    assert (
        Post.objects.count(),
        Author.objects.count(),
        Category.objects.count(),
        Keyword.objects.count(),
    ) == counts


def test_sample_content_has_what_the_readme_promises():
    run_import(FIXTURES)
    assert Post.objects.count() >= 15
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 1
    assert sum(post.is_scheduled for post in Post.objects.all()) == 1
    assert Author.objects.count() >= 3
    assert Category.objects.count() >= 3
    assert Keyword.objects.count() >= 10
    bodies = " ".join(Post.objects.values_list("body_html", flat=True))
    assert 'class="footnote"' in bodies
    assert '<span class="kd">func</span>' in bodies  # Go
    assert '<span class="k">def</span>' in bodies  # Python
    assert "<table>" in bodies
    assert any(post.has_long_toc for post in Post.objects.all())


def test_changed_file_updates_its_post(tmp_path):
    path = write(tmp_path, "2024-01-01-x.md", "---\ntitle: First\ntags: [a, b]\n---\nOld body.")
    run_import(tmp_path)
    path.write_text("---\ntitle: Second\ntags: [b, c]\nauthor: Ann\n---\nNew body.")
    out, _ = run_import(tmp_path)
    assert "0 created, 1 updated" in out
    post = Post.objects.get()
    assert post.title == "Second"
    assert post.body_html == "<p>New body.</p>"
    assert sorted(post.tags.names()) == ["b", "c"]
    assert [a.name for a in post.authors.all()] == ["Ann"]


def test_bad_file_is_reported_and_others_still_import(tmp_path):
    write(tmp_path, "2024-01-01-good.md", "---\ntitle: Good\n---\nFine.")
    write(tmp_path, "2024-01-02-bad.md", "---\ntitle: Bad\ndate: tomorrow\n---\nNo.")
    with pytest.raises(CommandError) as error:
        run_import(tmp_path)
    assert error.value.returncode == 1
    assert list(Post.objects.values_list("title", flat=True)) == ["Good"]


def test_errors_name_the_file_and_line(tmp_path):
    write(tmp_path, "2024-01-02-bad.md", "---\ntitle: Bad\ndate: tomorrow\n---\nNo.")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=err)
    assert (
        "2024-01-02-bad.md:3: invalid date 'tomorrow' in front-matter key 'date'" in err.getvalue()
    )


def test_a_file_that_fails_to_load_leaves_no_rows(tmp_path):
    write(tmp_path, "a/2024-01-01-same.md", "---\ntitle: One\ntags: [x]\n---\n")
    write(tmp_path, "b/2024-01-01-same.md", "---\ntitle: Two\ntags: [y]\nauthor: Zed\n---\n")
    with pytest.raises(CommandError):
        run_import(tmp_path)
    assert Post.objects.count() == 1
    assert not Author.objects.filter(name="Zed").exists()


def test_missing_path_is_a_usage_error():
    with pytest.raises(CommandError) as error:
        run_import("/no/such/folder")
    assert error.value.returncode == 2


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    write(tmp_path, "2024-01-01-ok.md", "---\ntitle: ok\n---\n")
    locked = write(tmp_path, "2024-01-02-locked.md", "---\ntitle: x\n---\n")
    read_bytes = type(locked).read_bytes

    def refuse_locked(path):
        if path.name == locked.name:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    # Tests may run as root, who can read any file, so the refusal is simulated.
    monkeypatch.setattr(type(locked), "read_bytes", refuse_locked)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "2024-01-02-locked.md: cannot read the file: Permission denied" in err.getvalue()
    assert Post.objects.count() == 1


def test_import_through_the_command_line_exit_codes(tmp_path):
    """The command exits 0 when all files import and 1 when any fails (2 for bad arguments)."""
    import subprocess
    import sys

    good = write(tmp_path / "good", "2024-01-01-x.md", "---\ntitle: x\n---\n")
    bad = write(tmp_path / "bad", "2024-01-01-y.md", "---\ntitle: [x\n---\n")
    env = {"DJANGO_SETTINGS_MODULE": "site_config.test_settings", "PATH": "/usr/bin:/bin"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    assert subprocess.run([*manage, "import_posts", str(good.parent)], env=env).returncode == 0
    assert (
        subprocess.run(
            [*manage, "import_posts", str(bad.parent)], env=env, capture_output=True
        ).returncode
        == 1
    )
    assert (
        subprocess.run([*manage, "import_posts", "/nope"], env=env, capture_output=True).returncode
        == 2
    )


def test_two_spellings_of_one_author_or_category_are_linked_once(tmp_path):
    write(
        tmp_path,
        "2024-01-01-x.md",
        "---\ntitle: x\nauthor: [Ann Lee, ann lee, Bo]\ncategories: [Data, data]\n---\n",
    )
    run_import(tmp_path)
    post = Post.objects.for_listing().get()
    assert [a.name for a in post.authors.all()] == ["Ann Lee", "Bo"]
    assert [c.name for c in post.categories.all()] == ["Data"]
