"""What a post file becomes: plain data, no Django."""

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from blog.addresses import site_path
from blog.parsing.messages import Message
from blog.parsing.text import slugify

# Jekyll's post file names: 2025-05-13-some-title.md, and 2017-2-5-title.md too.
DATED_FILE_NAME = re.compile(r"^(?P<date>\d{2,4}-\d{1,2}-\d{1,2})-(?P<slug>.+)$")
SLUG = re.compile(r"^[-\w]+$")
TITLE_MAX_LENGTH = 300
TERM_MAX_LENGTH = 100  # tags and keywords (taggit's names)
NAME_MAX_LENGTH = 200  # categories and authors
SLUG_MAX_LENGTH = 200
HUGO_SUMMARY_WORDS = 70


@dataclass(frozen=True)
class AuthorRef:
    name: str
    website: str = ""
    email: str = ""


class Generator:
    """Whose conventions a file follows; it decides how strings split and how excerpts are cut."""

    JEKYLL = "jekyll"
    HUGO = "hugo"


@dataclass
class ParsedPost:
    source_path: str  # POSIX path relative to the imported folder: the post's identity
    source_hash: str  # SHA-256 of the file's bytes
    title: str
    slug: str
    published_at: dt.datetime  # timezone-aware
    body: str
    published: bool = True
    updated_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    layout: str = ""
    authors: list[AuthorRef] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    excerpt: str = ""
    excerpt_separator: str = ""
    generator: str = Generator.JEKYLL
    front_matter_format: str = "yaml"  # yaml, toml, json, or "" for a file without front matter
    images: list[str] = field(default_factory=list)
    permalink: str = ""
    aliases: list[str] = field(default_factory=list)
    # The address the old site published this file at, as its generator computes it (from the
    # site's configuration when one was read); see ``addresses``.
    url: str = ""
    kind: str = "post"  # or "page": served at its own address, outside the stream of posts
    redirect_to: str = ""  # a page that sends readers elsewhere (jekyll-redirect-from)
    # The dialect of the body ("jekyll": Liquid; "hugo": shortcodes; "": plain markdown), which
    # rendering converts, and the line of the file where the body starts, for messages.
    markup: str = ""
    body_line: int = 1
    feed_id: str = ""  # the id the old site's feed gave it, if known
    files: list = field(default_factory=list)  # the old site's files it refers to (LocalFile)
    # Hugo cuts automatic summaries after about 70 words (its `summaryLength`); Jekyll takes the
    # first paragraph (0). None: the generator's default.
    excerpt_words: int | None = None
    excerpt_cjk: bool = False  # Hugo's hasCJKLanguage: each CJK character counts as a word
    extra: dict = field(default_factory=dict)  # front-matter keys with no field of their own
    warnings: list[Message] = field(default_factory=list)
    source_bytes: bytes = field(default=b"", repr=False)  # the file as it is, for the export

    def __post_init__(self):
        if self.excerpt_words is None:
            self.excerpt_words = HUGO_SUMMARY_WORDS if self.generator == Generator.HUGO else 0

    @property
    def addresses(self):
        """Every address the old site published this file at, decoded (as Django's
        ``request.path`` gives them): the generator's own address (``url``), and the aliases
        (Hugo's ``aliases``, jekyll-redirect-from's ``redirect_from``). Without a site
        configuration, the permalink and the generator's default address (Jekyll's
        ``/:categories/:year/:month/:day/:title.html``, Hugo's ``/section/slug/``) stand in."""
        if self.url:
            own = [self.url]
        elif self.kind == "post":
            own = [self._normalise_url(self.permalink), self.default_old_url()]
        else:
            own = []
        paths = [site_path(address) for address in (*own, *self.aliases) if address]
        return list(dict.fromkeys(path for path in paths if path))

    def default_old_url(self):
        path = PurePosixPath(self.source_path)
        name_slug = date_and_slug_from_path(path)[1]
        if self.generator == Generator.HUGO:
            folders = [part for part in path.parts[:-1] if part != "content"]
            if path.stem == "index":
                folders = folders[:-1]
            return "/".join(["", *folders, self.slug, ""])
        day = self.published_at.date()
        categories = [category.lower().replace(" ", "-") for category in self.categories]
        slug = self.slug if self.slug != slugify(name_slug) else name_slug
        return "/".join(["", *categories, f"{day:%Y/%m/%d}", f"{slug}.html"])

    def _normalise_url(self, url):
        url = url.strip().split("?")[0].split("#")[0]
        if "://" in url:
            url = "/" + url.split("://", 1)[1].partition("/")[2]
        if ":" in url:  # placeholders this post cannot fill: /:year/:title/
            day = self.published_at.date()
            for placeholder, value in (
                (":year", f"{day:%Y}"),
                (":month", f"{day:%m}"),
                (":day", f"{day:%d}"),
                (":title", self.slug),
                (":slug", self.slug),
                (":categories", "/".join(c.lower() for c in self.categories)),
            ):
                url = url.replace(placeholder, value)
            if ":" in url:
                return ""
        url = "/" + url.lstrip("/")
        url = url.removesuffix("index.html")
        return url.replace("//", "/") if url != "/" else ""


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


def date_and_slug_from_path(source_path):
    """The date and slug that Jekyll's file name or Hugo's page bundle folder gives."""
    stem = source_path.stem
    if stem == "index" and len(source_path.parts) > 1:
        stem = source_path.parts[-2]  # a Hugo page bundle: some-slug/index.md
    match = DATED_FILE_NAME.match(stem)
    if match is None:
        return None, stem
    year, month, day = (int(part) for part in match["date"].split("-"))
    try:
        return dt.date(year, month, day), match["slug"]
    except ValueError:
        return None, stem
