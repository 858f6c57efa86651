"""Markdown in, safe HTML out.

This module knows nothing about the database or Django: ``render_markdown()`` takes text and
options and returns a ``RenderedMarkdown``. Posts call it when they are saved (never per request),
and the importer calls it in worker processes.

Python-Markdown does not sanitize (its documentation says so), so every piece of HTML it produces is
passed through nh3 (the Ammonia sanitizer) with an allow-list that keeps what the extensions emit
and nothing that can run script.
"""

import math
import re
import threading
import xml.etree.ElementTree as etree
from copy import deepcopy
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pygments.token import STANDARD_TYPES

WORDS_PER_MINUTE = 230
DEFAULT_EXCERPT_SEPARATOR = "<!--more-->"


@dataclass(frozen=True)
class RenderedMarkdown:
    body_html: str
    toc_html: str
    excerpt_html: str
    text: str  # the body as plain text, for search and snippets
    word_count: int
    reading_time: int  # whole minutes, at least 1 for a post with any words
    warnings: tuple = ()  # (line, text): what converting the source's dialect could not do


def render_markdown(
    text,
    *,
    excerpt="",
    excerpt_separator=DEFAULT_EXCERPT_SEPARATOR,
    excerpt_words=0,
    site_host="",
    embed_hosts=(),
    dialect="",
    cjk_words=False,
):
    """Render a post's markdown ``text`` into sanitized HTML and the numbers shown beside it.

    The excerpt is, in order: the given ``excerpt`` (markdown, e.g. from front matter); else the
    text before ``excerpt_separator`` when the body contains it; else the body's first paragraph
    (Jekyll's default) or, with ``excerpt_words``, its first whole paragraphs that reach that
    many words (Hugo's automatic summary). Footnote markers never appear in an excerpt. Links to
    hosts other than ``site_host`` get ``rel="noopener"``. Frames from ``embed_hosts`` (https)
    are kept, sandboxed; what the sanitizer removes is listed in the result's ``warnings``.
    ``dialect`` "hugo" reads the text as Goldmark (CommonMark) would where it differs: a list
    may start right after a paragraph. ``cjk_words`` counts each CJK character as a word when
    cutting a summary (Hugo's ``hasCJKLanguage``).
    """
    text = _normalise_newlines(text)
    head = marked = None
    if excerpt and excerpt.strip():
        head = _normalise_newlines(excerpt)
    elif excerpt_separator and excerpt_separator in text:
        marked = _marked_separator(text, excerpt_separator)
        if marked is None:
            head = text.split(excerpt_separator, 1)[0]

    md = _markdown(
        capture_excerpt_words=None if head is not None else excerpt_words,
        excerpt_marker=EXCERPT_MARKER if marked is not None else None,
    )
    md.dialect = dialect
    md.cjk_words = cjk_words
    body_html = md.convert(marked if marked is not None else text)
    if marked is not None and not md.excerpt_marker_found:
        # The separator's line was inside a block (a list item, a code fence): cut the text
        # there and convert the part before it on its own.
        head = text.split(excerpt_separator, 1)[0]
        md = _markdown()
        md.dialect = dialect
        md.cjk_words = cjk_words
        body_html = md.convert(text)
    toc_html = md.toc if md.toc_tokens else ""
    if head is None:
        excerpt_html = md.captured_excerpt_html
    else:
        # Reference-style links and footnotes in the excerpt point at definitions further down
        # the post; carry the definitions along so they resolve (Jekyll does the same).
        excerpt_md = _markdown(strip_footnotes=True)
        excerpt_md.dialect = dialect
        excerpt_html = excerpt_md.convert(head + "\n\n" + _reference_definitions(text))

    body_html, excerpt_html = _task_boxes(body_html), _task_boxes(excerpt_html)
    raw_body_html = body_html
    body_html = sanitize_html(body_html, site_host=site_host, embed_hosts=embed_hosts)
    removed = removed_elements(raw_body_html, body_html)
    text = plain_text(body_html)
    word_count = len(_WORD.findall(text))
    return RenderedMarkdown(
        body_html=body_html,
        toc_html=sanitize_html(toc_html, site_host=site_host),
        excerpt_html=sanitize_html(excerpt_html, site_host=site_host, embed_hosts=embed_hosts),
        text=text,
        word_count=word_count,
        reading_time=reading_time(word_count),
        warnings=tuple((None, text) for text in removed),
    )


# A task list's boxes (`- [x] done`), as text: a form control has no place in a post.
_TASK_BOX = re.compile(r"<input type=\"checkbox\" disabled( checked)?/?>")


def _task_boxes(html):
    return _TASK_BOX.sub(lambda match: "\u2611" if match[1] else "\u2610", html)


def reading_time(word_count):
    """Minutes to read ``word_count`` words, rounded up; 0 only for an empty post."""
    return math.ceil(word_count / WORDS_PER_MINUTE)


_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_MARKER = re.compile(r'<sup id="fnref[^"]*">.*?</sup>')
_WORD = re.compile(r"\w+(?:['\u2019.-]\w+)*")  # it's, it\u2019s, well-known, 3.5


_ANCHOR_MARKS = re.compile(r'<a class="(?:headerlink|footnote-backref)"[^>]*>.*?</a>')


def plain_text(html):
    """What a reader reads, as text: no tags, footnote numbers or heading anchors."""
    html = _ANCHOR_MARKS.sub("", _FOOTNOTE_MARKER.sub("", html))
    return " ".join(unescape(_TAG.sub(" ", html)).split())


def count_words(html):
    """Words a reader reads: tags and footnote numbers do not count."""
    return len(_WORD.findall(plain_text(html)))


# --- Markdown -------------------------------------------------------------------------------------

EXTENSION_CONFIGS = {
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d in the text"},
    "tables": {"use_align_attribute": True},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    # GitHub's and Goldmark's ~~strikethrough~~ (not ~subscript~, which neither has).
    "pymdownx.tilde": {"subscript": False},
    # Bare addresses become links, as on GitHub and in Goldmark's linkify.
    "pymdownx.magiclink": {"hide_protocol": False},
    # `\@`, `\<`: any character may be escaped, as CommonMark allows for punctuation.
    "pymdownx.escapeall": {"hardbreak": False, "nbsp": False},
    "toc": {
        "permalink": "#",
        "permalink_class": "headerlink",
        "permalink_title": "Link to this section",
        "toc_class": "toc",
        "slugify": slugify_unicode,
    },
}
EXTENSIONS = [
    "abbr",
    "attr_list",
    "def_list",
    # Fenced code anywhere, also inside list items and quotes (GitHub, Goldmark, kramdown).
    "pymdownx.superfences",
    "pymdownx.tilde",
    "pymdownx.tasklist",
    "pymdownx.magiclink",
    "pymdownx.escapeall",
    "footnotes",
    "md_in_html",
    "tables",
    "codehilite",
    "toc",
    "admonition",
    "sane_lists",
    "smarty",
]

_local = threading.local()


# Stands for an excerpt separator while a post is converted: plain letters, which no Markdown
# extension changes.
EXCERPT_MARKER = "excerptseparatormarker7f3c9a"


def _marked_separator(text, separator):
    """``text`` with the line holding the first ``separator`` replaced by ``EXCERPT_MARKER``,
    when that line holds nothing else, is not indented and stands between blank lines (a block
    of its own, as ``<!--more-->`` is written); else None, and the excerpt is converted on its
    own."""
    lines = text.split("\n")
    number = text.count("\n", 0, text.index(separator))
    alone = lines[number].rstrip() == separator  # not indented: inside nothing
    blank_before = number == 0 or not lines[number - 1].strip()
    blank_after = number == len(lines) - 1 or not lines[number + 1].strip()
    if not (alone and blank_before and blank_after):
        return None
    lines[number] = EXCERPT_MARKER
    return "\n".join(lines)


def _markdown(*, capture_excerpt_words=None, strip_footnotes=False, excerpt_marker=None):
    """A Markdown instance for this thread, reset for a new document.

    Building one costs far more than converting a short post, and an instance must never be
    shared between threads, so each thread (and each import worker process) keeps its own.
    """
    md = getattr(_local, "markdown", None)
    if md is None:
        md = markdown.Markdown(
            extensions=[*EXTENSIONS, ExcerptExtension()],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )
        _local.markdown = md
    md.reset()
    md.captured_excerpt_html = ""  # convert() returns early for blank text, before any processor
    md.capture_excerpt_words = capture_excerpt_words
    md.strip_footnotes = strip_footnotes
    md.excerpt_marker = excerpt_marker
    md.excerpt_marker_found = False
    return md


class ExcerptExtension(Extension):
    """What excerpts need from a conversion; both options are set per document.

    ``md.capture_excerpt_words``: None captures nothing; 0 leaves the first top-level paragraph,
    rendered and without footnote markers, in ``md.captured_excerpt_html``; a number N leaves the
    first top-level paragraphs up to the one that brings the count to N words. The document
    itself is untouched.
    ``md.strip_footnotes``: remove footnote markers and the footnote list from the document.
    ``md.excerpt_marker``: the text of a paragraph standing where an excerpt separator was; the
    top-level blocks before it are the excerpt, and it is removed (``md.excerpt_marker_found``
    says whether it was there), so that body and excerpt come from one conversion.
    """

    def extendMarkdown(self, md):
        md.capture_excerpt_words = None
        md.strip_footnotes = False
        md.excerpt_marker = None
        md.excerpt_marker_found = False
        md.captured_excerpt_html = ""
        # After every other tree processor (the lowest built-in, "unescape", has priority 0), so
        # the captured paragraph is final apart from the string-level postprocessors.
        md.treeprocessors.register(ExcerptTreeprocessor(md), "excerpt", -10)
        md.dialect = ""
        # Before anything reads the lines: fences (25) and HTML blocks (20) are stashed by
        # then, and list items must already be where Python-Markdown looks for them.
        # Just before the inline processors run: only the patterns whose text occurs.
        md.treeprocessors.register(UsefulPatternsOnly(md, "inline", INLINE_TRIGGERS), "gate", 20.5)
        md.treeprocessors.register(UsefulPatternsOnly(md, "smarty", SMARTY_TRIGGERS), "gate2", 6.5)
        md.preprocessors.register(ListAfterParagraph(md), "list_after_paragraph", 41)
        md.preprocessors.register(ListItemColumns(md), "list_item_columns", 40)
        md.preprocessors.register(KramdownToc(md), "kramdown_toc", 42)


# What an inline pattern's match must contain (any of these), by the pattern's name; a pattern
# not named here is always tried. Case is ignored.
INLINE_TRIGGERS = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n",),
    "magic-link": ("://", "www.", "ftp."),
    "magic-mail": ("@",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "delimiter": ("~",),
}
SMARTY_TRIGGERS = {
    "smarty-em-dashes": ("---",),
    "smarty-en-dashes": ("--",),
    "smarty-ellipses": ("...",),
    **{f"smarty-quotes-{number}": ("'", '"') for number in range(15)},
}


class UsefulPatternsOnly(Treeprocessor):
    """Give an inline processor only the patterns that can match the text it is about to
    process, as a plain list.

    Python-Markdown tries every inline pattern on every piece of text, and fetches each from
    its registry by index, which sorts and looks up on every call: most of a post's rendering.
    A pattern whose match must contain a string that occurs nowhere in the document's text
    cannot match, so it is left out; the output is the same (tests/test_rendering.py renders
    every sample and real post both ways).
    """

    def __init__(self, md, processor_name, triggers):
        super().__init__(md)
        self.processor_name = processor_name
        self.triggers = triggers

    def run(self, root):
        if self.processor_name not in self.md.treeprocessors:
            return  # an instance without that extension (the render benchmark leaves each out)
        processor = self.md.treeprocessors[self.processor_name]
        if not hasattr(processor, "every_pattern"):  # the first document of this instance
            registry = processor.inlinePatterns
            processor.every_pattern = [
                (pattern, self._name_of(registry, pattern)) for pattern in registry
            ]
        text = "\n".join(
            chunk for element in root.iter() for chunk in (element.text, element.tail) if chunk
        ).lower()
        processor.inlinePatterns = [
            pattern
            for pattern, name in processor.every_pattern
            if name not in self.triggers or any(part in text for part in self.triggers[name])
        ]

    def _name_of(self, registry, pattern):
        for name in self.triggers:
            if name in registry and registry[name] is pattern:
                return name
        return None


# Han, kana and hangul, and their punctuation: each counts as a word for Hugo's hasCJKLanguage.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def summary_words(text, *, cjk=False):
    """Words as Hugo counts them for a summary: by spaces; with ``cjk``, a word holding CJK
    characters counts each of its characters."""
    if not cjk:
        return len(text.split())
    return sum(len(word) if _CJK.search(word) else 1 for word in text.split())


class KramdownToc(Preprocessor):
    """kramdown's table of contents, for Jekyll's posts: a one-item list ``* TOC`` followed by
    ``{:toc}`` is where the contents go; Python-Markdown's marker is ``[TOC]``."""

    ITEM = re.compile(r"^ {0,3}(?:[-*+]|1\.) +TOC *$")
    MARK = re.compile(r"^ *\{: *toc *\} *$")

    def run(self, lines):
        if self.md.dialect != "jekyll":
            return lines
        result = []
        for line in lines:
            if self.MARK.match(line) and result and self.ITEM.match(result[-1]):
                result[-1] = "[TOC]"
                continue
            result.append(line)
        return result


class ListItemColumns(Preprocessor):
    """kramdown's and CommonMark's rule, for Jekyll's and Hugo's posts: what belongs to a list
    item is indented to the column where the item's text starts (3 for ``1. ``, 2 for ``- ``),
    and code inside it by 4 more. Python-Markdown counts in steps of 4 instead, so the lines of
    each item are moved to its columns: nothing is lost from the item, and its code stays code.
    """

    MARKER = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( {1,4}|$)(?=\S|$)")
    FENCE = re.compile(r"^ *(`{3,}|~{3,})")

    def run(self, lines):
        if self.md.dialect not in ("jekyll", "hugo"):
            return lines
        items = []  # open items, innermost last: (column in the source, column here)
        fence = None
        previous_blank = True
        result = []
        for line in lines:
            line = line.expandtabs(4)
            text = line.lstrip(" ")
            indent = len(line) - len(text)
            if not text:
                result.append("")
                previous_blank = True
                continue
            if fence is None:
                # A line left of an item's text ends the item, unless it continues a paragraph.
                while (
                    items and indent < items[-1][0] and (previous_blank or self.MARKER.match(line))
                ):
                    items.pop()
                marker = self.MARKER.match(line)
                if marker:
                    while items and indent < items[-1][0]:
                        items.pop()
                    at = items[-1][1] if items else 0
                    source_column = indent + len(marker[2]) + max(1, len(marker[3]))
                    items.append((source_column, at + 4))
                    result.append(" " * at + marker[2] + " " + line[marker.end() :])
                    previous_blank = False
                    continue
            if items:
                source_column, column = items[-1]
                line = " " * (column + max(0, indent - source_column)) + text
            opening = self.FENCE.match(line)
            if fence is None and opening:
                fence = opening[1]
            elif fence is not None and opening and opening[1][0] == fence[0]:
                fence = None
            result.append(line)
            previous_blank = False
        return result


class ListAfterParagraph(Preprocessor):
    """CommonMark's rule, for Hugo's posts: a bullet list, or a numbered list starting at 1, may
    follow a paragraph line directly; Python-Markdown would read it as part of the paragraph."""

    LIST_START = re.compile(r"^ {0,3}(?:[-*+]|1[.)])[ \t]+\S")
    FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
    NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)]|#|>|\||<|`{3}|~{3})")

    def run(self, lines):
        if self.md.dialect != "hugo":
            return lines
        result = []
        fence = None
        for line in lines:
            opening = self.FENCE.match(line)
            if fence is not None:
                if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                    fence = None
            elif opening:
                fence = opening[1]
            elif (
                self.LIST_START.match(line)
                and result
                and result[-1].strip()
                and not result[-1].startswith(("    ", "\t"))
                and not self.NOT_PARAGRAPH.match(result[-1])
            ):
                result.append("")
            result.append(line)
        return result


class ExcerptTreeprocessor(Treeprocessor):
    def run(self, root):
        self.md.captured_excerpt_html = ""
        if self.md.strip_footnotes:
            _strip_footnotes(root)
        if self.md.excerpt_marker:
            for position, child in enumerate(root):
                if child.tag == "p" and child.text == self.md.excerpt_marker and not len(child):
                    self.md.excerpt_marker_found = True
                    self.md.captured_excerpt_html = self._serialize(list(root)[:position])
                    root.remove(child)
                    break
            return None
        words = self.md.capture_excerpt_words
        if words == 0:  # Jekyll: the first paragraph
            first = next((child for child in root if child.tag == "p"), None)
            if first is not None:
                self.md.captured_excerpt_html = self._serialize([first])
        elif words is not None:
            self.md.captured_excerpt_html = self._serialize(
                self._summary(root, words, cjk=getattr(self.md, "cjk_words", False))
            )
        return None

    @staticmethod
    def _summary(root, words, *, cjk=False):
        """Hugo 0.168's automatic summary: whole top-level blocks (paragraphs, lists,
        headings, quotes, code) until their words reach ``words``; code is kept but not
        counted."""
        blocks = []
        for child in root:
            classes = child.get("class", "").split()
            if child.tag == "div" and "footnote" in classes:
                continue
            blocks.append(child)
            is_code = child.tag == "pre" or (child.tag == "div" and "highlight" in classes)
            if not is_code:
                words -= summary_words("".join(child.itertext()), cjk=cjk)
            if words <= 0:
                break
        return blocks

    def _serialize(self, paragraphs):
        if not paragraphs:
            return ""
        wrapper = etree.Element("div")
        for paragraph in paragraphs:
            copy = deepcopy(paragraph)
            copy.tail = "\n"
            wrapper.append(copy)
        _strip_footnotes(wrapper)
        # An excerpt is shown among others: no heading anchors, no ids to clash.
        for parent in list(wrapper.iter()):
            for child in list(parent):
                if child.tag == "a" and "headerlink" in child.get("class", "").split():
                    _remove_keeping_tail(parent, child)
            parent.attrib.pop("id", None)
        html = self.md.serializer(wrapper)[len("<div>") : -len("</div>")]
        for postprocessor in self.md.postprocessors:
            html = postprocessor.run(html)
        return html.strip()


def _strip_footnotes(root):
    for parent in list(root.iter()):
        for child in list(parent):
            is_marker = child.tag == "sup" and child.get("id", "").startswith("fnref")
            is_list = child.tag == "div" and "footnote" in child.get("class", "").split()
            if is_marker or is_list:
                _remove_keeping_tail(parent, child)


def _remove_keeping_tail(parent, child):
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)


def _reference_definitions(text):
    return "\n".join(match.group(0) for match in _REFERENCE_DEFINITION.finditer(text))


def _normalise_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- Sanitizing -----------------------------------------------------------------------------------

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS)  # nh3's defaults: text, tables, figures; no forms or media
ALLOWED_ATTRIBUTES = {
    **{tag: set(attributes) for tag, attributes in nh3.ALLOWED_ATTRIBUTES.items()},
    # Generic attributes: ids carry heading anchors and footnote targets. Classes are not here:
    # only the renderer's own survive (ALLOWED_CLASSES).
    "*": {"id", "title", "lang", "dir"},
}

# The classes the renderer itself produces: highlighted code (Pygments' token classes), the
# table of contents and heading anchors, footnotes, admonitions. An author's own class (from
# raw HTML or an attribute list) is dropped, so content can never dress up as the site's own
# interface (a fake "preview" banner, a fake login box).
ADMONITION_TYPES = {
    "note", "info", "tip", "hint", "important", "warning", "caution", "attention", "danger",
    "error", "seealso", "success", "question", "failure", "bug", "example", "quote", "abstract",
    "summary", "todo",
}  # fmt: skip
ALLOWED_CLASSES = {
    "div": {"highlight", "footnote", "toc", "admonition", "linenodiv", *ADMONITION_TYPES},
    "span": {name for name in STANDARD_TYPES.values() if name} | {"hll", "filename", "linenos"},
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "p": {"admonition-title"},
    "table": {"highlighttable"},
    "td": {"linenos", "code"},
    "pre": {"highlight"},
}

# The site's own elements have ids in this namespace (site-content, site-toc-title...); a content
# id that would enter it is moved out, so that no link or style in a post reaches them.
SITE_ID_PREFIX = "site-"
CONTENT_ID_PREFIX = "content-"


def _keep_content_out_of_site_ids(tag, attribute, value):
    if attribute == "id" and value.startswith(SITE_ID_PREFIX):
        return CONTENT_ID_PREFIX + value
    if attribute == "href" and value.startswith("#" + SITE_ID_PREFIX):
        return "#" + CONTENT_ID_PREFIX + value[1:]
    return value


ALLOWED_ATTRIBUTES["a"] = ALLOWED_ATTRIBUTES["a"] | {"rel"}
ALLOWED_ATTRIBUTES["img"] = ALLOWED_ATTRIBUTES["img"] | {"loading"}
ALLOWED_ATTRIBUTES["time"] = {"datetime"}
ALLOWED_ATTRIBUTES["details"] = {"open"}
ALLOWED_ATTRIBUTES["ol"] = ALLOWED_ATTRIBUTES["ol"] | {"type"}

# Video and audio play from this site or the embed hosts; frames show only the embed hosts'
# players (YouTube's no-cookie domain, Vimeo...), sandboxed and without a referrer.
MEDIA_ATTRIBUTES = {
    "video": {"src", "poster", "controls", "width", "height", "preload", "loop", "muted"},
    "audio": {"src", "controls", "preload", "loop"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "iframe": {"src", "title", "width", "height", "loading", "allowfullscreen"},
}
EMBED_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"
# What the sanitizer removes and an owner should hear of, by tag.
REPORTED_TAGS = ("script", "style", "iframe", "object", "embed", "form", "input", "button",
                 "select", "textarea", "video", "audio", "svg", "canvas")  # fmt: skip
_OPENING = re.compile(r"<(" + "|".join(REPORTED_TAGS) + r")\b", re.IGNORECASE)


def _media_source_allowed(value, embed_hosts):
    parts = urlsplit(value.strip())
    if not parts.scheme and not parts.netloc:
        return value.strip().startswith("/")  # a file of this site
    return parts.scheme == "https" and parts.hostname in embed_hosts


def _cleaner_for(embed_hosts):
    """The sanitizer, for a set of embed hosts (one per set, made once)."""
    embed_hosts = frozenset(embed_hosts)
    cleaner = _cleaners.get(embed_hosts)
    if cleaner is not None:
        return cleaner

    def attribute_filter(tag, attribute, value):
        if tag in MEDIA_ATTRIBUTES and attribute in ("src", "poster"):
            return value if _media_source_allowed(value, embed_hosts) else None
        return _keep_content_out_of_site_ids(tag, attribute, value)

    tags = ALLOWED_TAGS | {"video", "audio", "source", "track"}
    attributes = {**ALLOWED_ATTRIBUTES, **MEDIA_ATTRIBUTES}
    if not embed_hosts:
        attributes.pop("iframe")
    else:
        tags |= {"iframe"}
    cleaner = nh3.Cleaner(
        tags=tags,
        attributes=attributes,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=attribute_filter,
        # `rel` is allowed as written by authors; external links get "noopener" added below.
        link_rel=None,
        url_schemes=nh3.ALLOWED_URL_SCHEMES,
        strip_comments=True,
        set_tag_attribute_values={
            "iframe": {"sandbox": EMBED_SANDBOX, "referrerpolicy": "no-referrer"}
        },
    )
    _cleaners[embed_hosts] = cleaner
    return cleaner


_cleaners = {}
# A frame, video or audio whose source was not allowed is left with nothing to show.
_EMPTY_MEDIA = re.compile(r"<(iframe|video|audio)\b(?![^>]*\ssrc=)[^>]*>(?:(?!</\1>).)*</\1>", re.S)


def sanitize_html(html, *, site_host="", embed_hosts=()):
    """Remove everything that can run script from ``html``; keep frames from ``embed_hosts``,
    sandboxed; mark external links noopener."""
    if not html:
        return ""
    # An element whose classes were all dropped keeps an empty attribute: leave it out.
    cleaned = _cleaner_for(embed_hosts).clean(html).replace(' class=""', "")
    cleaned = _EMPTY_MEDIA.sub(lambda match: _keep_sources(match), cleaned)
    return _mark_external_links(cleaned, site_host)


def _keep_sources(match):
    """A video or audio without ``src`` may still play from its ``<source>``s; a frame cannot."""
    return match[0] if match[1] != "iframe" and "<source src=" in match[0] else ""


def removed_elements(html, sanitized):
    """What sanitizing ``html`` into ``sanitized`` took away that a reader would miss, in words:
    "removed 2 <script> element(s): ..."."""
    before = _count_reported(html)
    after = _count_reported(sanitized)
    removed = []
    for tag, count in before.items():
        lost = count - after.get(tag, 0)
        if lost > 0:
            removed.append(
                f"removed {lost} <{tag}> element(s): {REMOVAL_REASONS.get(tag, 'not allowed')}"
            )
    return removed


REMOVAL_REASONS = {
    "iframe": "frames are kept only from the embed hosts (BLOG_EMBED_HOSTS)",
    "video": "video plays only from this site or the embed hosts",
    "audio": "audio plays only from this site or the embed hosts",
    "script": "posts may not run scripts",
    "style": "posts may not restyle the site",
}


def _count_reported(html):
    counts = {}
    for match in _OPENING.finditer(html or ""):
        tag = match[1].lower()
        counts[tag] = counts.get(tag, 0) + 1
    return counts


# Ammonia serializes attributes in double quotes and escapes `"` inside them, so a tag's
# attributes are a run of unquoted characters and quoted values.
_ANCHOR = re.compile(r'<a\s((?:[^>"]|"[^"]*")*)>')
_HREF = re.compile(r'(?:^|\s)href="([^"]*)"')
_REL = re.compile(r'(?:^|\s)rel="([^"]*)"')


def _mark_external_links(html, site_host):
    def mark(match):
        attributes = match.group(1)
        href = _HREF.search(attributes)
        if href is None or not is_external_url(unescape(href.group(1)), site_host):
            return match.group(0)
        rel = _REL.search(attributes)
        if rel is None:
            return f'<a {attributes} rel="noopener">'
        tokens = rel.group(1).split()
        if "noopener" in tokens:
            return match.group(0)
        new_rel = " ".join([*tokens, "noopener"])
        start, end = rel.span(1)
        return f"<a {attributes[:start]}{new_rel}{attributes[end:]}>"

    return _ANCHOR.sub(mark, html)


def is_external_url(url, site_host=""):
    """True for absolute http(s) or protocol-relative URLs to a host other than ``site_host``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https", ""} or not parts.netloc:
        return False
    return not site_host or parts.hostname != site_host.lower()
