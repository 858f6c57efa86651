"""Front-matter markdown files → plain data.

No Django and no database here. ``find_post_files()`` walks the folders a site owner gives and
decides which files are posts (Jekyll's ``_posts/`` and ``_drafts/``, Hugo's ``content/`` and page
bundles); ``parse_post()`` turns the bytes of one file into a ``ParsedPost`` or raises
``ParseError`` naming the file, line and column. The loader turns a ``ParsedPost`` into models;
the importer wires the two together.

Front matter may be YAML between ``---`` lines (Jekyll, Hugo), TOML between ``+++`` lines (Hugo) or
a JSON object at the top of the file (Hugo). YAML is read with libyaml (``yaml.CSafeLoader``), the
parser Jekyll uses, so that every file Jekyll accepts is accepted here; PyYAML's pure-Python loader
rejects some of them. Nothing is ever loaded with an unsafe loader.
"""

import datetime as dt
import hashlib
import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from blog.safety import IMAGE_RULE, LINK_RULE, is_safe_image, is_safe_link, strip_xml_invalid

try:
    from yaml import CSafeLoader
except ImportError as error:  # pragma: no cover - depends on how PyYAML was built
    raise ImportError(
        "PyYAML was installed without libyaml, so yaml.CSafeLoader is missing. Jekyll reads front "
        "matter with libyaml, and the pure-Python loader rejects files Jekyll accepts. Reinstall "
        "PyYAML from a wheel: pip install --force-reinstall --only-binary=:all: pyyaml"
    ) from error

# Jekyll's default `markdown_ext` list, plus `.mdown`.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mkdown")
# A post bigger than this is almost certainly not a post (a log, a data dump, a base64 image).
MAX_FILE_BYTES = 10 * 1024 * 1024

# Jekyll's post file names: 2025-05-13-some-title.md, and 2017-2-5-title.md too.
DATED_FILE_NAME = re.compile(r"^(?P<date>\d{2,4}-\d{1,2}-\d{1,2})-(?P<slug>.+)$")
SLUG = re.compile(r"^[-\w]+$")
TITLE_MAX_LENGTH = 300
TERM_MAX_LENGTH = 100  # tags and keywords (taggit's names)
NAME_MAX_LENGTH = 200  # categories and authors
SLUG_MAX_LENGTH = 200
HUGO_SUMMARY_WORDS = 70


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Message:
    """Something the importer tells the site owner about one file (or about the run)."""

    path: str
    text: str
    severity: str = Severity.ERROR
    line: int | None = None
    column: int | None = None
    source_line: str | None = None

    def __str__(self):
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        text = f"{location}: {self.text}" if location else self.text
        if self.source_line is not None:
            text += f"\n    {self.source_line}"
        return text

    def as_dict(self):
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "text": self.text,
        }


class ParseError(Exception):
    """A file that cannot be imported, with where and why."""

    def __init__(self, path, message, *, line=None, column=None, source_line=None):
        super().__init__(message)
        self.message = Message(
            path=str(path), text=message, line=line, column=column, source_line=source_line
        )

    @property
    def path(self):
        return self.message.path

    @property
    def line(self):
        return self.message.line

    @property
    def column(self):
        return self.message.column

    def __str__(self):
        return str(self.message)


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
    extra: dict = field(default_factory=dict)  # front-matter keys with no field of their own
    warnings: list[Message] = field(default_factory=list)

    @property
    def old_urls(self):
        """Addresses the post had on the old site, for redirects: its permalink, its aliases, and
        the address the generator gives a post by default (Jekyll's
        ``/:categories/:year/:month/:day/:title.html``, Hugo's ``/section/slug/``). Paths are
        kept decoded, as Django's ``request.path`` gives them."""
        urls = [self._normalise_url(url) for url in (self.permalink, *self.aliases)]
        return list(dict.fromkeys(url for url in [*urls, self.default_old_url()] if url))

    def default_old_url(self):
        path = PurePosixPath(self.source_path)
        name_slug = _date_and_slug_from_path(path)[1]
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

    @property
    def excerpt_words(self):
        """Hugo cuts automatic summaries after about 70 words; Jekyll takes the first paragraph."""
        return HUGO_SUMMARY_WORDS if self.generator == Generator.HUGO else 0


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


# --- Finding posts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFile:
    path: str  # where it is on disk
    source_path: str  # relative to the folder given, POSIX: the post's identity


@dataclass
class Discovery:
    files: list[PostFile] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    skipped: int = 0


HUGO_CONFIG_FILES = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")


def find_post_files(path, *, drafts=False):
    """The post files under ``path`` (a file or a folder), in path order, and what was left out.

    A folder holding ``_posts/`` folders is read as a Jekyll site: only ``_posts/`` (and
    ``_drafts/`` with ``drafts=True``) hold posts; other markdown files are pages. A Hugo site (a
    folder with a Hugo config and ``content/``) is read from ``content/``. Any other folder is
    read whole. Hugo section pages (``_index.md``) are not posts. Symbolic links are followed,
    and a link that leads back into a folder already being read is reported, not followed.
    """
    path = Path(path)
    discovery = Discovery()
    if path.is_file():
        discovery.files.append(PostFile(path=str(path), source_path=path.name))
        return discovery

    # Plain strings, not Path objects: a site may have tens of thousands of files.
    walked = list(_walk(str(path), discovery))
    is_jekyll_site = any("_posts" in relative.split("/")[:-1] for _, relative in walked)
    is_hugo_site = (
        not is_jekyll_site
        and (path / "content").is_dir()
        and any((path / name).is_file() for name in HUGO_CONFIG_FILES)
    )
    drafts_skipped = pages_skipped = 0
    for file, source_path in walked:
        *folders, name = source_path.split("/")
        stem, dot, suffix = name.rpartition(".")
        suffix = f"{dot}{suffix}".lower() if dot else ""
        stem = stem if dot else name
        if suffix not in MARKDOWN_SUFFIXES:
            if "_posts" in folders and DATED_FILE_NAME.match(stem):
                discovery.skipped += 1
                discovery.messages.append(
                    Message(
                        source_path,
                        f"skipped: '{suffix}' is not a markdown extension "
                        f"({', '.join(MARKDOWN_SUFFIXES)})",
                        Severity.INFO,
                    )
                )
            continue
        if "_drafts" in folders:
            if not drafts:
                drafts_skipped += 1
                continue
        elif (is_jekyll_site and "_posts" not in folders) or (
            is_hugo_site and folders[:1] != ["content"]
        ):
            pages_skipped += 1
            continue
        if name == "_index.md":
            discovery.skipped += 1
            discovery.messages.append(
                Message(source_path, "skipped: a Hugo section page (_index.md), not a post", "info")
            )
            continue
        if "_posts" in folders and not DATED_FILE_NAME.match(stem):
            discovery.skipped += 1
            discovery.messages.append(
                Message(
                    source_path,
                    "skipped: files in _posts/ are posts only when named YYYY-MM-DD-title.md "
                    "(as Jekyll reads them)",
                    Severity.INFO,
                )
            )
            continue
        if not os.path.isfile(file):
            discovery.messages.append(
                Message(source_path, "cannot read the file: it is a broken symbolic link")
            )
            continue
        discovery.files.append(PostFile(path=file, source_path=source_path))

    shown = path.as_posix()
    if drafts_skipped:
        discovery.skipped += drafts_skipped
        discovery.messages.append(
            Message(
                shown,
                f"skipped {drafts_skipped} draft(s) in _drafts/: add --drafts to import them",
                Severity.INFO,
            )
        )
    if pages_skipped:
        discovery.skipped += pages_skipped
        where = "_posts/" if is_jekyll_site else "content/"
        discovery.messages.append(
            Message(
                shown,
                f"skipped {pages_skipped} markdown page(s) outside {where}: they are site pages, "
                "not posts",
                Severity.INFO,
            )
        )
    return discovery


def _walk(root, discovery):
    """(file, path relative to root) for every file under root, sorted, following symlinks once.

    Names starting with a dot (.git, .DS_Store) are left out.
    """
    seen_folders = set()

    def visit(folder, relative):
        shown = relative or "."
        try:
            status = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            discovery.messages.append(Message(shown, f"cannot read the folder: {error.strerror}"))
            return
        if (status.st_dev, status.st_ino) in seen_folders:
            discovery.messages.append(
                Message(
                    shown,
                    "skipped: this symbolic link leads back to a folder already read "
                    "(a symlink loop)",
                    Severity.WARNING,
                )
            )
            return
        seen_folders.add((status.st_dev, status.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            entry_relative = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_folder = entry.is_dir()  # follows symbolic links
            except OSError:
                is_folder = False
            if is_folder:
                yield from visit(entry.path, entry_relative)
            else:
                yield entry.path, entry_relative

    yield from visit(root, "")


# --- Parsing one file ---------------------------------------------------------------------------


def parse_post(data, *, source_path, tz, allow_bare=False, lenient=False, fallback_date=None):
    """Parse the bytes of one post file.

    ``source_path`` is the file's path relative to the imported folder: it names the post in
    messages and gives the date, slug and categories that Jekyll and Hugo take from file and folder
    names. Naive dates are read in ``tz``. ``allow_bare`` accepts a file without front matter.
    ``lenient`` imports a file whose front matter does not parse from its file name alone, with a
    warning, as Jekyll does without ``strict_front_matter``. ``fallback_date`` dates a draft that
    has no date (Jekyll uses the file's modification time).
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
        front_matter = _unparsed_front_matter(text)
        warnings.append(
            replace(
                error.message,
                text=f"{error.message.text}; imported from its file name only "
                "(--lenient-front-matter), with the front matter kept as text",
                severity=Severity.WARNING,
            )
        )
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
    return _Reader(
        front_matter,
        source_path=source_path,
        source_hash=content_hash(data),
        tz=tz,
        lines=text.split("\n"),
        fallback_date=fallback_date,
        warnings=warnings,
    ).post()


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


@dataclass
class FrontMatter:
    format: str  # yaml, toml, json or "" when there is none
    data: dict
    body: str
    body_line: int  # the line of the file where the body starts
    raw: str = ""  # the front matter as written


YAML_OPEN = re.compile(r"---[ \t]*\n")
YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$\n?", re.MULTILINE)
TOML_OPEN = re.compile(r"\+\+\+[ \t]*\n")
TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$\n?", re.MULTILINE)


def split_front_matter(text, source_path):
    """The front matter of ``text``, parsed, and the body after it; None if there is none."""
    for fmt, opening, closing, load in (
        ("yaml", YAML_OPEN, YAML_CLOSE, _load_yaml),
        ("toml", TOML_OPEN, TOML_CLOSE, _load_toml),
    ):
        start = opening.match(text)
        if start is None:
            continue
        end = closing.search(text, start.end())
        if end is None:
            delimiter = text[: start.end()].strip()
            raise ParseError(
                source_path,
                f"the front matter is never closed: add a line '{delimiter}' after it",
                line=1,
                source_line=delimiter,
            )
        raw = text[start.end() : end.start()]
        data = load(raw, source_path)
        body_line = text.count("\n", 0, end.end()) + 1
        return FrontMatter(fmt, data, text[end.end() :], body_line, raw)
    if text.startswith("{"):
        data, end = _load_json(text, source_path)
        body = text[end:]
        body = body[1:] if body.startswith("\n") else body
        return FrontMatter("json", data, body, text.count("\n", 0, end) + 2, text[:end])
    return None


class FrontMatterLoader(CSafeLoader):
    """libyaml's safe loader, except that a date that cannot exist stays text.

    ``date: 2023-02-30`` would otherwise stop the whole file with a bare ValueError; as text it
    reaches the date check, which names the key and the line.
    """


def _timestamp_or_text(loader, node):
    try:
        return CSafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _load_yaml(raw, source_path):
    try:
        data = yaml.load(raw, Loader=FrontMatterLoader)  # a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        lines = raw.split("\n")
        if mark is not None and (mark.line >= len(lines) or not lines[mark.line].strip()):
            # libyaml notices an unclosed '[', '{' or quote only where the front matter ends;
            # point at the last line with text, where the value began.
            last = max((i for i, line in enumerate(lines[: mark.line]) if line.strip()), default=0)
            mark = yaml.Mark("", 0, last, len(lines[last]), None, None)
            problem += (
                " (the front matter ends before a value is complete: is a bracket or quote "
                "left open?)"
            )
        if "could not determine a constructor" in problem:
            tag = (problem.split("tag ", 1)[-1]).strip("'")
            problem = (
                f"the tag {tag} is not allowed: front matter may hold only text, numbers, "
                "dates, lists and mappings"
            )
        raise _located_error(
            source_path, f"invalid YAML front matter: {problem}", raw, mark
        ) from None
    except yaml.YAMLError as error:
        raise ParseError(source_path, f"invalid YAML front matter: {error}") from None
    return _mapping(data, source_path, "YAML")


def _located_error(source_path, message, raw, mark):
    """A ParseError at a position inside the front matter, counted in lines of the file."""
    if mark is None:
        return ParseError(source_path, message)
    lines = raw.split("\n")
    return ParseError(
        source_path,
        message,
        # +2: marks count from zero, and from the line after the opening delimiter.
        line=mark.line + 2,
        column=mark.column + 1,
        source_line=lines[mark.line] if mark.line < len(lines) else None,
    )


TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def _load_toml(raw, source_path):
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        text = str(error)
        position = TOML_POSITION.search(text)
        line = column = source_line = None
        if position:
            text = text[: position.start()]
            line, column = int(position["line"]) + 1, int(position["column"])
            lines = raw.split("\n")
            source_line = lines[line - 2] if line - 2 < len(lines) else None
        raise ParseError(
            source_path,
            f"invalid TOML front matter: {text[:1].lower()}{text[1:]}",
            line=line,
            column=column,
            source_line=source_line,
        ) from None
    return data


def _load_json(text, source_path):
    try:
        data, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as error:
        lines = text.split("\n")
        raise ParseError(
            source_path,
            f"invalid JSON front matter: {error.msg}",
            line=error.lineno,
            column=error.colno,
            source_line=lines[error.lineno - 1] if error.lineno <= len(lines) else None,
        ) from None
    return _mapping(data, source_path, "JSON"), end


def _mapping(data, source_path, language):
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParseError(
            source_path,
            f"the {language} front matter must be a mapping of keys to values, not a {_kind(data)}",
            line=2,
        )
    return data


def _unparsed_front_matter(text):
    """Front matter that does not parse, kept as text, and the body after its closing line."""
    for opening, closing in ((YAML_OPEN, YAML_CLOSE), (TOML_OPEN, TOML_CLOSE)):
        start = opening.match(text)
        if start:
            end = closing.search(text, start.end())
            raw = text[start.end() : end.start() if end else len(text)]
            body = text[end.end() :] if end else ""
            return FrontMatter("", {}, body, text.count("\n", 0, end.end()) + 1 if end else 1, raw)
    return FrontMatter("", {}, text, 1, text)


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
        self, front_matter, *, source_path, source_hash, tz, lines, fallback_date, warnings
    ):
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
            cleaned = _map_strings(value, strip_xml_invalid)
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
        name_date, name_slug = _date_and_slug_from_path(self.source_path)
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
            title = _title_from_slug(slug)

        published = self.get("published", True)
        if not isinstance(published, bool):  # Hugo's `published` is a date
            published = True
        draft = self.get("draft", False)
        if not isinstance(draft, bool):
            self.fail("draft", f"'draft' must be true or false, not {_text(draft)!r}")
        in_drafts_folder = "_drafts" in self.source_path.parts[:-1]

        extra = {}
        if self.front_matter.format == "" and self.front_matter.raw:
            extra["_unparsed_front_matter"] = self.front_matter.raw
        summary = self.text("summary")

        post = ParsedPost(
            source_path=str(self.source_path),
            source_hash=self.source_hash,
            title=title,
            slug=slug,
            published_at=self.published_at(name_date, in_drafts_folder),
            updated_at=self.first_date(UPDATED_KEYS),
            expires_at=self.first_date(EXPIRY_KEYS),
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
            excerpt_separator=self.text("excerpt_separator"),
            layout=self.text("layout"),
            generator=generator,
            front_matter_format=self.front_matter.format,
            images=self.images(),
            permalink=self.text("permalink"),
            aliases=self.aliases(),
            warnings=self.warnings,
        )
        post.categories = _unique(post.categories)
        # What is left has no field of its own: keep it, nested and typed, as JSON can hold it.
        extra.update(
            (str(key), value)
            for key, value in self.front_matter.data.items()
            if key not in self.used
        )
        post.extra = jsonable(extra)
        return post

    def slug(self, name_slug):
        if self.has("slug"):
            given = self.get("slug")
            if isinstance(given, dict | list):
                self.fail("slug", f"the slug must be text, not a {_kind(given)}")
            given = _text(given).strip()
            if SLUG.match(given) and len(given) <= SLUG_MAX_LENGTH:
                return given
            slug = _clip(slugify(given), SLUG_MAX_LENGTH)
            if not slug:
                self.fail("slug", f"invalid slug {given!r}: use letters, digits and hyphens")
            self.warn("slug", f"the slug {given!r} is not usable in an address; using {slug!r}")
            return slug
        slug = name_slug if SLUG.match(name_slug) else slugify(name_slug)
        slug = _clip(slug, SLUG_MAX_LENGTH)
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
            self.fail("title", f"the title must be text, not a {_kind(title)}")
        title = " ".join(_text(title).split())
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
            self.fail(name, f"expected text, not a {_kind(value)}")
        return _text(value)

    def date(self, name):
        value = self.get(name)
        parsed = _datetime(value, self.tz)
        if parsed is None:
            self.fail(name, f"invalid date {_text(value)!r}")
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
        raise ParseError(
            self.source_path,
            "no date: add 'date: YYYY-MM-DD' to the front matter or name the file "
            "YYYY-MM-DD-title.md",
        )

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
                self.fail(name, f"expected a list or text, not a {_kind(value)}")
            else:
                items = [value]
            for item in items:
                if isinstance(item, dict | list):
                    self.fail(name, f"each entry must be text, not a {_kind(item)}")
                if item is None:
                    continue
                text = " ".join(_text(item).split())
                limit = NAME_MAX_LENGTH if name in ("categories", "category") else TERM_MAX_LENGTH
                if len(text) > limit:
                    self.fail(
                        name,
                        f"{text[:30]!r}… is {len(text)} characters long; a name may have at most "
                        f"{limit}",
                    )
                if text:
                    terms.append(text)
        return _unique(terms)

    def entries(self, names):
        """(key, entry) for every entry of the keys ``names``, each a value or a list of them."""
        for name in names:
            value = self.get(name)
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    yield name, item

    def authors(self):
        authors = []
        for name, item in self.entries(("author", "authors")):
            if isinstance(item, dict):
                item_name = item.get("name")
                if not item_name:
                    self.fail(name, "an author given as a mapping needs a 'name'")
                website = _text(item.get("url") or item.get("website") or "").strip()
                if website and not is_safe_link(website):
                    self.warn(name, f"left out the author's address {website!r}: use {LINK_RULE}")
                    website = ""
                author = AuthorRef(
                    name=" ".join(_text(item_name).split()),
                    website=website,
                    email=_text(item.get("email") or ""),
                )
            elif isinstance(item, list):
                self.fail(name, "an author must be a name or a mapping, not a nested list")
            else:
                author = AuthorRef(name=" ".join(_text(item).split()))
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
        return _unique(images)

    def aliases(self):
        aliases = []
        for name, item in self.entries(("aliases", "redirect_from")):
            if not isinstance(item, str):
                self.fail(name, f"each old address must be text, not a {_kind(item)}")
            if item.strip():
                aliases.append(item.strip())
        return _unique(aliases)


def _date_and_slug_from_path(source_path):
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


def _folder_categories(source_path):
    """Jekyll's categories from the folders above `_posts/` (`es/_posts/x.md` is in 'es')."""
    folders = source_path.parts[:-1]
    if "_posts" not in folders:
        return []
    return [part for part in folders[: folders.index("_posts")] if part]


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


def _unique(items):
    """Items in order, without repeats that differ only in case."""
    seen = set()
    unique = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            unique.append(item)
    return unique


def _clip(slug, length):
    if len(slug) <= length:
        return slug
    return slug[:length].rsplit("-", 1)[0] or slug[:length]


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _kind(value):
    return {dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _title_from_slug(slug):
    """Jekyll's titleize_slug: 'my-first-post' → 'My First Post'."""
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_]+", slug) if word)


def jsonable(value):
    """Front-matter values as JSON can hold them: dates and times become ISO 8601 strings."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)  # YAML's .nan and .inf have no JSON spelling
    return value


def _map_strings(value, function):
    """``value`` with ``function`` applied to every string in it, however nested."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, list):
        return [_map_strings(item, function) for item in value]
    if isinstance(value, dict):
        return {key: _map_strings(item, function) for key, item in value.items()}
    return value


def term_slug(name, max_length=100):
    """The address part of a tag, category, author or keyword: its slug; for a name with no
    letters or digits (``🐍``, ``<<>>``, ``!!!``), its characters' code points (``u1f40d``), so
    that it is never empty and one name always gets the same one."""
    slug = slugify(name)[:max_length].strip("-_")
    if slug:
        return slug
    slug = "-".join(f"u{ord(char):x}" for char in str(name) if not char.isspace())
    if len(slug) > max_length:
        slug = "u-" + hashlib.sha256(str(name).encode()).hexdigest()[:16]
    return slug


def slugify(text):
    """Lower-case words joined by hyphens, keeping letters of every script (like Django's)."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s_]+", "-", text).strip("-_")
