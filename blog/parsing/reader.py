"""One file's bytes → a ``ParsedPost``, naming the key and line of any problem."""

import datetime as dt
import html
import re
from dataclasses import replace
from pathlib import PurePosixPath

from blog.parsing import hugo, jekyll
from blog.parsing.discovery import MAX_FILE_BYTES
from blog.parsing.front_matter import FrontMatter, split_front_matter, unparsed_front_matter
from blog.parsing.messages import Message, ParseError, Severity
from blog.parsing.posts import (
    NAME_MAX_LENGTH,
    SLUG,
    SLUG_MAX_LENGTH,
    TERM_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AuthorRef,
    Generator,
    ParsedPost,
    content_hash,
    date_and_slug_from_path,
)
from blog.parsing.sites import Role
from blog.parsing.text import (
    as_text,
    clip,
    jsonable,
    kind_of,
    map_strings,
    slugify,
    title_from_slug,
    unique,
)
from blog.safety import IMAGE_RULE, LINK_RULE, is_safe_image, is_safe_link, strip_xml_invalid

# --- Parsing one file ---------------------------------------------------------------------------


def parse_post(
    data,
    *,
    source_path,
    tz,
    allow_bare=False,
    lenient=False,
    fallback_date=None,
    site=None,
    role=Role.POST,
):
    """Parse the bytes of one post or page file.

    ``source_path`` is the file's path relative to the imported folder: it names the post in
    messages and gives the date, slug and categories that Jekyll and Hugo take from file and folder
    names. Naive dates are read in ``tz``. ``allow_bare`` accepts a file without front matter.
    ``lenient`` imports a file whose front matter does not parse from its file name alone, with a
    warning, as Jekyll does without ``strict_front_matter``. ``fallback_date`` dates a draft that
    has no date (Jekyll uses the file's modification time). ``site`` (a ``Site``) gives the
    generator's rules: its front-matter defaults, and the address it published the file at;
    ``role`` says whether the site holds the file as a post, draft or page.
    """
    source_path = PurePosixPath(source_path)
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(source_path, _too_big(len(data)))
    text = _decode(data, source_path)
    warnings = []
    try:
        front_matter = split_front_matter(text, source_path)
    except ParseError as error:
        if not lenient:
            raise
        front_matter = unparsed_front_matter(text)
        warnings.append(
            replace(
                error.message,
                text=f"{error.message.text}; imported from its file name only "
                "(--lenient-front-matter), with the front matter kept as text",
                severity=Severity.WARNING,
            )
        )
    if front_matter is None and (role == Role.PAGE or (site and site.generator == "hugo")):
        front_matter = FrontMatter("", {}, text, 1)  # Hugo publishes such files, and so do we
    if front_matter is None:
        if not allow_bare:
            raise ParseError(
                source_path,
                "no front matter: start the file with a line '---', then YAML such as "
                "'title: ...', then another '---' (or pass --allow-bare to import files "
                "without front matter)",
                line=1,
            )
        front_matter = FrontMatter("", {}, text, 1)
    parsed = _Reader(
        front_matter,
        source_path=source_path,
        source_hash=content_hash(data),
        tz=tz,
        lines=text.split("\n"),
        fallback_date=fallback_date,
        warnings=warnings,
        site=site,
        role=role,
    ).post()
    parsed.source_bytes = bytes(data)
    return parsed


def _too_big(size):
    return (
        f"the file is {size / 1024 / 1024:.1f} MB; a post may be at most "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB. Is it really a post?"
    )


def _decode(data, source_path):
    if b"\x00" in data[:8000]:
        raise ParseError(source_path, "this is a binary file, not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ParseError(
            source_path,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x}); the file may be Latin-1 or "
            "Windows-1252: save it as UTF-8",
            line=line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Front-matter keys read into fields of their own (compared case-insensitively, as Hugo does).
DATE_KEYS = ("date", "publishdate", "pubdate", "published")
UPDATED_KEYS = ("lastmod", "last_modified_at", "modified")
EXPIRY_KEYS = ("expirydate", "unpublishdate")
HUGO_ONLY_KEYS = {
    "draft",
    "publishdate",
    "pubdate",
    "lastmod",
    "expirydate",
    "unpublishdate",
    "summary",
    "aliases",
    "weight",
    "linktitle",
}


class _Reader:
    """Reads one file's front matter into a ParsedPost, naming the key and line of any problem."""

    def __init__(
        self,
        front_matter,
        *,
        source_path,
        source_hash,
        tz,
        lines,
        fallback_date,
        warnings,
        site=None,
        role=Role.POST,
    ):
        self.site = site
        self.role = role
        self.title_as_written = ""
        self.defaults = site.defaults(str(source_path), role) if site else {}
        if self.defaults:
            # The configuration's defaults, under what the file says (Jekyll's `defaults`).
            front_matter.data = {**self.defaults, **front_matter.data}
        self.front_matter = front_matter
        self.source_path = source_path
        self.source_hash = source_hash
        self.tz = tz
        self.lines = lines
        self.fallback_date = fallback_date
        self.warnings = warnings
        # Hugo reads keys case-insensitively; Jekyll's keys are lower-case in practice.
        self.keys = {}
        for key in front_matter.data:
            self.keys.setdefault(str(key).lower(), key)
        self.used = set()
        self._remove_xml_invalid_characters()

    def _remove_xml_invalid_characters(self):
        data = self.front_matter.data
        for key, value in list(data.items()):
            cleaned = map_strings(value, strip_xml_invalid)
            if cleaned != value:
                data[key] = cleaned
                self.warn(
                    str(key).lower(),
                    "removed control characters that feeds cannot hold (text pasted from a "
                    "word processor?)",
                )

    def has(self, name):
        return name in self.keys and self.front_matter.data[self.keys[name]] is not None

    def get(self, name, default=None):
        if name not in self.keys:
            return default
        self.used.add(self.keys[name])
        value = self.front_matter.data[self.keys[name]]
        return default if value is None else value

    def fail(self, name, message):
        key = self.keys.get(name, name)
        line = self.key_line(key)
        raise ParseError(
            self.source_path,
            f"{message} in front-matter key '{key}'",
            line=line,
            source_line=self.lines[line - 1] if line else None,
        )

    def warn(self, name, message):
        key = self.keys.get(name, name)
        line = self.key_line(key)
        self.warnings.append(
            Message(
                str(self.source_path),
                f"{message} in front-matter key '{key}'",
                Severity.WARNING,
                line=line,
                source_line=self.lines[line - 1] if line else None,
            )
        )

    def yaml_text(self, name):
        """The value of a top-level key as written in YAML front matter (unquoted scalars only);
        None for other formats, quoted text and nested values."""
        if self.front_matter.format != "yaml" or name not in self.keys:
            return None
        line = self.key_line(self.keys[name])
        if line is None:
            return None
        text = self.lines[line - 1].split(":", 1)[1].split(" #", 1)[0].strip()
        return None if not text or text[0] in "'\"[{|>&*!" else text

    def key_line(self, key):
        """The 1-based line where ``key`` is set in the front matter, for messages."""
        name = re.escape(str(key))
        pattern = re.compile(
            rf"^\s*(?:['\"]?{name}['\"]?\s*[:=]|\[+\s*{name}\s*\]+)", re.IGNORECASE
        )
        for number, line in enumerate(self.lines[: self.front_matter.body_line - 1], start=1):
            if pattern.match(line):
                return number
        return None

    @property
    def generator(self):
        if self.site is not None:
            return self.site.generator
        if {"_posts", "_drafts"} & set(self.source_path.parts[:-1]):
            return Generator.JEKYLL
        if self.front_matter.format in ("toml", "json"):
            return Generator.HUGO
        if HUGO_ONLY_KEYS & set(self.keys):
            return Generator.HUGO
        path = self.source_path
        if path.stem == "index" or path.parts[:1] == ("content",):
            return Generator.HUGO
        return Generator.JEKYLL

    def post(self):
        generator = self.generator
        name_date, name_slug = date_and_slug_from_path(self.source_path)
        slug = self.slug(name_slug)
        body = self.front_matter.body
        if "\x00" in body:
            line = self.front_matter.body_line + body.count("\n", 0, body.index("\x00"))
            body = body.replace("\x00", "")
            self.warnings.append(
                Message(
                    str(self.source_path),
                    "removed NUL characters from the text (no database can store them)",
                    Severity.WARNING,
                    line=line,
                )
            )
        title = self.title()
        if title is None and not self.front_matter.format and not self.front_matter.raw:
            title, body = _title_from_first_heading(body)
        if title is None:
            title = title_from_slug(slug)

        published = self.get("published", True)
        if not isinstance(published, bool):  # Hugo's `published` is a date
            published = True
        draft = self.get("draft", False)
        if generator == Generator.HUGO:
            draft = hugo.is_draft(draft, yaml_text=self.yaml_text("draft"))
        elif not isinstance(draft, bool):
            self.fail("draft", f"'draft' must be true or false, not {as_text(draft)!r}")
        in_drafts_folder = "_drafts" in self.source_path.parts[:-1]
        if self.site is not None and self.site.drafts:
            draft = in_drafts_folder = False  # the site publishes its drafts (show_drafts)
        kind = {Role.PAGE: "page", Role.SECTION: "section"}.get(self.role, "post")
        published_at = self.published_at(name_date, in_drafts_folder)
        if published_at is None and kind == "post" and self.generator == Generator.HUGO:
            kind = "page"  # an undated page of a main section: Hugo publishes it too
        hugo_site = self.site is not None and generator == Generator.HUGO
        if hugo_site and not hugo.is_rendered(self.front_matter.data):
            kind = "hidden"  # build: {render: never}, headless: Hugo publishes no page
        if published_at is None and kind == "post":
            raise ParseError(
                self.source_path,
                "no date: add 'date: YYYY-MM-DD' to the front matter or name the file "
                "YYYY-MM-DD-title.md",
            )

        if kind == "page" and self.source_path.suffix.lower() in (".html", ".htm"):
            body, published = self.html_page(body, published)
        extra = {}
        if self.front_matter.format == "" and self.front_matter.raw:
            extra["_unparsed_front_matter"] = self.front_matter.raw
        if self.title_as_written:
            extra["_title_as_written"] = self.title_as_written
        summary = self.text("summary")

        post = ParsedPost(
            source_path=str(self.source_path),
            source_hash=self.source_hash,
            title=title,
            slug=slug,
            published_at=published_at,
            updated_at=self.first_date(UPDATED_KEYS),
            expires_at=None if self.site_builds_expired() else self.first_date(EXPIRY_KEYS),
            published=published and not draft and not in_drafts_folder,
            body=body,
            authors=self.authors(),
            categories=[
                *_folder_categories(self.source_path),
                *self.terms(("categories", "category"), generator),
            ],
            tags=self.terms(("tags", "tag"), generator),
            keywords=self.terms(("keywords",), generator, comma_separated=True),
            description=self.text("description") or summary,
            excerpt=self.text("excerpt") or summary,
            excerpt_separator=self.text("excerpt_separator") or self.site_excerpt_separator(),
            layout=self.text("layout"),
            generator=generator,
            front_matter_format=self.front_matter.format,
            images=self.images(),
            permalink=self.text("permalink"),
            aliases=self.aliases(),
            kind=kind,
            redirect_to=self.redirect_to(),
            markup=self.markup(generator),
            body_line=self.front_matter.body_line,
            warnings=self.warnings,
        )
        post.categories = unique(post.categories)
        if self.site is not None and self.site.generator == "hugo":
            post.excerpt_words = self.site.summary_length
            post.excerpt_cjk = self.site.cjk
        # What is left has no field of its own: keep it, nested and typed, as JSON can hold it.
        extra.update(
            (str(key), value)
            for key, value in self.front_matter.data.items()
            if key not in self.used
        )
        post.extra = jsonable(extra)
        if kind == "section" and generator == Generator.HUGO and self.site is not None:
            kind = post.kind = self.site.section_kind(str(self.source_path))
        if self.site is not None and kind in ("post", "page", "section"):
            post.url = self.site.address(post, self.front_matter.data)
            post.feed_id = self.site.feed_id(post, self.front_matter.data)
        return post

    def markup(self, generator):
        """The dialect the body is written in. Liquid runs only where Jekyll would run it: in a
        Jekyll site's files, or in files of ``_posts/`` and ``_drafts/``."""
        if self.site is not None:
            return self.site.generator
        jekyll_folders = {"_posts", "_drafts"} & set(self.source_path.parts[:-1])
        return "jekyll" if generator == Generator.JEKYLL and jekyll_folders else ""

    # What Jekyll computes for a template that this site does not: its own lists do that work.
    SITE_COLLECTIONS = re.compile(
        r"\b(site\.(posts|pages|html_pages|categories|tags|collections|documents|"
        r"static_files|related_posts)|paginator)\b"
    )

    def html_page(self, body, published):
        """A Jekyll page written in HTML: its body is kept as it is (markdown passes HTML
        through) and its Liquid runs when it is rendered. One that lists the site's posts or
        pages (``site.posts``, ``paginator``) is imported as a draft, with a warning: this site
        makes those lists itself (the archive, the category and tag pages)."""
        listing = self.SITE_COLLECTIONS.search(body)
        if published and listing:
            line = self.front_matter.body_line + body.count("\n", 0, listing.start())
            self.warnings.append(
                Message(
                    str(self.source_path),
                    f"imported as a draft page: its Liquid lists {listing[1]}, which this site "
                    "shows on its own pages (the archive, categories, tags); edit it in the "
                    "admin before publishing",
                    Severity.WARNING,
                    line=line,
                )
            )
            published = False
        return body, published

    def site_builds_expired(self):
        """Hugo's ``buildExpired``: the old site kept showing expired pages, and so do we."""
        return bool(getattr(self.site, "expired", False)) and self.generator == Generator.HUGO

    def site_excerpt_separator(self):
        """Jekyll's site-wide ``excerpt_separator``; its default (a blank line: the first
        paragraph) is this site's default too."""
        separator = getattr(self.site, "excerpt_separator", "\n\n")
        return "" if separator == "\n\n" else separator

    def slug(self, name_slug):
        if self.has("slug"):
            given = self.get("slug")
            if isinstance(given, dict | list):
                self.fail("slug", f"the slug must be text, not a {kind_of(given)}")
            given = as_text(given).strip()
            if SLUG.match(given) and len(given) <= SLUG_MAX_LENGTH:
                return given
            slug = clip(slugify(given), SLUG_MAX_LENGTH)
            if not slug:
                self.fail("slug", f"invalid slug {given!r}: use letters, digits and hyphens")
            self.warn("slug", f"the slug {given!r} is not usable in an address; using {slug!r}")
            return slug
        slug = name_slug if SLUG.match(name_slug) else slugify(name_slug)
        slug = clip(slug, SLUG_MAX_LENGTH)
        if not slug and self.role == Role.PAGE:
            return "page"  # a page is found by its path; its slug is never shown
        if not slug:
            raise ParseError(
                self.source_path, "cannot make an address for this post: give it a 'slug'"
            )
        return slug

    def title(self):
        if not self.has("title"):
            self.get("title")
            return None
        title = self.get("title")
        if isinstance(title, dict | list):
            self.fail("title", f"the title must be text, not a {kind_of(title)}")
        title = " ".join(as_text(title).split())
        if self.generator == Generator.JEKYLL and _HTML_IN_TEXT.search(title):
            # Jekyll's layouts print the title as HTML: `&#8217;` is an apostrophe, `<em>` is
            # emphasis. Kept as the text a reader saw; the title as written stays in `extra`.
            self.title_as_written = title
            title = " ".join(html.unescape(_TAG.sub("", title)).split())
        if len(title) > TITLE_MAX_LENGTH:
            self.fail(
                "title", f"the title is {len(title)} characters long; at most {TITLE_MAX_LENGTH}"
            )
        return title or None

    def text(self, name):
        value = self.get(name)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            self.fail(name, f"expected text, not a {kind_of(value)}")
        return as_text(value)

    def date(self, name):
        value = self.get(name)
        parsed = _datetime(value, self.tz)
        if parsed is None and isinstance(value, str) and self.generator == Generator.JEKYLL:
            lenient = jekyll.parse_date(value, self.tz)  # Ruby's Time.parse reads more
            if lenient is not None and lenient.year_assumed:
                self.warn(
                    name,
                    f"the date {value!r} has no year; Jekyll takes the year it builds in, "
                    f"{lenient.moment.year}: add the year to keep the post where it is",
                )
            parsed = lenient and lenient.moment
        if parsed is None and isinstance(value, str) and self.generator == Generator.HUGO:
            parsed = hugo.parse_date(value, self.tz)  # Go's layouts: RFC 1123, 02 Jan 2006...
        if parsed is None:
            self.fail(name, f"invalid date {as_text(value)!r}")
        return parsed

    def first_date(self, names):
        for name in names:
            if self.has(name) and not isinstance(self.front_matter.data[self.keys[name]], bool):
                return self.date(name)
        return None

    def published_at(self, name_date, in_drafts_folder):
        # Hugo's fallbacks: date ← publishDate ← pubdate ← published ← lastmod.
        for name in (*DATE_KEYS, *UPDATED_KEYS):
            if self.has(name) and not isinstance(self.front_matter.data[self.keys[name]], bool):
                return self.date(name)
        if name_date is not None:
            return dt.datetime.combine(name_date, dt.time(), tzinfo=self.tz)
        if in_drafts_folder and self.fallback_date is not None:
            return self.fallback_date
        return None

    def terms(self, names, generator, *, comma_separated=False):
        """Categories, tags or keywords from a list, or from a string the generator would split.

        Jekyll splits a string of categories or tags on spaces; Hugo takes a string as one term.
        Keywords are SEO keywords, conventionally written "a, b, c".
        """
        terms = []
        for name in names:
            value = self.get(name)
            if value is None:
                continue
            if isinstance(value, str):
                if comma_separated:
                    items = value.split(",")
                elif generator == Generator.JEKYLL:
                    items = value.split()
                else:
                    items = [value]
            elif isinstance(value, list):
                items = value
            elif isinstance(value, dict):
                self.fail(name, f"expected a list or text, not a {kind_of(value)}")
            else:
                items = [value]
            for item in items:
                if isinstance(item, dict | list):
                    self.fail(name, f"each entry must be text, not a {kind_of(item)}")
                if item is None:
                    continue
                text = " ".join(as_text(item).split())
                limit = NAME_MAX_LENGTH if name in ("categories", "category") else TERM_MAX_LENGTH
                if len(text) > limit:
                    self.fail(
                        name,
                        f"{text[:30]!r}… is {len(text)} characters long; a name may have at most "
                        f"{limit}",
                    )
                if text:
                    terms.append(text)
        return unique(terms)

    def entries(self, names):
        """(key, entry) for every entry of the keys ``names``, each a value or a list of them."""
        for name in names:
            value = self.get(name)
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    yield name, item

    def authors(self):
        authors = []
        entries = list(self.entries(("author", "authors")))
        site_author = getattr(self.site, "author", None)
        if not entries and site_author and self.role != Role.PAGE:
            entries = [("author", site_author)]  # the site's `author`, as jekyll-seo-tag reads
        handles = getattr(self.site, "authors", {})
        for name, item in entries:
            if isinstance(item, str) and isinstance(handles.get(item), dict):
                item = {"name": item, **handles[item]}  # a handle of _data/authors.yml
            if isinstance(item, dict):
                item_name = item.get("name")
                if not item_name:
                    self.fail(name, "an author given as a mapping needs a 'name'")
                website = as_text(item.get("url") or item.get("website") or "").strip()
                if website and not is_safe_link(website):
                    self.warn(name, f"left out the author's address {website!r}: use {LINK_RULE}")
                    website = ""
                author = AuthorRef(
                    name=" ".join(as_text(item_name).split()),
                    website=website,
                    email=as_text(item.get("email") or ""),
                )
            elif isinstance(item, list):
                self.fail(name, "an author must be a name or a mapping, not a nested list")
            else:
                author = AuthorRef(name=" ".join(as_text(item).split()))
            if len(author.name) > NAME_MAX_LENGTH:
                self.fail(
                    name,
                    f"the author {author.name[:30]!r}… is {len(author.name)} characters long; "
                    f"a name may have at most {NAME_MAX_LENGTH}",
                )
            if author.name and author.name not in {known.name for known in authors}:
                authors.append(author)
        return authors

    def images(self):
        images = []
        for name, item in self.entries(("image", "images")):
            if isinstance(item, dict):
                # jekyll-seo-tag's `image: {path: ..., alt: ...}` and theme variants.
                item = next(
                    (item[key] for key in ("path", "url", "src", "feature") if item.get(key)),
                    None,
                )
            if isinstance(item, str) and item.strip():
                if is_safe_image(item.strip()):
                    images.append(item.strip())
                else:
                    self.warn(name, f"left out the image {item.strip()!r}: use {IMAGE_RULE}")
            elif item is not None:
                self.fail(name, "an image must be a path or URL")
        return unique(images)

    def redirect_to(self):
        target = self.text("redirect_to").strip()
        if target and not is_safe_link(target):
            self.warn("redirect_to", f"left out the address {target!r}: use {LINK_RULE}")
            return ""
        return target

    def aliases(self):
        aliases = []
        for name, item in self.entries(("aliases", "redirect_from")):
            if not isinstance(item, str):
                self.fail(name, f"each old address must be text, not a {kind_of(item)}")
            if item.strip():
                aliases.append(item.strip())
        return unique(aliases)


def _folder_categories(source_path):
    """Jekyll's categories from the folders above `_posts/` (`es/_posts/x.md` is in 'es')."""
    folders = source_path.parts[:-1]
    if "_posts" not in folders:
        return []
    return [part for part in folders[: folders.index("_posts")] if part]


# An entity (`&#8217;`, `&amp;`) or a tag (`<em>`) in text.
_HTML_IN_TEXT = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|</?[a-zA-Z][^>]*>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

ATX_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t#]*$")


def _title_from_first_heading(body):
    """For a file without front matter: the title from a leading heading, which leaves the body."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = ATX_HEADING.match(line)
        if match:
            return match["title"].strip(), "\n".join(lines[index + 1 :]).lstrip("\n")
        break
    return None, body


DATE_STRING = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?$"
)


def _datetime(value, tz):
    """A timezone-aware datetime from a YAML/TOML date, date-time or a string; None otherwise."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=tz)
    if not isinstance(value, str):
        return None
    match = DATE_STRING.match(value.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match["date"].split("-"))
    hours, minutes, *rest = (match["time"] or "00:00").split(":")
    offset = match["offset"]
    if offset and offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    time_text = f"{int(hours):02d}:{minutes}" + (f":{rest[0]}" if rest else "")
    try:
        parsed = dt.datetime.fromisoformat(
            f"{year:04d}-{month:02d}-{day:02d}T{time_text}"
            + ("+00:00" if offset == "Z" else (offset or ""))
        )
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
