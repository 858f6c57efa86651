"""The markdown renderer: every extension, excerpts, counts and link handling."""

import re

import pytest
from django.conf import settings

from blog.rendering import count_words, reading_time, render_markdown


def body(text, **options):
    return render_markdown(text, **options).body_html


def test_footnotes_give_a_section_with_back_links():
    html = body("Claim.[^1] Another.[^note]\n\n[^1]: First source.\n[^note]: Second source.")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<div class="footnote">' in html
    assert '<li id="fn:1">' in html
    assert 'class="footnote-backref" href="#fnref:1"' in html
    assert 'href="#fnref:note"' in html


def test_tables_keep_column_alignment():
    html = body("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "<table>" in html
    assert '<th align="left">a</th>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html


@pytest.mark.parametrize(
    ("language", "source", "expected_token"),
    [
        ("python", "def greet():\n    return 'hi'", '<span class="k">def</span>'),
        ("go", "func main() {\n\tfmt.Println(1)\n}", '<span class="kd">func</span>'),
    ],
)
def test_fenced_code_is_highlighted_with_css_classes(language, source, expected_token):
    html = body(f"```{language}\n{source}\n```")
    assert '<div class="highlight"><pre>' in html
    assert expected_token in html
    assert "style=" not in html


def test_fenced_code_without_language_is_not_guessed():
    html = body("```\nSELECT 1;\n```")
    assert "SELECT 1;" in html
    assert '<span class="k">' not in html


def test_headings_get_anchors_and_a_table_of_contents():
    rendered = render_markdown("## First part\n\ntext\n\n### Détails\n\nmore\n\n## Second part")
    assert '<h2 id="first-part">First part' in rendered.body_html
    assert 'class="headerlink" href="#first-part"' in rendered.body_html
    assert 'id="détails"' in rendered.body_html
    assert '<a href="#first-part">First part</a>' in rendered.toc_html
    assert '<a href="#second-part">Second part</a>' in rendered.toc_html


def test_post_without_headings_has_no_table_of_contents():
    assert render_markdown("Just a paragraph.").toc_html == ""


def test_attribute_lists_set_ids_but_an_authors_classes_are_dropped():
    html = body("A lead paragraph.\n{: .lead #intro }")
    assert '<p id="intro">A lead paragraph.</p>' in html


def test_the_renderers_own_classes_survive_sanitizing():
    html = body(
        "## Part\n\nText[^1].\n\n```python\nimport os  # c\n```\n\n"
        '!!! warning "Careful"\n    Body.\n\n[^1]: A note.'
    )
    for fragment in (
        'class="headerlink"',
        'class="footnote-ref"',
        'class="footnote-backref"',
        '<div class="footnote">',
        '<div class="highlight">',
        '<span class="kn">import</span>',
        '<span class="c1">',
        '<div class="admonition warning">',
        '<p class="admonition-title">Careful</p>',
    ):
        assert fragment in html


def test_content_cannot_dress_up_as_the_sites_own_interface():
    html = body(
        '<p class="preview-banner" role="status">Preview: log in again</p>\n\n'
        '<div class="site-header skip-link admonition">x</div>'
    )
    assert "preview-banner" not in html
    assert "site-header" not in html
    assert "skip-link" not in html
    assert 'class="admonition"' in html  # the renderer's own class is kept


def test_content_ids_stay_out_of_the_sites_own_namespace():
    html = body(
        '<p id="site-content">x</p>\n\n[skip](#site-content)\n\n## Heading {: #site-toc-title }'
    )
    assert 'id="site-content"' not in html
    assert 'id="site-toc-title"' not in html
    assert 'id="content-site-content"' in html
    assert 'href="#content-site-content"' in html
    assert 'id="content-site-toc-title"' in html


def test_definition_lists():
    html = body("Term\n:   Its definition.")
    assert "<dl>\n<dt>Term</dt>\n<dd>Its definition.</dd>\n</dl>" in html


def test_abbreviations_explain_themselves():
    html = body("HTML is everywhere.\n\n*[HTML]: HyperText Markup Language")
    assert '<abbr title="HyperText Markup Language">HTML</abbr>' in html


def test_admonitions():
    html = body('!!! warning "Careful"\n    Mind the gap.')
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Careful</p>' in html


def test_sane_lists_do_not_mix_list_types():
    html = body("1. one\n2. two\n\n* bullet")
    assert "<ol>" in html
    assert "<ul>" in html


def test_sane_lists_keep_the_start_number():
    assert '<ol start="3">' in body("3. three\n4. four")


def test_smart_quotes_and_dashes():
    assert (
        body('"Quoted" -- it\'s done...') == "<p>\u201cQuoted\u201d \u2013 it\u2019s done\u2026</p>"
    )


def test_markdown_inside_html_blocks():
    html = body('<div class="note" markdown="1">\n**bold** inside\n</div>')
    assert "<strong>bold</strong>" in html


def test_external_links_get_noopener():
    html = body("[out](https://example.org/page) and [bare](//cdn.example.org/x)")
    assert '<a href="https://example.org/page" rel="noopener">out</a>' in html
    assert '<a href="//cdn.example.org/x" rel="noopener">bare</a>' in html


def test_links_within_the_site_are_left_alone():
    html = body(
        "[here](/2024/01/01/post/) [same](https://blog.example.com/x) [top](#top)",
        site_host="blog.example.com",
    )
    assert "noopener" not in html


def test_author_rel_is_kept_and_noopener_added():
    html = body('<a href="https://me.example" rel="me">me</a>')
    assert 'rel="me noopener"' in html


def test_excerpt_from_front_matter_wins():
    rendered = render_markdown(
        "First paragraph.\n\n<!--more-->\n\nRest.", excerpt="Given **excerpt**."
    )
    assert rendered.excerpt_html == "<p>Given <strong>excerpt</strong>.</p>"


def test_excerpt_is_text_before_the_separator():
    rendered = render_markdown("One.\n\nTwo.\n\n<!--more-->\n\nThree.")
    assert rendered.excerpt_html == "<p>One.</p>\n<p>Two.</p>"
    assert "Three." in rendered.body_html


def test_excerpt_with_a_custom_separator():
    rendered = render_markdown(
        "One.\n\nTwo.\n<!-- cut -->\nThree.", excerpt_separator="<!-- cut -->"
    )
    assert rendered.excerpt_html == "<p>One.</p>\n<p>Two.</p>"


def test_excerpt_defaults_to_the_first_paragraph():
    rendered = render_markdown("## A heading\n\nFirst *paragraph*.\n\nSecond paragraph.")
    assert rendered.excerpt_html == "<p>First <em>paragraph</em>.</p>"


def test_excerpt_of_a_post_without_paragraphs_is_empty():
    assert render_markdown("- just\n- a list").excerpt_html == ""


def test_footnote_markers_never_leak_into_excerpts():
    text = "Claim one.[^1] Claim two.[^2]\n\nMore.\n\n[^1]: Source one.\n[^2]: Source two."
    first_paragraph = render_markdown(text)
    assert first_paragraph.excerpt_html == "<p>Claim one. Claim two.</p>"
    before_separator = render_markdown(text.replace("More.", "<!--more-->\n\nMore."))
    assert before_separator.excerpt_html == "<p>Claim one. Claim two.</p>"
    assert "fnref" in before_separator.body_html


def test_excerpt_resolves_reference_links_defined_later():
    rendered = render_markdown(
        "See [the docs][docs].\n\n<!--more-->\n\n[docs]: https://docs.example/"
    )
    assert 'href="https://docs.example/"' in rendered.excerpt_html


def test_word_count_and_reading_time():
    rendered = render_markdown(" ".join(["word"] * 461))
    assert rendered.word_count == 461
    assert rendered.reading_time == 3  # 461 / 230 words a minute, rounded up


def test_count_words_ignores_markup_and_keeps_contractions():
    assert count_words("<p>It&rsquo;s <em>well-known</em> — 3.5 apples</p>") == 4


def test_reading_time_is_zero_only_for_nothing():
    assert reading_time(0) == 0
    assert reading_time(1) == 1


def test_empty_body_renders_to_nothing():
    rendered = render_markdown("")
    assert (rendered.body_html, rendered.toc_html, rendered.excerpt_html, rendered.word_count) == (
        "",
        "",
        "",
        0,
    )


def test_windows_line_endings_render_like_unix_ones():
    assert body("One.\r\n\r\n## Two\r\n") == body("One.\n\n## Two\n")


def test_more_comment_is_removed_from_the_body():
    assert "<!--" not in body("One.\n\n<!--more-->\n\nTwo.")


def test_hugo_excerpt_takes_whole_paragraphs_until_the_word_count():
    text = "One two three.\n\nFour five six seven.\n\nEight nine.\n\nTen."
    rendered = render_markdown(text, excerpt_words=5)
    assert rendered.excerpt_html == "<p>One two three.</p>\n<p>Four five six seven.</p>"
    assert render_markdown(text, excerpt_words=0).excerpt_html == "<p>One two three.</p>"
    short = render_markdown("Only a few words.[^1]\n\n[^1]: Note.", excerpt_words=70)
    assert short.excerpt_html == "<p>Only a few words.</p>"


# --- Only the inline patterns a document can use ------------------------------------------------


def _every_markdown_file(shared):
    files = sorted((settings.BASE_DIR / "fixtures" / "posts").glob("*.md"))
    if shared is not None:
        for folder in ("corpus", "jekyll-fixtures", "real-sites"):
            files += sorted((shared / folder).rglob("*.md"))
    return files


def test_leaving_out_patterns_a_document_cannot_use_changes_no_output(monkeypatch, tmp_path):
    """The gate (rendering.UsefulPatternsOnly) against every pattern tried everywhere, on our
    samples, a generated corpus and, when present, Jekyll's fixtures and two real sites."""
    from bench.generate_corpus import generate
    from blog import rendering

    shared = settings.BASE_DIR.parent / "shared"
    files = _every_markdown_file(shared if shared.is_dir() else None)
    files += sorted(generate(tmp_path / "corpus", 150).glob("*.md"))
    texts = [path.read_text(errors="replace") for path in files]
    texts += [
        "Quotes 'single' and \"double\" -- dashes --- and... more; a ~~strike~~ and ~sub~",
        "Mail me@example.com, see www.example.com or <https://x.example/> &amp; H~2~O\\*",
        "Line  \nbreak, `code`, ![image](a.png), [link][ref], [^1] and <b>bold</b>.\n\n"
        "[ref]: https://example.com\n[^1]: A note.",
    ]
    gated = [rendering.render_markdown(text) for text in texts]

    def every_pattern(self, root):
        processor = self.md.treeprocessors[self.processor_name]
        if hasattr(processor, "every_pattern"):
            processor.inlinePatterns = [pattern for pattern, _ in processor.every_pattern]

    monkeypatch.setattr(rendering.UsefulPatternsOnly, "run", every_pattern)
    for path, text, output in zip(files + [None] * 3, texts, gated, strict=True):
        assert rendering.render_markdown(text) == output, path
    assert len(texts) > 150


# --- One conversion for a body and the excerpt before its separator ----------------------------

SEPARATED = [
    "Intro with a [link][ref] and a note.[^1]\n\n## A heading\n\nMore *intro*.\n\n<!--more-->\n\n"
    "The rest.\n\n[ref]: https://example.com/\n[^1]: The note.",
    "<!--more-->\n\nNothing before it.",
    "Only an excerpt.\n\n<!--more-->",
    # The first separator inside a code fence or a list item: cut as text, as Jekyll does.
    "```html\n\n<!--more-->\n\n```\n\nText.\n\n<!--more-->\n\nRest.",
    "- one\n\n    <!--more-->\n\n- two\n\nRest.",
    "A paragraph <!--more--> in the middle.\n\nRest.",
]


def _without_ids(html):
    """An excerpt shown among others has no heading anchors and no ids (they would clash)."""
    html = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", html)
    return re.sub(r' id="[^"]*"', "", html)


def _lines(html):
    return re.sub(r"\n+", "\n", html).strip()


def _separated_texts():
    texts = list(SEPARATED)
    shared = settings.BASE_DIR.parent / "shared"
    for path in _every_markdown_file(shared if shared.is_dir() else None):
        text = path.read_text(errors="replace")
        if "<!--more-->" in text:
            texts.append(text)
    return texts


def test_a_separated_excerpt_is_what_converting_it_alone_gives():
    """Body and excerpt come from one conversion when the separator is a block of its own; the
    result is what converting the text before it separately gives (the excerpt then loses its
    heading ids and anchors, as every other excerpt does)."""
    texts = _separated_texts()
    assert len(texts) > len(SEPARATED)  # the sample post that has a separator, at least
    for text in texts:
        once = render_markdown(text)
        head = text.split("<!--more-->", 1)[0]
        alone = render_markdown(text, excerpt=head) if head.strip() else None
        # The same body, but for the blank lines the separator's comment left.
        body = render_markdown(text, excerpt="x").body_html
        assert _lines(once.body_html) == _lines(body), text[:60]
        if alone is not None:
            assert _without_ids(once.excerpt_html) == _without_ids(alone.excerpt_html), text[:60]
        else:
            assert once.excerpt_html == ""


def test_a_separator_on_its_own_costs_no_second_conversion(monkeypatch):
    import markdown

    conversions = []
    convert = markdown.Markdown.convert
    monkeypatch.setattr(
        markdown.Markdown,
        "convert",
        lambda self, text: conversions.append(text) or convert(self, text),
    )
    rendered = render_markdown(SEPARATED[0])
    assert len(conversions) == 1
    assert rendered.excerpt_html.startswith('<p>Intro with a <a href="https://example.com/"')
    assert "<h2>A heading</h2>" in rendered.excerpt_html
    assert "fnref" not in rendered.excerpt_html
    assert "The rest." not in rendered.excerpt_html
    assert "excerptseparatormarker" not in rendered.body_html
