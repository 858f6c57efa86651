"""Front-matter markdown file → plain data.

No Django and no database here: ``parse_post()`` turns the bytes of one file into a ``ParsedPost``
or raises ``ParseError`` naming the file, line and column. The loader turns a ``ParsedPost`` into
models; the importer walks folders and wires the two together.

YAML is read with libyaml (``yaml.CSafeLoader``), the same parser Jekyll uses, so that every file
Jekyll accepts is accepted here; the pure-Python loader rejects some of them.
"""

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

try:
    from yaml import CSafeLoader as YamlLoader
except ImportError as error:  # pragma: no cover - depends on how PyYAML was built
    raise ImportError(
        "PyYAML was installed without libyaml, so yaml.CSafeLoader is missing. Jekyll reads front "
        "matter with libyaml, and the pure-Python loader rejects files Jekyll accepts. Reinstall "
        "PyYAML from a wheel: pip install --force-reinstall --only-binary=:all: pyyaml"
    ) from error

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")

# Jekyll's post file names: 2025-05-13-some-title.md
DATED_FILE_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)$")
YAML_DELIMITER = re.compile(r"^---[ \t]*$", re.MULTILINE)
SLUG = re.compile(r"^[-\w]+$")


@dataclass(frozen=True)
class AuthorRef:
    name: str
    website: str = ""
    email: str = ""


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
    layout: str = ""
    authors: list[AuthorRef] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    description: str = ""
    excerpt: str = ""
    excerpt_separator: str = ""
    extra: dict = field(default_factory=dict)  # front-matter keys with no field of their own


class ParseError(Exception):
    """A file that cannot be imported, with where and why."""

    def __init__(self, path, message, *, line=None, column=None, source_line=None):
        super().__init__(message)
        self.path = str(path)
        self.message = message
        self.line = line
        self.column = column
        self.source_line = source_line

    def __str__(self):
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        text = f"{location}: {self.message}"
        if self.source_line is not None:
            text += f"\n    {self.source_line}"
        return text


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


def parse_post(data, *, source_path, tz):
    """Parse the bytes of one post file.

    ``source_path`` is the file's path relative to the imported folder (it names the post in
    errors and gives the date and slug of Jekyll-style names); naive dates are read in ``tz``.
    """
    source_path = PurePosixPath(source_path)
    text = _decode(data, source_path)
    front_matter, body, body_line = _split_front_matter(text, source_path)
    meta = _load_yaml(front_matter, source_path)
    return _post_from_front_matter(
        meta,
        body=body,
        source_path=source_path,
        source_hash=content_hash(data),
        tz=tz,
        lines=text.split("\n"),
        body_line=body_line,
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
            f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text, source_path):
    """Return (front matter text, body, line number where the body starts)."""
    first_line = text.split("\n", 1)[0]
    if not YAML_DELIMITER.match(first_line):
        raise ParseError(
            source_path,
            "no front matter: the file must start with a line '---', then YAML such as "
            "'title: ...', then another '---'",
            line=1,
        )
    closing = YAML_DELIMITER.search(text, len(first_line) + 1)
    if closing is None:
        raise ParseError(
            source_path,
            "the front matter is never closed: add a line '---' after it",
            line=1,
            source_line=first_line,
        )
    front_matter = text[len(first_line) + 1 : closing.start()]
    body = text[closing.end() + 1 :]
    body_line = text.count("\n", 0, closing.end()) + 2
    return front_matter, body, body_line


def _load_yaml(front_matter, source_path):
    try:
        meta = yaml.load(front_matter, Loader=YamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = column = source_line = None
        if mark is not None:
            # +1: the marks count from the line after the opening '---', and from zero.
            line = mark.line + 2
            column = mark.column + 1
            lines = front_matter.split("\n")
            source_line = lines[mark.line] if mark.line < len(lines) else None
        problem = error.problem or error.context or "invalid YAML"
        raise ParseError(
            source_path,
            f"invalid YAML front matter: {problem}",
            line=line,
            column=column,
            source_line=source_line,
        ) from None
    except yaml.YAMLError as error:
        raise ParseError(source_path, f"invalid YAML front matter: {error}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ParseError(
            source_path,
            f"the front matter must be a mapping of keys to values, not a {_kind(meta)}",
            line=2,
        )
    return meta


# Keys read into fields of their own; everything else is kept in `extra`.
KNOWN_KEYS = {
    "title",
    "slug",
    "date",
    "last_modified_at",
    "layout",
    "published",
    "author",
    "authors",
    "categories",
    "category",
    "tags",
    "tag",
    "keywords",
    "description",
    "excerpt",
    "excerpt_separator",
}


def _post_from_front_matter(meta, *, body, source_path, source_hash, tz, lines, body_line):
    def fail(key, message):
        line = _key_line(lines, key, body_line)
        raise ParseError(
            source_path,
            f"{message} in front-matter key '{key}'",
            line=line,
            source_line=lines[line - 1] if line else None,
        )

    name_date, name_slug = _date_and_slug_from_file_name(source_path)

    slug = meta.get("slug")
    if slug is not None:
        slug = _text(slug)
        if not SLUG.match(slug):
            fail("slug", f"invalid slug {slug!r}: use letters, digits and hyphens only")
    else:
        slug = name_slug if SLUG.match(name_slug) else slugify(name_slug)
    if not slug:
        raise ParseError(source_path, "cannot make an address for this post: give it a 'slug'")

    if "date" in meta:
        published_at = _datetime(meta["date"], tz)
        if published_at is None:
            fail("date", f"invalid date {_text(meta['date'])!r}")
    elif name_date is not None:
        published_at = dt.datetime.combine(name_date, dt.time(), tzinfo=tz)
    else:
        raise ParseError(
            source_path,
            "no date: add 'date: YYYY-MM-DD' to the front matter or name the file "
            "YYYY-MM-DD-title.md",
        )

    updated_at = None
    if meta.get("last_modified_at") is not None:
        updated_at = _datetime(meta["last_modified_at"], tz)
        if updated_at is None:
            fail("last_modified_at", f"invalid date {_text(meta['last_modified_at'])!r}")

    title = meta.get("title")
    if isinstance(title, dict | list):
        fail("title", f"the title must be text, not a {_kind(title)}")
    title = _text(title).strip() if title is not None else _title_from_slug(slug)

    published = meta.get("published", True)
    if not isinstance(published, bool):
        fail("published", f"'published' must be true or false, not {_text(published)!r}")

    text_fields = {}
    for key in ("layout", "description", "excerpt", "excerpt_separator"):
        value = meta.get(key)
        if isinstance(value, dict | list):
            fail(key, f"expected text, not a {_kind(value)}")
        text_fields[key] = _text(value) if value is not None else ""

    return ParsedPost(
        source_path=str(source_path),
        source_hash=source_hash,
        title=title,
        slug=slug,
        published_at=published_at,
        updated_at=updated_at,
        published=published,
        body=body,
        authors=_authors(meta, fail),
        categories=_terms(meta, ("categories", "category"), fail, split=str.split),
        tags=_terms(meta, ("tags", "tag"), fail, split=str.split),
        keywords=_terms(meta, ("keywords",), fail, split=lambda s: s.split(",")),
        extra=jsonable({key: value for key, value in meta.items() if key not in KNOWN_KEYS}),
        **text_fields,
    )


def _date_and_slug_from_file_name(source_path):
    stem = source_path.stem
    match = DATED_FILE_NAME.match(stem)
    if match is None:
        return None, stem
    try:
        return dt.date.fromisoformat(match["date"]), match["slug"]
    except ValueError:
        return None, stem


DATE_STRING = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?$"
)


def _datetime(value, tz):
    """A timezone-aware datetime from a YAML date, date-time or string; None if it is not one."""
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
    time_text = match["time"] or "00:00"
    offset = match["offset"]
    if offset and offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        parsed = dt.datetime.fromisoformat(
            f"{year:04d}-{month:02d}-{day:02d}T{time_text.zfill(5)}"
            + ("+00:00" if offset == "Z" else (offset or ""))
        )
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _terms(meta, keys, fail, *, split):
    """Tags, categories or keywords from a list, or from a string the generator would split."""
    terms = []
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            items = split(value)
        elif isinstance(value, list):
            items = value
        else:
            items = [value]
        for item in items:
            if isinstance(item, dict | list):
                fail(key, f"each entry must be text, not a {_kind(item)}")
            text = _text(item).strip()
            if text and text.casefold() not in {term.casefold() for term in terms}:
                terms.append(text)
    return terms


def _authors(meta, fail):
    authors = []
    for key in ("author", "authors"):
        value = meta.get(key)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                name = item.get("name")
                if not name:
                    fail(key, "an author given as a mapping needs a 'name'")
                author = AuthorRef(
                    name=_text(name).strip(),
                    website=_text(item.get("url") or item.get("website") or ""),
                    email=_text(item.get("email") or ""),
                )
            elif isinstance(item, list):
                fail(key, "an author must be a name or a mapping, not a nested list")
            else:
                author = AuthorRef(name=_text(item).strip())
            if author.name and author.name not in {known.name for known in authors}:
                authors.append(author)
    return authors


def _key_line(lines, key, body_line):
    """The 1-based line where ``key`` is defined in the front matter, for error messages."""
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(lines[: body_line - 1], start=1):
        if pattern.match(line):
            return number
    return None


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _kind(value):
    return {dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _title_from_slug(slug):
    return slug.replace("-", " ").replace("_", " ").strip().capitalize()


def jsonable(value):
    """Front-matter values as JSON can hold them: dates become ISO 8601 strings."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def slugify(text):
    """Lower-case words joined by hyphens, keeping letters of every script (like Django's)."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s_]+", "-", text).strip("-_")


def find_post_files(path):
    """Markdown files under ``path`` (or ``path`` itself), sorted, with the folder they count from.

    Yields ``(root, file)`` pairs; a file's identity is its path relative to ``root``.
    """
    path = Path(path)
    if path.is_file():
        yield path.parent, path
        return
    for candidate in sorted(path.rglob("*")):
        if candidate.suffix.lower() in MARKDOWN_SUFFIXES and candidate.is_file():
            yield path, candidate
