"""import_posts: files → posts, idempotent, one transaction per file, clear errors."""

import datetime as dt
import json
import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from taggit.models import Tag

from blog import loading
from blog.importing import ImportOptions, import_paths
from blog.models import Author, Category, Keyword, KeywordedPost, Page, Post
from tests.factories import make_post

pytestmark = pytest.mark.django_db

SEED = "2025-05-13-generative-ai-personalized-medicine.md"
FIXTURES = settings.BASE_DIR / "fixtures" / "posts"


def run_import(*arguments):
    out, err = StringIO(), StringIO()
    call_command("import_posts", *map(str, arguments), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_with(*paths, **options):
    options.setdefault("tz", dt.UTC)
    return import_paths([str(path) for path in paths], options=ImportOptions(**options))


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


def test_a_post_the_database_refuses_leaves_no_rows_and_the_batch_still_imports(
    tmp_path, monkeypatch
):
    write(tmp_path, "2024-01-01-one.md", "---\ntitle: One\nkeywords: [fine]\n---\n")
    write(tmp_path, "2024-01-02-two.md", "---\ntitle: Two\nauthor: Zed\nkeywords: [boom]\n---\n")
    write(tmp_path, "2024-01-03-three.md", "---\ntitle: Three\n---\n")
    insert_links = loading._insert_links

    def refuse_boom(model, field_names, rows):
        rows = list(rows)
        boom = Keyword.objects.filter(name="boom").first()
        if model is KeywordedPost and boom and any(row[1] == boom.pk for row in rows):
            raise IntegrityError("simulated: the database refused the keyword link")
        insert_links(model, field_names, rows)

    monkeypatch.setattr(loading, "_insert_links", refuse_boom)
    report = import_with(tmp_path)
    assert report.failed == 1
    assert "2024-01-02-two.md: the database refused this post" in str(report.errors[0])
    assert sorted(Post.objects.values_list("title", flat=True)) == ["One", "Three"]
    assert not Author.objects.filter(name="Zed").exists()
    assert not Keyword.objects.filter(name="boom").exists()


def test_missing_path_is_a_usage_error():
    with pytest.raises(CommandError) as error:
        run_import("/no/such/folder")
    assert error.value.returncode == 2


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    write(tmp_path, "2024-01-01-ok.md", "---\ntitle: ok\n---\n")
    locked = write(tmp_path, "2024-01-02-locked.md", "---\ntitle: x\n---\n")
    open_file = os.open

    def refuse_locked(path, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return open_file(path, *args, **kwargs)

    # Tests may run as root, who can read any file, so the refusal is simulated.
    monkeypatch.setattr("blog.importing.os.open", refuse_locked)
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


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    write(tmp_path, "2024-01-01-x.md", "---\ntitle: x\n---\nBody.")
    import_with(tmp_path)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr("blog.importing.parse_post", must_not_parse)
    report = import_with(tmp_path)
    assert (report.unchanged, report.created, report.updated) == (1, 0, 0)


# --- Same address, edits on the site, pruning ---------------------------------------------------


def test_files_with_the_same_date_and_slug_both_import_with_distinct_addresses(tmp_path):
    write(tmp_path, "en/2024-01-01-hello.md", "---\ntitle: Hello\n---\nHi.")
    write(tmp_path, "fr/2024-01-01-hello.md", "---\ntitle: Bonjour\n---\nSalut.")
    write(tmp_path, "xx/2024-01-01-hello-fr.md", "---\ntitle: Taken\n---\n")
    report = import_with(tmp_path)
    assert report.created == 3
    urls = dict(Post.objects.values_list("source_path", "slug"))
    assert urls == {
        "en/2024-01-01-hello.md": "hello",
        "fr/2024-01-01-hello.md": "hello-fr",
        "xx/2024-01-01-hello-fr.md": "hello-fr-xx",
    }
    [first, second] = [m for m in report.messages if m.severity == "warning"]
    assert first.path == "fr/2024-01-01-hello.md"
    assert "/2024/01/01/hello/ is already taken by en/2024-01-01-hello.md" in first.text
    assert "this post gets /2024/01/01/hello-fr/ instead" in first.text
    assert second.path == "xx/2024-01-01-hello-fr.md"

    # Re-importing a changed file keeps the address it was given.
    write(tmp_path, "fr/2024-01-01-hello.md", "---\ntitle: Bonjour !\n---\nSalut.")
    assert import_with(tmp_path).updated == 1
    assert Post.objects.get(source_path="fr/2024-01-01-hello.md").slug == "hello-fr"


def test_a_file_never_takes_the_address_of_a_post_written_on_the_site(tmp_path):
    make_post(title="Mine", slug="hello", published_at=dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC))
    write(tmp_path, "2024-01-01-hello.md", "---\ntitle: From file\n---\n")
    report = import_with(tmp_path)
    assert Post.objects.get(title="From file").slug == "hello-2"
    assert "already taken by a post written in the admin" in report.messages[0].text


def edit_on_site(post, **changes):
    for name, value in changes.items():
        setattr(post, name, value)
    post.save()


def test_a_post_edited_on_the_site_is_not_overwritten_by_a_changed_file(tmp_path):
    path = write(tmp_path, "2024-01-01-x.md", "---\ntitle: From file\ntags: [a]\n---\nFile body.")
    import_with(tmp_path)
    edit_on_site(Post.objects.get(), body="Edited on the site.")
    path.write_text("---\ntitle: From file, changed\ntags: [a]\n---\nFile body.")

    report = import_with(tmp_path)
    assert (report.conflicts, report.updated, report.failed) == (1, 0, 0)
    post = Post.objects.get()
    assert (post.title, post.body) == ("From file", "Edited on the site.")
    [message] = report.messages
    assert message.path == "2024-01-01-x.md"
    assert "--force" in message.text
    assert '-title: "From file"' in message.text
    assert '+title: "From file, changed"' in message.text
    assert "-Edited on the site." in message.text
    assert "+File body." in message.text

    report = import_with(tmp_path, force=True)
    assert report.updated == 1
    post = Post.objects.get()
    assert (post.title, post.body) == ("From file, changed", "File body.")
    # After --force the post is the file's again: the next change imports normally.
    path.write_text("---\ntitle: Third\ntags: [a]\n---\nFile body.")
    assert import_with(tmp_path).updated == 1


def test_a_tag_edit_on_the_site_is_also_a_conflict(tmp_path):
    path = write(tmp_path, "2024-01-01-x.md", "---\ntitle: x\ntags: [a]\n---\n")
    import_with(tmp_path)
    Post.objects.get().tags.add("added-on-site")
    path.write_text("---\ntitle: y\ntags: [a]\n---\n")
    assert import_with(tmp_path).conflicts == 1


def test_prune_unpublishes_posts_whose_files_are_gone_and_they_come_back(tmp_path):
    keep = write(tmp_path, "2024-01-01-keep.md", "---\ntitle: Keep\n---\n")
    gone = write(tmp_path, "2024-01-02-gone.md", "---\ntitle: Gone\n---\n")
    import_with(tmp_path)
    text = gone.read_text()
    gone.unlink()
    assert import_with(tmp_path).pruned == 0  # off by default
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == 2

    report = import_with(tmp_path, prune=True)
    assert report.pruned == 1
    assert report.messages[-1].path == "2024-01-02-gone.md"
    assert Post.objects.get(title="Gone").status == Post.Status.DRAFT
    assert Post.objects.get(title="Keep").status == Post.Status.PUBLISHED

    gone.write_text(text)
    assert import_with(tmp_path).updated == 1
    assert Post.objects.get(title="Gone").status == Post.Status.PUBLISHED
    assert keep.exists()


# --- Whole-run modes ----------------------------------------------------------------------------


def test_atomic_writes_nothing_when_any_file_fails(tmp_path):
    write(tmp_path, "2024-01-01-good.md", "---\ntitle: Good\nauthor: Ann\n---\n")
    write(tmp_path, "2024-01-02-bad.md", "---\ntitle: [Bad\n---\n")
    report = import_with(tmp_path, atomic=True)
    assert report.rolled_back
    assert "--atomic: 1 file(s) failed, so nothing was written" in report.summary()
    assert not Post.objects.exists()
    assert not Author.objects.exists()
    (tmp_path / "2024-01-02-bad.md").unlink()
    assert import_with(tmp_path, atomic=True).created == 1
    assert Post.objects.count() == 1


def test_dry_run_checks_everything_and_writes_nothing(tmp_path):
    write(tmp_path, "2024-01-01-a.md", "---\ntitle: A\ntags: [t]\n---\n")
    write(tmp_path, "2024-01-02-b.md", "---\ntitle: B\ndate: 2024-02-30\n---\n")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_posts", str(tmp_path), "--dry-run", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Dry run, nothing was written: 1 created")
    assert not Post.objects.exists()
    assert not Tag.objects.exists()


def test_summary_counts_and_json_report(tmp_path):
    write(tmp_path, "2024-01-01-a.md", "---\ntitle: A\n---\n")
    write(tmp_path, "2024-01-02-draft.md", "---\ntitle: D\npublished: false\n---\n")
    write(tmp_path, "2999-01-01-later.md", "---\ntitle: L\n---\n")
    write(tmp_path, "2024-01-03-bad.md", "---\ntitle: x\ndate: tomorrow\n---\n")
    write(tmp_path, "2024-01-04-odd.md", "---\ntitle: x\nslug: Odd Slug\n---\n")
    report_file = tmp_path / "report.json"
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_posts",
            str(tmp_path),
            "--report",
            str(report_file),
            stdout=out,
            stderr=StringIO(),
        )
    summary = out.getvalue()
    for part in [
        "4 created",
        "0 updated",
        "0 unchanged",
        "0 conflicts",
        "1 drafts",
        "1 scheduled",
        "1 warnings",
        "1 failed",
        "posts/s",
    ]:
        assert part in summary
    report = json.loads(report_file.read_text())
    assert report["summary"]["created"] == 4
    assert report["summary"]["failed"] == 1
    assert report["summary"]["elapsed_seconds"] >= 0
    assert {
        "file": "2024-01-03-bad.md",
        "line": 3,
        "column": None,
        "severity": "error",
        "text": "invalid date 'tomorrow' in front-matter key 'date'",
        "topic": "",
    } in report["messages"]
    assert any(
        m["severity"] == "warning" and m["file"] == "2024-01-04-odd.md" for m in report["messages"]
    )


class Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    write(tmp_path, "2024-01-01-a.md", "---\ntitle: A\n---\n")
    call_command("import_posts", str(tmp_path), "--force", stdout=StringIO(), stderr=StringIO())
    assert "[" not in capsys.readouterr().err

    write(tmp_path, "2024-01-02-b.md", "---\ntitle: B\n---\n")
    monkeypatch.setattr("sys.stderr", Terminal())
    call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=Terminal())
    import sys

    assert "1/1 files" in sys.stderr.getvalue()

    write(tmp_path, "2024-01-03-c.md", "---\ntitle: C\n---\n")
    monkeypatch.setattr("sys.stderr", Terminal())
    call_command("import_posts", str(tmp_path), "-v", "0", stdout=StringIO(), stderr=Terminal())
    assert sys.stderr.getvalue() == ""


def test_timezone_option_reads_naive_dates_in_that_zone_and_bad_options_exit_2(tmp_path):
    write(tmp_path, "x.md", "---\ntitle: x\ndate: 2024-03-01 09:00\n---\n")
    run_import(tmp_path, "--timezone", "America/New_York")
    assert Post.objects.get().published_at == dt.datetime(2024, 3, 1, 14, tzinfo=dt.UTC)
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, "--timezone", "Mars/Olympus")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, "--workers", "0")
    assert error.value.returncode == 2


def test_parallel_import_gives_what_a_single_process_gives(tmp_path):
    for number in range(1, 61):
        write(
            tmp_path,
            f"2024-01-{number % 28 + 1:02d}-post-{number}.md",
            f"---\ntitle: Post {number}\ntags: [t{number % 5}]\nauthor: A{number % 3}\n---\n"
            f"# Heading\n\nParagraph {number} with a footnote.[^1]\n\n[^1]: Note {number}.\n",
        )
    report = import_with(tmp_path, workers=2)
    assert report.created == 60
    assert report.failed == 0
    for post in Post.objects.all():
        stored = (post.body_html, post.excerpt_html, post.toc_html, post.word_count)
        post.render()
        assert stored == (post.body_html, post.excerpt_html, post.toc_html, post.word_count)
    assert Post.objects.filter(tags__name="t1").count() == 12
    assert Author.objects.count() == 3


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"---\ntitle: x\ntags: [a, b\n---\n",
            ":3:12: invalid YAML front matter: did not find expected ',' or ']'",
        ),
        (b"---\ntitle: x\n  bad: indent\n---\n", ":3:6: invalid YAML front matter"),
        (b"---\ntitle: 'open\n---\n", "invalid YAML front matter"),
        (b"---\n- just\n- a list\n---\n", "must be a mapping of keys to values, not a list"),
        (
            b"---\ntitle: !!python/object:os.system x\n---\n",
            ":2:8: invalid YAML front matter: the tag tag:yaml.org,2002:python/object:os.system "
            "is not allowed",
        ),
        (b"---\ntitle: [a, b]\n---\n", ":2: the title must be text, not a list"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a binary file, not a text file"),
        (b"---\ntitle: caf\xe9\n---\n", ":2: not valid UTF-8 (byte 0xe9)"),
        (b"---\ntitle: x\ndate: 2023-02-30\n---\n", ":3: invalid date '2023-02-30'"),
        (
            b'+++\ndate = 2020-01-01\n[title]\nx = "y"\n+++\n',
            ":3: the title must be text, not a mapping",
        ),
        (b"---\ntitle: x\n", "the front matter is never closed"),
    ],
)
def test_bad_files_give_a_clear_message_and_write_nothing(tmp_path, content, expected):
    (tmp_path / "2024-01-01-bad.md").write_bytes(content)
    report = import_with(tmp_path)
    [error] = report.errors
    assert f"2024-01-01-bad.md{expected}" in str(error) or expected in str(error)
    assert str(error).startswith("2024-01-01-bad.md")
    assert not Post.objects.exists()


def test_fifty_megabyte_file_is_refused_and_others_import(tmp_path):
    write(tmp_path, "2024-01-01-ok.md", "---\ntitle: ok\n---\n")
    with open(tmp_path / "2024-01-02-huge.md", "wb") as huge:
        huge.write(b"---\ntitle: huge\n---\n")
        huge.truncate(50 * 1024 * 1024)
    report = import_with(tmp_path)
    assert [str(error) for error in report.errors] == [
        "2024-01-02-huge.md: the file is 50.0 MB; a post may be at most 10 MB. Is it really a post?"
    ]
    assert list(Post.objects.values_list("title", flat=True)) == ["ok"]


def test_symlink_loop_is_reported_and_the_rest_imports(tmp_path):
    write(tmp_path, "posts/2024-01-01-ok.md", "---\ntitle: ok\n---\n")
    (tmp_path / "posts" / "loop").symlink_to(tmp_path)
    report = import_with(tmp_path)
    assert report.created == 1
    assert any("symlink loop" in message.text for message in report.messages)


def test_two_folders_with_the_same_relative_file_are_refused_not_merged(tmp_path):
    write(tmp_path, "a/2024-01-01-x.md", "---\ntitle: A\n---\n")
    write(tmp_path, "b/2024-01-01-x.md", "---\ntitle: B\n---\n")
    report = import_with(tmp_path / "a", tmp_path / "b")
    assert report.created == 1
    assert "has the same path as" in str(report.errors[0])
    assert Post.objects.get().title == "A"


def test_lenient_front_matter_through_the_command(tmp_path):
    write(tmp_path, "2024-01-01-broken-yaml.md", "---\ntitle: [oops\n---\nText.")
    out, err = run_import(tmp_path, "--lenient-front-matter")
    post = Post.objects.get()
    assert post.title == "Broken Yaml"
    assert post.front_matter_extra == {"_unparsed_front_matter": "title: [oops\n"}
    assert "warning: 2024-01-01-broken-yaml.md:2:13" in err
    assert "1 warnings" in out


# --- Real-world shapes --------------------------------------------------------------------------


def test_a_hugo_site_with_toml_bundles_aliases_and_sections(tmp_path):
    write(tmp_path, "hugo.toml", "baseURL = 'https://example.org/'\n")
    write(tmp_path, "content/_index.md", "+++\ntitle = 'Home'\n+++\n")
    write(tmp_path, "content/about.md", "+++\ntitle = 'About'\n+++\n")  # no date: a page
    write(
        tmp_path,
        "content/posts/moving/index.md",
        "+++\ntitle = 'Moving'\ndate = 2021-03-04T05:06:07Z\nlastmod = 2021-04-01T00:00:00Z\n"
        "aliases = ['/2021/03/moving.html']\ncategories = 'Site News'\ntags = ['hugo']\n"
        "summary = 'We moved.'\n+++\nLong text.\n",
    )
    write(tmp_path, "content/posts/moving/photo.md.txt", "not a post")
    write(
        tmp_path,
        "content/posts/later.md",
        "---\ntitle: Later\ndate: 2021-05-01\ndraft: true\nexpiryDate: 2022-01-01\n---\n"
        + "word " * 100
        + "\n\nSecond paragraph.\n",
    )
    report = import_with(tmp_path)
    assert report.skipped == 1  # _index.md: the home page's text
    assert report.errors == []
    about = Page.objects.get()  # no date: a page, as Hugo publishes it
    assert (about.title, about.path, report.pages) == ("About", "/about/", 1)
    moving = Post.objects.get(slug="moving")
    assert moving.get_absolute_url() == "/2021/03/04/moving/"
    assert set(moving.addresses.values_list("key", flat=True)) == {
        "/2021/03/04/moving",  # where it is served
        "/posts/moving",  # where Hugo published it
        "/2021/03/moving",  # its alias
    }
    assert moving.updated_at == dt.datetime(2021, 4, 1, tzinfo=dt.UTC)
    assert moving.aliases == ["/2021/03/moving.html"]
    assert [c.name for c in moving.categories.all()] == ["Site News"]
    assert moving.excerpt_html == "<p>We moved.</p>"
    assert moving.description == "We moved."
    assert moving.source_format == "toml"
    later = Post.objects.get(slug="later")
    assert later.status == Post.Status.DRAFT
    assert later.expires_at == dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    assert later.excerpt_words == 70
    assert later.excerpt_html.startswith("<p>word word")
    assert "Second paragraph" not in later.excerpt_html


def test_scripted_posts_with_long_keyword_lists_and_string_categories(tmp_path):
    keywords = ", ".join(f"keyword {number}" for number in range(40))
    for number in range(3):
        write(
            tmp_path,
            f"2023-06-0{number + 1}-generated-{number}.md",
            f"---\nlayout: post\ntitle: 'Generated {number}'\ncategories: news updates\n"
            f"keywords: {keywords}\nauthor:\n  name: Bot\n  url: https://bot.example\n---\nBody.\n",
        )
    assert import_with(tmp_path).created == 3
    post = Post.objects.for_listing().first()
    assert post.keywords.count() == 40
    assert [c.name for c in post.categories.all()] == ["news", "updates"]
    assert Keyword.objects.count() == 40
    assert Author.objects.get().website == "https://bot.example"


JEKYLL_FIXTURE_NOTE = "Jekyll's own test site"


def jekyll_site(shared_dir):
    site = shared_dir / "jekyll-fixtures"
    if not (site / "_posts").is_dir():
        pytest.skip(f"{site} is absent: it holds {JEKYLL_FIXTURE_NOTE}")
    return site


def post_at(source_path):
    return Post.objects.for_listing().get(source_path=source_path)


def test_jekyll_test_site_imports_as_jekyll_reads_it(shared_dir):
    site = jekyll_site(shared_dir)
    report = import_with(site)
    # Jekyll copies its two front-matter-less files as static files, not posts; here they are
    # errors that say what to do (or posts with --allow-bare).
    assert sorted(error.path for error in report.errors) == [
        "_posts/2009-06-22-no-yaml.markdown",
        "_posts/2013-08-01-mkdn-extension.mkdn",
    ]
    assert report.created == 69  # 55 posts, 14 pages
    # Pages: files with front matter outside _posts/, at the addresses Jekyll's own tests
    # (test_page.rb) expect: escaped names, permalinks, a permalink climbing out of the site,
    # dots. Their Liquid runs; one that lists what Jekyll computes (site.static_files) is a draft
    # until someone rewrites it.
    assert sorted(Page.objects.values_list("source_path", "path", "status")) == [
        ("+/%# +.md", "/+/%# +.html", "published"),
        ("+/foo.md", "/+/plus+in+url.html", "published"),
        ("about.html", "/about/", "published"),
        ("contacts/bar.html", "/contacts/bar.html", "published"),
        ("contacts/foo.md", "/contacts/foo.html", "published"),
        ("contacts/index.html", "/contacts/", "published"),
        ("deal.with.dots.html", "/deal.with.dots.html", "published"),
        ("environment.html", "/environment.html", "published"),
        ("exploit.md", "/baddie.html", "published"),
        ("info.md", "/info.html", "published"),
        ("properties.html", "/properties/", "published"),
        ("static_files.html", "/static_files.html", "draft"),
        ("trailing-dots...md", "/trailing-dots.html", "published"),
        ("unpublished.html", "/unpublished.html", "draft"),
    ]
    # /contacts.html and /contacts/ are one address here: the second is reported, not shadowed.
    assert any(
        message.path == "contacts.html" and "already the address of the page" in message.text
        for message in report.messages
    )
    skipped = {message.path for message in report.messages if message.severity == "info"}
    assert "_posts/2008-02-03-wrong-extension.yml" in skipped
    assert "_posts/2013-03-19-not-a-post/dubious.markdown" in skipped

    def categories(path):
        return [category.name for category in post_at(path).shown_categories]

    def tags(path):
        return sorted(post_at(path).tags.names())

    assert categories("_posts/2009-01-27-categories.markdown") == ["foo", "bar", "baz"]
    assert categories("_posts/2009-01-27-array-categories.markdown") == ["foo", "bar", "baz"]
    assert categories("_posts/2009-01-27-category.markdown") == ["foo"]
    assert categories("_posts/2009-01-27-empty-categories.markdown") == []
    assert categories("_posts/2013-05-10-number-category.markdown") == ["2013"]
    assert categories("category/_posts/2008-09-23-categories.markdown") == ["category"]
    assert categories("foo/_posts/bar/2008-12-12-topical-post.markdown") == ["foo"]
    assert categories("_posts/es/2008-11-21-nested.markdown") == []
    assert tags("_posts/2009-05-18-tags.markdown") == ["cooking", "food", "pizza"]
    assert tags("_posts/2009-05-18-tag.markdown") == ["code"]
    assert tags("_posts/2009-05-18-empty-tag.markdown") == []
    assert tags("win/_posts/2009-05-24-yaml-linebreak.markdown") == ["Ruby"]

    assert post_at("_posts/2008-02-02-not-published.markdown").status == Post.Status.DRAFT
    assert post_at("_posts/2008-02-02-published.markdown").status == Post.Status.PUBLISHED
    assert post_at("_posts/2010-01-09-date-override.markdown").published_at == dt.datetime(
        2010, 1, 10, tzinfo=dt.UTC
    )
    assert post_at("_posts/2010-01-09-time-override.markdown").published_at == dt.datetime(
        2010, 1, 10, 13, 7, 9, tzinfo=dt.UTC
    )
    assert post_at("_posts/2010-01-09-timezone-override.markdown").published_at == dt.datetime(
        2010, 1, 10, 13, 7, 9, tzinfo=dt.UTC
    )
    zeroes = post_at("_posts/2017-2-5-i-dont-like-zeroes.md")
    assert zeroes.get_absolute_url() == "/2017/02/05/i-dont-like-zeroes/"
    assert post_at("_posts/2010-01-08-triple-dash.markdown").title == "Foo --- Bar"
    assert post_at("_posts/2014-03-03-yaml-with-dots.md").title == (
        "Test Post Where YAML Ends in Dots"
    )
    assert post_at("_posts/2008-10-18-foo-bar.markdown").title == "Foo Bar"
    assert post_at("_posts/2015-12-27-extra-spaces.markdown").front_matter_extra == {
        "extra": "spaces"
    }
    assert post_at("_posts/2008-12-03-permalinked-post.markdown").permalink == (
        "my_category/permalinked-post"
    )
    # A permalink that tries to climb out of the site is kept as data, never used as an address.
    traversal = post_at("_posts/2014-01-06-permalink-traversal.md")
    assert traversal.get_absolute_url() == "/2014/01/06/permalink-traversal/"
    assert post_at("_posts/2014-03-22-escape-+ %20[].markdown").slug == "escape-20"

    # Excerpts (test_excerpt.rb): the custom excerpt, the per-post separator, the first paragraph.
    assert post_at("_posts/2013-04-11-custom-excerpt.markdown").excerpt_html == (
        "<p>I can set a custom excerpt</p>"
    )
    separated = post_at("_posts/2015-01-08-post-excerpt-separator.markdown").excerpt_html
    assert "First paragraph with" in separated
    assert "Second paragraph" in separated
    assert "Third paragraph" not in separated
    first = post_at("_posts/2013-01-02-post-excerpt.markdown").excerpt_html
    assert first.startswith("<p>First paragraph with <a href=")
    assert "Second paragraph" not in first


def test_jekyll_drafts_import_only_with_the_drafts_flag(tmp_path):
    draft = tmp_path / "_drafts" / "draft-idea.md"
    draft.parent.mkdir()
    draft.write_text("---\ntitle: Idea\ncategories: foo bar\n---\nSoon.\n")
    saved = dt.datetime(2024, 6, 1, 12, 30, tzinfo=dt.UTC)
    os.utime(draft, (saved.timestamp(), saved.timestamp()))
    assert import_with(tmp_path).created == 0
    report = import_with(tmp_path, drafts=True)
    assert report.drafts == 1
    post = Post.objects.for_listing().get()
    assert post.status == Post.Status.DRAFT
    assert post.published_at == saved  # Jekyll dates a draft by its file's modification time
    assert [category.name for category in post.shown_categories] == ["foo", "bar"]


def test_jekyll_broken_post_gives_a_clear_error(shared_dir):
    bad = jekyll_site(shared_dir) / "_broken" / "bad_post.md"
    report = import_with(bad)
    [error] = report.errors
    assert str(error) == (
        "bad_post.md:2:12: invalid YAML front matter: did not find expected node content (the "
        "front matter ends before a value is complete: is a bracket or quote left open?)\n"
        "    bad yaml: ["
    )
    assert not Post.objects.exists()


def test_an_unexpected_error_while_loading_stops_the_worker_pool_instead_of_hanging(
    tmp_path, monkeypatch
):
    """More files than the pool may hold in flight: its feeder must not wait forever."""
    import threading

    for number in range(600):
        write(tmp_path, f"2024-01-01-p{number}.md", f"---\ntitle: P{number}\n---\nText.")

    def crash(self, items):
        raise RuntimeError("simulated crash while writing")

    monkeypatch.setattr(loading.PostLoader, "load", crash)
    outcome = []

    def run():
        try:
            import_with(tmp_path, workers=2)
        except RuntimeError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the import hung after the error"
    assert outcome == ["simulated crash while writing"]


def test_a_file_that_changes_its_slug_keeps_the_old_address_alive(tmp_path, client):
    path = write(tmp_path, "2024-01-01-x.md", "---\ntitle: X\nslug: first-name\n---\n")
    import_with(tmp_path)
    old_url = Post.objects.get().get_absolute_url()
    path.write_text("---\ntitle: X\nslug: second-name\n---\n")
    import_with(tmp_path)
    post = Post.objects.get()
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())


def test_old_addresses_are_kept_when_a_file_drops_an_alias(tmp_path, client):
    path = write(tmp_path, "2024-01-01-x.md", "---\ntitle: X\naliases: [/gone/]\n---\n")
    import_with(tmp_path)
    path.write_text("---\ntitle: X\n---\nChanged.")
    import_with(tmp_path)
    assert client.get("/gone/").status_code == 301


@pytest.mark.django_db
def test_a_large_import_refreshes_the_planners_statistics(tmp_path, monkeypatch):
    """Without it, PostgreSQL plans searches on thousands of new posts as if the table were
    empty until autovacuum runs."""
    import blog.importing

    calls = []
    monkeypatch.setattr(blog.importing, "STATISTICS_AFTER", 3)
    monkeypatch.setattr(blog.importing, "refresh_planner_statistics", lambda: calls.append(1))
    for number in range(2):
        (tmp_path / f"2024-01-0{number + 1}-a{number}.md").write_text("---\ntitle: A\n---\nx")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    assert calls == []
    for number in range(2, 5):
        (tmp_path / f"2024-01-0{number + 1}-a{number}.md").write_text("---\ntitle: A\n---\nx")
    import_paths([str(tmp_path)], options=ImportOptions(tz=dt.UTC))
    assert calls == [1]


@pytest.mark.django_db
def test_refreshing_the_planners_statistics_runs_on_this_database():
    from blog.loading import refresh_planner_statistics

    refresh_planner_statistics()


def test_a_site_whose_configuration_does_not_parse_imports_nothing(tmp_path, capsys):
    write(tmp_path, "_config.yml", "permalink: [unclosed\n")
    write(tmp_path, "_posts/2024-01-01-a.md", "---\ntitle: A\n---\n")
    with pytest.raises(CommandError) as stopped:
        call_command("import_posts", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert stopped.value.returncode == 1
    assert not Post.objects.exists()
    report = import_with(tmp_path)
    assert report.summary().startswith(
        "The site's configuration does not parse: nothing was imported.\n0 created"
    )
    assert [message.path for message in report.errors] == ["_config.yml"]


def test_the_import_says_what_the_site_configuration_said(tmp_path):
    write(tmp_path, "_config.yml", "permalink: /:year/:title.html\n")
    write(tmp_path, "_posts/2024-01-01-a.md", "---\ntitle: A\n---\n")
    out = StringIO()
    call_command("import_posts", str(tmp_path), "--keep-addresses", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        "Jekyll site: permalink /:year/:title.html",
        "Addresses: kept as the old site published them; new posts get /:year/:title.html",
    ]
    assert Post.objects.get().path == "/2024/a.html"


def test_translations_get_the_folder_that_tells_them_apart(tmp_path):
    for language in ("de", "en", "fr"):
        write(
            tmp_path,
            f"{language}/_posts/news/2024-02-01-hello.md",
            f"---\ntitle: {language}\n---\n",
        )
    report = import_with(tmp_path)
    assert report.errors == []
    assert sorted(Post.objects.values_list("title", "slug")) == [
        ("de", "hello"),
        ("en", "hello-en"),
        ("fr", "hello-fr"),
    ]
    # The same files into an empty site give the same slugs again.
    Post.objects.all().delete()
    import_with(tmp_path)
    assert sorted(Post.objects.values_list("title", "slug")) == [
        ("de", "hello"),
        ("en", "hello-en"),
        ("fr", "hello-fr"),
    ]


def test_two_files_the_old_site_published_at_one_address_are_reported(tmp_path):
    write(tmp_path, "_config.yml", "title: x\n")
    write(tmp_path, "_posts/2024-01-01-a.md", "---\ntitle: A\npermalink: /same/\n---\n")
    write(tmp_path, "_posts/2024-01-02-b.md", "---\ntitle: B\npermalink: /same/\n---\n")
    report = import_with(tmp_path)
    assert [message.text for message in report.messages if message.severity == "warning"] == [
        "the old site published this file and _posts/2024-01-01-a.md at the same address "
        "/same/; it leads to _posts/2024-01-01-a.md"
    ]


def test_a_page_edited_on_the_site_is_not_overwritten_by_the_next_import(tmp_path):
    write(tmp_path, "_config.yml", "title: x\n")
    about = write(tmp_path, "about.md", "---\ntitle: About\n---\nFrom the file.\n")
    import_with(tmp_path)
    page = Page.objects.get()
    assert page.revisions.get().source == "import"
    page.body = "Edited on the site."
    page.save()
    about.write_text("---\ntitle: About\n---\nThe file changed too.\n")
    report = import_with(tmp_path)
    assert report.conflicts == 1
    page.refresh_from_db()
    assert page.body == "Edited on the site."
    report = import_with(tmp_path, force=True)
    page.refresh_from_db()
    assert page.body == "The file changed too.\n"


def test_authors_tags_and_categories_keep_the_spelling_each_post_gave_them(tmp_path, client):
    write(
        tmp_path,
        "2024-01-01-a.md",
        "---\ntitle: A\ntags: [Technology]\ncategories: [Cloud Computing]\nauthor: Ada Lee\n---\n",
    )
    write(
        tmp_path,
        "2024-01-02-b.md",
        "---\ntitle: B\ntags: [technology]\ncategories: [cloud computing]\nauthor: ada lee\n---\n",
    )
    import_with(tmp_path)
    a, b = (Post.objects.for_listing().get(title=title) for title in ("A", "B"))
    assert [tag.name for tag in a.shown_tags] == ["Technology"]
    assert [tag.name for tag in b.shown_tags] == ["technology"]
    assert [category.name for category in b.shown_categories] == ["cloud computing"]
    assert [author.name for author in a.shown_authors] == ["Ada Lee"]
    assert [author.name for author in b.shown_authors] == ["ada lee"]
    # One tag, one category, one page each: as a generator's taxonomy pages would have it.
    assert Tag.objects.count() == Category.objects.count() == 1
    html = client.get(b.get_absolute_url()).content.decode()
    assert ">#technology</a>" in html
    assert ">cloud computing</a>" in html


def test_importing_a_site_again_keeping_its_addresses_changes_nothing(tmp_path, client):
    from blog.models import Address

    write(tmp_path, "_config.yml", "permalink: /blog/:title/\n")
    write(tmp_path, "_posts/2024-01-01-a.md", "---\ntitle: A\nredirect_from: [/old-a/]\n---\n")
    write(tmp_path, "about.md", "---\ntitle: About\n---\nMe.\n")
    first = import_with(tmp_path, keep_addresses=True)
    addresses = sorted(Address.objects.values_list("key", "is_current"))
    again = import_with(tmp_path, keep_addresses=True)
    assert (first.created, again.unchanged, again.created, again.updated) == (2, 2, 0, 0)
    assert sorted(Address.objects.values_list("key", "is_current")) == addresses
    assert client.get("/blog/a/").status_code == 200
    assert client.get("/old-a/")["Location"] == "/blog/a/"


def test_told_which_files_changed_an_import_reads_only_those(tmp_path, monkeypatch):
    """--watch passes the files the operating system said changed; the others are not read.
    A change it cannot place among the files (a deleted file) makes it read them all."""
    first, second = tmp_path / "2024-01-01-first.md", tmp_path / "2024-01-02-second.md"
    first.write_text("---\ntitle: First\n---\nOne.\n")
    second.write_text("---\ntitle: Second\n---\nTwo.\n")
    options = ImportOptions(tz=dt.UTC)
    import_paths([str(tmp_path)], options=options)
    first.write_text("---\ntitle: First\n---\nOne, edited.\n")
    second.write_text("---\ntitle: Second\n---\nTwo, edited.\n")

    report = import_paths([str(tmp_path)], options=options, changed={str(first)})
    assert (report.updated, report.unchanged) == (1, 1)
    assert Post.objects.get(title="First").body.strip() == "One, edited."
    assert Post.objects.get(title="Second").body.strip() == "Two."

    report = import_paths([str(tmp_path)], options=options, changed={str(tmp_path / "gone.md")})
    assert (report.updated, report.unchanged) == (1, 1)
    assert Post.objects.get(title="Second").body.strip() == "Two, edited."

    # A file it cannot place among the folder's (reached another way, say): every file is read.
    first.write_text("---\ntitle: First\n---\nOne, once more.\n")
    second.write_text("---\ntitle: Second\n---\nTwo, once more.\n")
    elsewhere = tmp_path.parent / "elsewhere.md"
    elsewhere.write_text("---\ntitle: Elsewhere\n---\n")
    report = import_paths([str(tmp_path)], options=options, changed={str(first), str(elsewhere)})
    assert (report.updated, report.unchanged) == (2, 0)

    # Relative to the working folder, as a folder given on the command line often is.
    first.write_text("---\ntitle: First\n---\nOne, again.\n")
    second.write_text("---\ntitle: Second\n---\nTwo, again.\n")  # not told: not read
    monkeypatch.chdir(tmp_path.parent)
    report = import_paths([tmp_path.name], options=options, changed={str(first)})
    assert (report.updated, report.unchanged) == (1, 1)
