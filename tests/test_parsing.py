"""Front-matter files → plain data, without a database."""

import datetime as dt
import zoneinfo

import pytest

from blog.parsing import AuthorRef, ParseError, find_post_files, parse_post

UTC = dt.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def parse(text, name="2025-05-13-some-post.md", tz=UTC):
    return parse_post(text.encode(), source_path=name, tz=tz)


def test_seed_shape(shared_dir):
    path = shared_dir / "corpus" / "2025-05-13-generative-ai-personalized-medicine.md"
    post = parse_post(path.read_bytes(), source_path=path.name, tz=UTC)
    assert post.title == (
        "Generative AI's Impact on Personalized Medicine: A Glimpse into the Future"
    )
    assert post.slug == "generative-ai-personalized-medicine"
    assert post.published_at == dt.datetime(2025, 5, 13, tzinfo=UTC)
    assert post.layout == "default"
    assert post.categories == ["blog"]
    assert post.authors == [AuthorRef(name="rkoots Bot")]
    assert len(post.tags) == 8
    assert post.tags[0] == "Generative AI"
    assert len(post.keywords) == 10
    assert "precision medicine" in post.keywords
    assert post.body.lstrip().startswith("## Generative AI Revolutionizes")
    assert len(post.source_hash) == 64


def test_date_and_slug_come_from_the_file_name():
    post = parse("---\ntitle: Hi\n---\nBody", name="2024-02-29-leap-day.md", tz=BERLIN)
    assert post.slug == "leap-day"
    assert post.published_at == dt.datetime(2024, 2, 29, tzinfo=BERLIN)


def test_front_matter_date_and_slug_win_over_the_file_name():
    post = parse("---\ntitle: Hi\ndate: 2023-01-02 03:04:05\nslug: chosen\n---\n")
    assert post.slug == "chosen"
    assert post.published_at == dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-05-13", dt.datetime(2025, 5, 13, tzinfo=BERLIN)),
        ("2025-05-13 10:20", dt.datetime(2025, 5, 13, 10, 20, tzinfo=BERLIN)),
        ("'2025-05-13 10:20:00 +0200'", dt.datetime(2025, 5, 13, 8, 20, tzinfo=UTC)),
        ("2025-05-13T10:20:00Z", dt.datetime(2025, 5, 13, 10, 20, tzinfo=UTC)),
        ("2025-05-13T10:20:00-07:00", dt.datetime(2025, 5, 13, 17, 20, tzinfo=UTC)),
        ("'2025-5-3'", dt.datetime(2025, 5, 3, tzinfo=BERLIN)),
    ],
)
def test_date_forms(written, expected):
    post = parse(f"---\ntitle: x\ndate: {written}\n---\n", tz=BERLIN)
    assert post.published_at == expected


def test_categories_and_tags_as_strings_split_on_spaces_like_jekyll():
    post = parse("---\ntitle: x\ncategories: blog news\ntags: one two\n---\n")
    assert post.categories == ["blog", "news"]
    assert post.tags == ["one", "two"]


def test_singular_keys_and_duplicates():
    post = parse("---\ntitle: x\ncategory: Blog\ncategories: [blog, Data]\ntag: a\n---\n")
    assert post.categories == ["blog", "Data"]  # the plural key first, then the singular
    assert post.tags == ["a"]


def test_keywords_as_comma_separated_string():
    post = parse("---\ntitle: x\nkeywords: machine learning, AI ,  data\n---\n")
    assert post.keywords == ["machine learning", "AI", "data"]


def test_authors_as_string_list_and_mapping():
    post = parse(
        "---\ntitle: x\nauthor: Ann\nauthors:\n  - Bob\n"
        "  - {name: Cy, url: 'https://cy.example', email: cy@example.org}\n---\n"
    )
    assert post.authors == [
        AuthorRef("Ann"),
        AuthorRef("Bob"),
        AuthorRef("Cy", website="https://cy.example", email="cy@example.org"),
    ]


def test_published_false_is_a_draft():
    assert parse("---\ntitle: x\npublished: false\n---\n").published is False
    assert parse("---\ntitle: x\n---\n").published is True


def test_numbers_and_booleans_as_titles_become_text():
    assert parse("---\ntitle: 1984\n---\n").title == "1984"
    assert parse("---\ntitle: yes\n---\n").title == "true"


def test_title_defaults_to_the_slug_titleized_like_jekyll():
    assert (
        parse("---\nlayout: post\n---\n", name="2020-01-01-hello-world.md").title == "Hello World"
    )


def test_unknown_keys_are_kept_with_their_nesting():
    post = parse(
        "---\ntitle: x\ncomments: true\nheader:\n  image: /a.png\n  sizes: [1, 2]\n"
        "when: 2024-01-01\n---\n"
    )
    assert post.extra == {
        "comments": True,
        "header": {"image": "/a.png", "sizes": [1, 2]},
        "when": "2024-01-01",
    }


def test_body_keeps_horizontal_rules_and_windows_line_endings_are_normalised():
    post = parse("---\r\ntitle: x\r\n---\r\nOne\r\n\r\n---\r\n\r\nTwo\r\n")
    assert post.body == "One\n\n---\n\nTwo\n"


def test_utf8_byte_order_mark_is_ignored():
    post = parse_post(
        b"\xef\xbb\xbf---\ntitle: x\n---\nbody", source_path="2020-01-01-a.md", tz=UTC
    )
    assert post.title == "x"


def test_invalid_yaml_names_line_and_column():
    with pytest.raises(ParseError) as error:
        parse("---\ntitle: x\ntags: [a, b\n---\nbody", name="_posts/2024-01-01-x.md")
    message = str(error.value)
    assert message.startswith("_posts/2024-01-01-x.md:")
    assert "invalid YAML front matter" in message
    assert error.value.line is not None
    assert error.value.column is not None


def test_python_object_tags_are_refused():
    with pytest.raises(ParseError, match="invalid YAML"):
        parse("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n")


def test_invalid_date_names_the_key_and_line():
    with pytest.raises(ParseError) as error:
        parse("---\ntitle: x\ndate: tomorrow\n---\n", name="a.md")
    assert str(error.value).startswith("a.md:3: invalid date 'tomorrow' in front-matter key 'date'")
    assert "date: tomorrow" in str(error.value)


def test_impossible_date_is_an_error():
    with pytest.raises(ParseError, match="invalid date '2023-02-30'"):
        parse("---\ntitle: x\ndate: '2023-02-30'\n---\n")


def test_title_that_is_a_list_is_an_error():
    with pytest.raises(ParseError, match="the title must be text, not a list"):
        parse("---\ntitle: [a, b]\n---\n")


def test_missing_front_matter_is_an_error():
    with pytest.raises(ParseError, match="no front matter"):
        parse("# Just markdown\n")


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(ParseError, match="never closed"):
        parse("---\ntitle: x\n\nbody")


def test_front_matter_that_is_not_a_mapping_is_an_error():
    with pytest.raises(ParseError, match="mapping"):
        parse("---\n- a\n- b\n---\n")


def test_no_date_anywhere_is_an_error():
    with pytest.raises(ParseError, match="no date"):
        parse("---\ntitle: x\n---\n", name="undated.md")


def test_binary_file_is_an_error():
    with pytest.raises(ParseError, match="binary"):
        parse_post(b"\x89PNG\r\n\x1a\n\x00\x00", source_path="a.md", tz=UTC)


def test_latin1_file_is_an_error_naming_the_line():
    with pytest.raises(ParseError) as error:
        parse_post("---\ntitle: café\n---\n".encode("latin-1"), source_path="a.md", tz=UTC)
    assert error.value.line == 2
    assert "UTF-8" in str(error.value)


def test_find_post_files_walks_folders_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ["b/2.md", "a.markdown", "c.txt", "b/1.mkd"]:
        (tmp_path / name).write_text("x")
    found = [file.source_path for file in find_post_files(tmp_path).files]
    assert found == ["a.markdown", "b/1.mkd", "b/2.md"]


# --- TOML, JSON, bare and broken front matter ---------------------------------------------------


def test_toml_front_matter_with_hugo_keys():
    post = parse(
        "+++\n"
        'title = "Moving to Hugo"\n'
        "date = 2021-03-04T05:06:07+01:00\n"
        "lastmod = 2022-01-01\n"
        'aliases = ["/old/moving/", "/2021/moving.html"]\n'
        'categories = ["Site News"]\n'
        'tags = ["hugo", "static sites"]\n'
        "draft = true\n"
        "[params]\n"
        'cover = "x.png"\n'
        "+++\n"
        "Body text.\n",
        name="posts/moving-to-hugo.md",
    )
    assert post.front_matter_format == "toml"
    assert post.generator == "hugo"
    assert post.title == "Moving to Hugo"
    assert post.slug == "moving-to-hugo"
    assert post.published_at == dt.datetime(2021, 3, 4, 4, 6, 7, tzinfo=UTC)
    assert post.updated_at == dt.datetime(2022, 1, 1, tzinfo=UTC)
    assert post.aliases == ["/old/moving/", "/2021/moving.html"]
    assert post.categories == ["Site News"]
    assert post.tags == ["hugo", "static sites"]
    assert post.published is False
    assert post.extra == {"params": {"cover": "x.png"}}
    assert post.body == "Body text.\n"


def test_json_front_matter():
    post = parse(
        '{\n  "title": "JSON post",\n  "date": "2020-02-02",\n  "tags": ["a"],\n'
        '  "weight": 3\n}\n\nThe body.\n',
        name="posts/json-post.md",
    )
    assert post.front_matter_format == "json"
    assert post.title == "JSON post"
    assert post.published_at == dt.datetime(2020, 2, 2, tzinfo=UTC)
    assert post.tags == ["a"]
    assert post.extra == {"weight": 3}
    assert post.body == "\nThe body.\n"


def test_invalid_toml_names_line_and_column():
    with pytest.raises(ParseError) as error:
        parse('+++\ntitle = "ok"\ndate = tomorrow\n+++\n')
    assert error.value.line == 3
    assert error.value.column == 8
    assert str(error.value).startswith("2025-05-13-some-post.md:3:8: invalid TOML front matter")
    assert "date = tomorrow" in str(error.value)


def test_toml_table_where_a_string_belongs():
    with pytest.raises(ParseError) as error:
        parse('+++\ndate = 2020-01-01\n[title]\nmain = "x"\n+++\n')
    assert str(error.value).startswith(
        "2025-05-13-some-post.md:3: the title must be text, not a mapping in front-matter key "
        "'title'"
    )


def test_invalid_json_names_line_and_column():
    with pytest.raises(ParseError) as error:
        parse('{\n  "title": "x",\n  "date": 2020-01-01\n}\n')
    assert (error.value.line, error.value.column) == (3, 15)
    assert "invalid JSON front matter" in str(error.value)


def test_yaml_front_matter_may_end_with_three_dots():
    post = parse("---\ntitle: Dots\n...\n\n# Test\n")
    assert post.title == "Dots"
    assert post.body == "\n# Test\n"


def test_empty_front_matter_and_front_matter_only():
    assert parse("---\n---\nEmpty YAML.").body == "Empty YAML."
    assert parse("---\ntitle: Only\n---").body == ""
    assert parse("---\ntitle: Only\n---\n").body == ""


def test_bare_file_needs_allow_bare_and_takes_its_title_from_the_first_heading():
    data = b"\n# A heading title\n\nText.\n"
    with pytest.raises(ParseError, match="no front matter"):
        parse_post(data, source_path="2020-01-01-bare.md", tz=UTC)
    post = parse_post(data, source_path="2020-01-01-bare.md", tz=UTC, allow_bare=True)
    assert post.title == "A heading title"
    assert post.body == "Text.\n"
    assert post.front_matter_format == ""
    nameless = parse_post(
        b"Just text.", source_path="2020-01-01-plain-note.md", tz=UTC, allow_bare=True
    )
    assert nameless.title == "Plain Note"


def test_lenient_front_matter_imports_from_the_file_name_and_keeps_the_text():
    data = b"---\nbad yaml: [\n---\nReal content starts here\n"
    with pytest.raises(ParseError):
        parse_post(data, source_path="2020-01-01-bad-post.md", tz=UTC)
    post = parse_post(data, source_path="2020-01-01-bad-post.md", tz=UTC, lenient=True)
    assert post.title == "Bad Post"
    assert post.published_at == dt.datetime(2020, 1, 1, tzinfo=UTC)
    assert post.body == "Real content starts here\n"
    assert post.extra == {"_unparsed_front_matter": "bad yaml: [\n"}
    [warning] = post.warnings
    assert warning.severity == "warning"
    assert (warning.line, warning.column) == (2, 12)
    assert "--lenient-front-matter" in warning.text


# --- Hugo conventions ---------------------------------------------------------------------------


def test_hugo_keys_are_case_insensitive_and_dates_fall_back():
    post = parse(
        "---\nTitle: Cased\nPublishDate: 2019-05-06\nExpiryDate: 2030-01-01\nDraft: false\n---\n",
        name="content/posts/cased.md",
    )
    assert post.title == "Cased"
    assert post.published_at == dt.datetime(2019, 5, 6, tzinfo=UTC)
    assert post.expires_at == dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert post.published is True
    assert post.extra == {}


@pytest.mark.parametrize("key", ["publishDate", "pubdate", "published", "lastmod"])
def test_hugo_date_fallbacks(key):
    post = parse(f"---\ntitle: x\n{key}: 2018-07-08\n---\n", name="content/x.md")
    assert post.published_at == dt.datetime(2018, 7, 8, tzinfo=UTC)


def test_unpublishdate_is_the_expiry_date():
    post = parse("---\ntitle: x\ndate: 2018-01-01\nunpublishdate: 2019-01-01\n---\n")
    assert post.expires_at == dt.datetime(2019, 1, 1, tzinfo=UTC)


def test_hugo_taxonomy_string_is_one_term_but_jekyll_splits_it():
    hugo = parse('+++\ndate = 2020-01-01\ncategories = "Site News"\ntags = "web dev"\n+++\n')
    assert hugo.categories == ["Site News"]
    assert hugo.tags == ["web dev"]
    jekyll = parse("---\ncategories: Site News\ntags: web dev\n---\n")
    assert jekyll.categories == ["Site", "News"]
    assert jekyll.tags == ["web", "dev"]


def test_page_bundle_takes_its_slug_from_the_folder():
    post = parse("---\ntitle: Bundle\ndate: 2020-01-01\n---\n", name="posts/my-trip/index.md")
    assert post.slug == "my-trip"
    assert post.generator == "hugo"


def test_hugo_summary_is_the_excerpt_and_description_and_hugo_cuts_at_seventy_words():
    post = parse("+++\ndate = 2020-01-01\nsummary = 'Short.'\n+++\n")
    assert post.excerpt == "Short."
    assert post.description == "Short."
    assert post.excerpt_words == 70
    assert parse("---\ntitle: x\n---\n").excerpt_words == 0


def test_images_and_permalink_are_kept_for_social_cards_and_redirects():
    post = parse(
        "---\ntitle: x\nimage: {path: /img/cover.png, alt: Cover}\n"
        "images: [/img/cover.png, /img/2.png]\npermalink: /blog/x.html\n"
        "redirect_from: [/old-x/]\n---\n"
    )
    assert post.images == ["/img/cover.png", "/img/2.png"]
    assert post.permalink == "/blog/x.html"
    assert post.aliases == ["/old-x/"]
    assert post.extra == {}


# --- Jekyll details -----------------------------------------------------------------------------


def test_dates_in_file_names_need_no_zero_padding():
    post = parse("---\ntitle: x\n---\n", name="2017-2-5-i-dont-like-zeroes.md")
    assert post.published_at == dt.datetime(2017, 2, 5, tzinfo=UTC)
    assert post.slug == "i-dont-like-zeroes"


def test_folders_above_posts_are_categories_like_jekyll():
    assert parse("---\n---\n", name="foo/_posts/bar/2008-12-12-topical.md").categories == ["foo"]
    assert parse("---\n---\n", name="_posts/es/2008-11-21-nested.md").categories == []
    post = parse("---\ncategories: [b]\n---\n", name="a/_posts/2008-01-01-x.md")
    assert post.categories == ["a", "b"]


def test_a_post_in_drafts_is_a_draft_dated_by_its_file():
    mtime = dt.datetime(2024, 6, 1, 12, tzinfo=UTC)
    post = parse_post(
        b"---\ntitle: Draft\n---\n", source_path="_drafts/idea.md", tz=UTC, fallback_date=mtime
    )
    assert post.published is False
    assert post.published_at == mtime


def test_impossible_date_names_the_key_and_line():
    with pytest.raises(ParseError) as error:
        parse("---\ntitle: x\ndate: 2023-02-30\n---\n")
    assert str(error.value).startswith(
        "2025-05-13-some-post.md:3: invalid date '2023-02-30' in front-matter key 'date'"
    )


def test_slug_with_odd_characters_is_cleaned_with_a_warning():
    post = parse("---\ntitle: x\nslug: Hello World!\n---\n")
    assert post.slug == "hello-world"
    [warning] = post.warnings
    assert warning.line == 3
    assert "not usable in an address" in warning.text


def test_very_long_title_is_an_error():
    with pytest.raises(ParseError, match="at most 300"):
        parse("---\ntitle: " + "word " * 100 + "\n---\n")


def test_files_over_the_size_limit_are_refused_before_parsing():
    with pytest.raises(ParseError, match=r"50\.0 MB"):
        parse_post(b"x" * (50 * 1024 * 1024), source_path="big.md", tz=UTC)


def test_yaml_special_floats_are_kept_as_text():
    assert parse("---\ntitle: x\nratio: .nan\n---\n").extra == {"ratio": "nan"}


# --- Finding post files -------------------------------------------------------------------------


def make_files(root, names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\ntitle: x\n---\n")


def test_a_jekyll_site_is_read_as_jekyll_reads_it(tmp_path):
    make_files(
        tmp_path,
        [
            "_posts/2020-01-01-a.md",
            "_posts/not-dated.md",
            "_posts/2020-01-02-b.html",
            "_drafts/idea.md",
            "about.md",
            "blog/_posts/2020-01-03-c.markdown",
            ".git/x.md",
            "_includes/part.md",
            "notes.md",
        ],
    )
    (tmp_path / "notes.md").write_text("No front matter: Jekyll copies it as a static file.\n")
    found = find_post_files(tmp_path)
    assert [(file.source_path, file.role) for file in found.files] == [
        ("_posts/2020-01-01-a.md", "post"),
        ("about.md", "page"),
        ("blog/_posts/2020-01-03-c.markdown", "post"),
    ]
    texts = [message.text for message in found.messages]
    assert any("add --drafts" in text for text in texts)
    assert any("1 markdown file(s) without front matter" in text for text in texts)
    assert any("named YYYY-MM-DD-title.md" in text for text in texts)
    assert any("not a markdown extension" in text for text in texts)
    with_drafts = find_post_files(tmp_path, drafts=True)
    assert "_drafts/idea.md" in [file.source_path for file in with_drafts.files]


def test_a_hugo_site_is_read_from_content(tmp_path):
    (tmp_path / "hugo.toml").write_text("title = 'x'\n")
    make_files(
        tmp_path,
        [
            "content/_index.md",
            "content/about.md",
            "content/posts/a.md",
            "content/posts/trip/index.md",
            "content/notes/n.md",
            "README.md",
        ],
    )
    found = find_post_files(tmp_path)
    assert [(file.source_path, file.role) for file in found.files] == [
        ("content/_index.md", "section"),
        ("content/about.md", "page"),
        ("content/notes/n.md", "page"),  # not the main section (the one with most pages)
        ("content/posts/a.md", "post"),
        ("content/posts/trip/index.md", "post"),
    ]
    assert found.site.main_sections == ["posts"]


def test_symlink_loops_are_reported_and_not_followed(tmp_path):
    make_files(tmp_path, ["posts/2020-01-01-a.md"])
    (tmp_path / "posts" / "again").symlink_to(tmp_path / "posts")
    (tmp_path / "posts" / "2020-01-02-gone.md").symlink_to(tmp_path / "missing.md")
    found = find_post_files(tmp_path)
    assert [file.source_path for file in found.files] == ["posts/2020-01-01-a.md"]
    broken, loop = sorted(found.messages, key=lambda message: message.path)
    assert loop.path == "posts/again"
    assert "symlink loop" in loop.text
    assert broken.path == "posts/2020-01-02-gone.md"
    assert "broken symbolic link" in broken.text


# --- Old addresses --------------------------------------------------------------------------------


def test_old_urls_of_a_jekyll_post_include_its_default_address():
    post = parse(
        "---\ntitle: x\ncategories: [Web Dev, Notes]\npermalink: blog/x.html\n"
        "redirect_from: [/old-x/, 'https://example.org/older/?a=1']\n---\n",
        name="_posts/2019-05-01-hello-world.md",
    )
    assert post.addresses == [
        "/blog/x.html",
        "/web-dev/notes/2019/05/01/hello-world.html",
        "/old-x/",
        "/older/",
    ]


def test_old_urls_of_a_hugo_post_are_its_section_and_aliases():
    post = parse(
        "+++\ntitle = 'x'\ndate = 2020-01-01\naliases = ['/2020/01/old.html']\n+++\n",
        name="content/posts/trip/index.md",
    )
    assert post.addresses == ["/posts/trip/", "/2020/01/old.html"]


def test_permalink_placeholders_are_filled_or_dropped():
    filled = parse("---\ntitle: x\npermalink: /:year/:month/:title/\n---\n")
    assert filled.addresses[0] == "/2025/05/some-post/"
    unknown = parse("---\ntitle: x\npermalink: /:unknown/\n---\n")
    assert unknown.addresses == ["/2025/05/13/some-post.html"]


def test_a_jekyll_date_without_a_year_takes_the_current_one_with_a_warning():
    """Jekyll reads "July 6" as July 6 of the year it builds in (tests/test_generators.py)."""
    parsed = parse_post(
        b"---\ntitle: T\ndate: July 6\n---\nText.",
        source_path="_posts/2020-01-01-t.md",
        tz=dt.UTC,
    )
    assert (parsed.published_at.month, parsed.published_at.day) == (7, 6)
    assert parsed.published_at.year == dt.datetime.now(dt.UTC).year
    (warning,) = parsed.warnings
    assert warning.line == 3
    assert "has no year" in warning.text


def test_hugo_files_keep_their_strict_dates():
    """Only Jekyll reads dates leniently; Hugo's rules are checked against Hugo separately."""
    with pytest.raises(ParseError, match="invalid date"):
        parse_post(
            b"+++\ntitle = 'T'\ndate = 'July 6, 2021'\n+++\nText.",
            source_path="content/posts/t.md",
            tz=dt.UTC,
        )


# --- Site configuration ---------------------------------------------------------------------------


def write_site(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_jekyll_config_is_read_and_said_aloud(tmp_path):
    from blog.parsing.sites import read_site

    write_site(
        tmp_path,
        {
            "_config.yml": "permalink: pretty\ntimezone: Mars/Olympus\nbaseurl: /blog/\n"
            "slugify_mode: latin\nauthor: Site Owner\nexcerpt_separator: <!--more-->\n"
            "defaults:\n  - scope: {path: notes, type: posts}\n    values: {author: ada}\n"
            "  - scope: {path: ''}\n    values: {author: bob, layout: x}\n",
            "_data/authors.yml": "ada: {name: Ada Lovelace, url: 'https://ada.example'}\n",
            "_posts/2024-01-01-a.md": "---\ntitle: A\n---\n",
        },
    )
    site = read_site(tmp_path)
    assert site.describe() == (
        "Jekyll site: permalink /:categories/:year/:month/:day/:title/, baseurl /blog, 2 defaults"
    )
    texts = [message.text for message in site.messages]
    assert "'timezone': unknown time zone 'Mars/Olympus'; dates are read in the import's" in texts
    assert any(text.startswith("'slugify_mode': not followed") for text in texts)
    # The more specific scope wins; the site's author and _data/authors.yml fill in names.
    assert site.defaults("notes/_posts/2024-01-01-b.md", "post") == {"author": "ada", "layout": "x"}
    assert site.defaults("about.md", "page") == {"author": "bob", "layout": "x"}
    post = parse_post(
        b"---\ntitle: B\n---\nText.",
        source_path="notes/_posts/2024-01-01-b.md",
        tz=dt.UTC,
        site=site,
    )
    assert post.authors == [AuthorRef("Ada Lovelace", website="https://ada.example")]
    assert post.url == "/blog/notes/2024/01/01/b/"
    assert post.excerpt_separator == "<!--more-->"


def test_a_broken_config_is_an_error_with_its_line(tmp_path):
    from blog.parsing.sites import read_site

    write_site(tmp_path, {"_config.yml": "title: x\npermalink: [unclosed\n"})
    site = read_site(tmp_path)
    assert [str(message) for message in site.messages] == [
        "_config.yml:2: invalid YAML: did not find expected ',' or ']' (is a bracket or quote "
        "left open?)\n    permalink: [unclosed"
    ]


def test_a_hugo_config_folder_mounts_and_headless_bundles(tmp_path):

    write_site(
        tmp_path,
        {
            "config/_default/hugo.toml": "baseURL = 'https://example.org/docs/'\n"
            "[[module.mounts]]\nsource = 'content/en'\ntarget = 'content'\n"
            "[languages.en]\nweight = 1\n",
            "config/_default/permalinks.toml": "posts = '/:year/:slug/'\n",
            "config/_default/params.toml": "mainSections = ['posts']\n",
            "content/en/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\n",
            "content/en/_shared/_index.md": "---\ncascade:\n  build:\n    render: never\n---\n",
            "content/en/_shared/snippet.md": "---\ntitle: S\n---\n",
            "content/en/guide/_index.md": "---\ntitle: Guide\n---\nThe guide.\n",
            "content/LICENSE.md": "not content\n",
        },
    )
    found = find_post_files(tmp_path)
    assert found.site.describe() == (
        "Hugo site: permalinks posts /:year/:slug/, posts from posts/, baseURL path /docs"
    )
    assert found.site.messages == []  # one language: nothing to warn about
    assert [(file.source_path, file.role) for file in found.files] == [
        ("content/en/_shared/_index.md", "section"),
        ("content/en/guide/_index.md", "section"),
        ("content/en/posts/a.md", "post"),
    ]
    post = parse_post(
        (tmp_path / "content/en/posts/a.md").read_bytes(),
        source_path="content/en/posts/a.md",
        tz=dt.UTC,
        site=found.site,
    )
    assert post.url == "/docs/2024/a/"
    guide = parse_post(
        (tmp_path / "content/en/guide/_index.md").read_bytes(),
        source_path="content/en/guide/_index.md",
        tz=dt.UTC,
        site=found.site,
        role="section",
    )
    assert (guide.kind, guide.url) == ("section", "/docs/guide/")


def test_a_hugo_page_that_is_never_rendered_is_not_content(tmp_path):
    from blog.parsing.hugo import HugoSite

    site = HugoSite(root=str(tmp_path), generator="hugo", main_sections=["posts"])
    post = parse_post(
        b"---\ntitle: x\nbuild:\n  render: never\n---\n",
        source_path="content/posts/x.md",
        tz=dt.UTC,
        site=site,
    )
    assert post.kind == "hidden"


def test_hugo_sites_that_build_expired_pages_keep_them_and_count_cjk_characters(tmp_path):
    from blog.parsing.sites import read_site

    write_site(
        tmp_path,
        {
            "hugo.toml": "buildExpired = true\nhasCJKLanguage = true\n",
            "content/posts/a.md": "---\ntitle: A\ndate: 2019-01-01\nexpiryDate: 2020-01-01\n---\n",
        },
    )
    site = read_site(tmp_path)
    assert "buildExpired" in site.describe()
    assert "hasCJKLanguage" in site.describe()
    assert site.messages == []
    post = parse_post(
        (tmp_path / "content/posts/a.md").read_bytes(),
        source_path="content/posts/a.md",
        tz=dt.UTC,
        site=site,
    )
    assert post.expires_at is None
    assert post.excerpt_cjk


def test_a_jekyll_title_is_the_text_jekyll_showed_and_hugo_titles_stay_as_written():
    post = parse(
        "---\ntitle: 'Fortnite&#8217;s <em>and</em> &amp; more'\n---\n",
        name="_posts/2024-01-01-x.md",
    )
    assert post.title == "Fortnite\u2019s and & more"
    assert post.extra["_title_as_written"] == "Fortnite&#8217;s <em>and</em> &amp; more"
    hugo = parse("+++\ntitle = 'A &amp; B'\ndate = 2024-01-01\n+++\n", name="content/posts/x.md")
    assert hugo.title == "A &amp; B"  # Hugo escapes titles: readers saw "&amp;" there too
    assert "_title_as_written" not in hugo.extra


@pytest.mark.parametrize(
    ("files", "is_jekyll"),
    [
        (["en/_posts/2020-01-01-a.md", "about.md"], True),  # _posts one folder down
        (["en/posts/2020-01-01-a.md", "en/_posts", "about.md"], False),  # a file, not a folder
        (["notes/a.md", "b.md"], False),
        ([".hidden/_posts/2020-01-01-a.md", "b.md"], False),
    ],
)
def test_a_folder_with_posts_one_level_down_is_a_jekyll_site(tmp_path, files, is_jekyll):
    make_files(tmp_path, files)
    site = find_post_files(tmp_path).site
    assert (site is not None and site.generator == "jekyll") == is_jekyll
