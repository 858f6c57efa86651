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


def test_title_defaults_to_the_slug():
    assert (
        parse("---\nlayout: post\n---\n", name="2020-01-01-hello-world.md").title == "Hello world"
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
    found = [path.relative_to(root).as_posix() for root, path in find_post_files(tmp_path)]
    assert found == ["a.markdown", "b/1.mkd", "b/2.md"]
