"""Jekyll's conventions, as Jekyll 4.3 applies them (checked against Debian's ``jekyll`` by
``tests/test_generators.py`` and ``tests/test_site_moves.py``).

Dates: Jekyll reads a front-matter date with Ruby's ``Time.parse``, which takes month names,
zone abbreviations and trailing words (``July 6, 2021``, ``2016-03-21 12:00 EDT``,
``2016-07-19 (optional)``). python-dateutil reads the same spellings; the differences from Ruby
that the tests found are handled here.

The site: ``read_site()`` reads ``_config.yml`` into a ``JekyllSite``, which knows which files
are posts, drafts and pages, the front-matter ``defaults`` each file gets, and the address Jekyll
writes each one at (``URL``, ``Drops::UrlDrop`` and ``Utils.slugify`` of Jekyll's source).
"""

import datetime as dt
import fnmatch
import os
import re
import warnings
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from dateutil import parser as dateutil_parser

from blog.parsing.messages import Message, ParseError, Severity
from blog.parsing.sites import Role, Site, load_data_file, translate_pattern
from blog.parsing.text import jsonable

HOUR = 3600
# Ruby's Time::ZoneOffset: the only zone names Time.parse understands. Any other abbreviation
# (CET, BST, IST...) is ignored and the time read as the site's, as Jekyll does.
ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "UT": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5 * HOUR,
    "EDT": -4 * HOUR,
    "CST": -6 * HOUR,
    "CDT": -5 * HOUR,
    "MST": -7 * HOUR,
    "MDT": -6 * HOUR,
    "PST": -8 * HOUR,
    "PDT": -7 * HOUR,
}


def _ignore_unknown_zone(name, offset):
    """dateutil's ``tzinfos`` hook: a zone Ruby knows, else none (the site's time zone)."""
    if name in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[name]
    return None


# "12:00-400": Ruby does not read a three-digit offset as a zone, and ignores it.
_IGNORED_OFFSET = re.compile(r"(?<=\d)\s*[+-]\d{3}$")
# Ruby reads the first date and time of a text and ignores what follows them when the rest does
# not parse ("2023-01-29 18:30:22 2023 -0800", from jekyllrb.com's own posts, is 18:30:22 UTC).
_LEADING_DATE_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
# Two defaults that differ in every date field: what the text leaves out comes from them.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2001, 2, 2, 1, 1, 1))


@dataclass(frozen=True)
class JekyllDate:
    moment: dt.datetime
    year_assumed: bool  # the text has no year: Jekyll uses the year it builds in


def parse_date(text, tz, *, today=None):
    """``text`` read as Jekyll reads a front-matter date, in ``tz`` when it names no zone.

    As Ruby's Time.parse: a missing day is the 1st ("July 2021"), a missing year is the current
    one ("July 6"; ``year_assumed``), a time without seconds has none. None when Jekyll refuses
    the text too ("2021", "tomorrow", "2021-13-45": "Invalid date").
    """
    text = _IGNORED_OFFSET.sub("", text.strip())
    readings = _readings(text)
    leading = _LEADING_DATE_TIME.match(text)
    if readings is None and leading:
        readings = _readings(leading.group(0))
    if readings is None:
        return None
    first, second = readings
    if first.month != second.month:
        return None  # no month: not a date Jekyll reads
    year_assumed = first.year != second.year
    year = (today or dt.datetime.now(tz).date()).year if year_assumed else first.year
    day = first.day if first.day == second.day else 1
    try:
        # The first default's time is midnight: a date alone, or a time without seconds, gets
        # zeros.
        moment = first.replace(year=year, day=day)
    except ValueError:
        return None  # February 29 in the current year, which has none
    return JekyllDate(moment if moment.tzinfo else moment.replace(tzinfo=tz), year_assumed)


def _readings(text):
    """``text`` read with each of the two defaults; None if it does not parse."""
    readings = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                # An abbreviation not in the table: Ruby ignores it too, and reads local time.
                warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
                readings.append(
                    dateutil_parser.parse(
                        text, default=default, fuzzy=True, tzinfos=_ignore_unknown_zone
                    )
                )
        except (ValueError, OverflowError):
            return None
    return readings


# --- The site: _config.yml, and the addresses Jekyll gives posts, pages and documents ----------

PERMALINK_STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
CONFIG_FILES = ("_config.yml", "_config.yaml", "_config.toml")
# Jekyll 4's default `exclude`, besides names starting with '.', '_', '#' or '~'.
DEFAULT_EXCLUDE = (
    "Gemfile",
    "Gemfile.lock",
    "gemfiles",
    "node_modules",
    "vendor/bundle",
    "vendor/cache",
    "vendor/gems",
    "vendor/ruby",
)
# Keys that change what is published or where, that the importer does not follow: said aloud.
UNSUPPORTED_KEYS = {
    "collections_dir": "collections are read from the site's root",
    "jekyll-archives": "archive pages are this site's own (/tags/, /categories/, /archive/)",
    "paginate_path": "list pages are numbered as ?page=2 here",
    "slugify_mode": "addresses are made with Jekyll's default slug rules",
}
# Ruby's "[^\p{M}\p{L}\p{Nd}]+" and its "pretty" variant: Python's \w is letters, digits and '_'.
_NOT_SLUG = re.compile(r"(?:[^\w]|_)+")
_NOT_PRETTY_SLUG = re.compile(r"[^\w._~!$&'()+,;=@]+")
# Addressable's normalize_component keeps these as they are; Jekyll escapes the rest.
_URL_SAFE = "-._~!$&'()*+,;=:@/"


def jekyll_slugify(text, *, pretty=False, cased=False):
    """Jekyll's ``Utils.slugify`` (modes default and pretty)."""
    if text is None:
        return None
    slug = (_NOT_PRETTY_SLUG if pretty else _NOT_SLUG).sub("-", str(text))
    slug = re.sub(r"^-|-$", "", slug, flags=re.MULTILINE)
    return slug if cased else slug.lower()


def escape_path(text):
    """Jekyll's ``URL.escape_path``: what an address may not hold as it is, percent-encoded.
    Addresses are kept encoded until ``blog.addresses.site_path`` decodes them once."""
    return quote(text, safe=_URL_SAFE)


def add_permalink_suffix(template, style):
    """Jekyll's ``Utils.add_permalink_suffix``: a page's or document's ending, by style."""
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none"):
        return template + ":output_ext"
    if style.endswith("/"):
        template += "/"
    if style.endswith(":output_ext"):
        template += ":output_ext"
    return template


def fill_template(template, values, *, strict):
    """Jekyll's ``URL``: placeholders replaced, then ``sanitize_url``. ``strict`` (documents)
    leaves a placeholder it does not know empty; pages leave it as written, as Jekyll does."""

    def replace(match):
        name = match[1]
        for key in (name, name.rstrip("_")) if name.endswith("_") else (name,):
            if key in values:
                value = values[key]
                suffix = name[len(key) :]
                return ("" if value is None else escape_path(str(value))) + suffix
        return "" if strict else match[0]

    if strict:
        url = re.sub(r":([a-z_]+)", replace, template)
    else:  # Page URLs: a nil placeholder takes its leading '/' with it
        url = template
        for key, value in values.items():
            if ":" not in url:
                break
            url = (
                url.replace(f"/:{key}", "")
                if value is None
                else url.replace(f":{key}", escape_path(value))
            )
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", url)


@dataclass
class JekyllSite(Site):
    permalink: str = "date"
    collections: dict = field(default_factory=dict)  # label → {"output": bool, "permalink": str}
    default_sets: list = field(default_factory=list)
    excerpt_separator: str = "\n\n"
    future: bool = False
    author: object = None
    authors: dict = field(default_factory=dict)  # _data/authors.*
    exclude: tuple = DEFAULT_EXCLUDE

    @property
    def permalink_template(self):
        """The posts' template: ``collections.posts.permalink``, else the site's style."""
        configured = self.collections.get("posts", {}).get("permalink")
        return configured or PERMALINK_STYLES.get(self.permalink, self.permalink)

    def describe(self):
        parts = [f"permalink {self.permalink_template}"]
        if self.timezone:
            parts.append(f"timezone {self.timezone}")
        if self.base_path:
            parts.append(f"baseurl {self.base_path}")
        if self.default_sets:
            parts.append(f"{len(self.default_sets)} defaults")
        published = [label for label, meta in self.collections.items() if meta.get("output")]
        published = [label for label in published if label != "posts"]
        if published:
            parts.append(f"collections: {', '.join(published)}")
        if self.future:
            parts.append("future posts published")
        if self.drafts:
            parts.append("drafts shown")
        return "Jekyll site: " + ", ".join(parts)

    # Includes and data files larger than this are left out: they are not text for a post.
    MATERIAL_MAX_BYTES = 512 * 1024

    def template_material(self):
        """``site.*`` (the configuration), ``site.data`` (``_data/`` files, by name) and the
        ``_includes/`` that ``include`` reads."""
        root = Path(self.root)
        data = {}
        data_folder = root / "_data"
        for path in sorted(data_folder.rglob("*")) if data_folder.is_dir() else []:
            if path.suffix.lower() not in (".yml", ".yaml", ".json", ".toml"):
                continue
            if path.stat().st_size > self.MATERIAL_MAX_BYTES:
                continue
            relative = path.relative_to(data_folder).with_suffix("").parts
            try:
                value = load_data_file(path, f"_data/{path.name}", mapping=False)
            except ParseError as error:
                self.messages.append(error.message)
                continue
            target = data
            for part in relative[:-1]:
                target = target.setdefault(part, {})
            target[relative[-1]] = jsonable(value)
        includes = {}
        include_folder = root / "_includes"
        for path in sorted(include_folder.rglob("*")) if include_folder.is_dir() else []:
            if path.is_file() and path.stat().st_size <= self.MATERIAL_MAX_BYTES:
                try:
                    text = path.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    continue
                includes[path.relative_to(include_folder).as_posix()] = text
        return jsonable(self.config), data, includes

    def feed_id(self, post, front_matter):
        """jekyll-feed's ``<id>``: the post's ``id`` (its address's folder and its slug, as
        ``Document#id`` makes it) as an absolute URL."""
        origin = self.site_address()
        if not origin or post.kind != "post" or not post.url.startswith("/"):
            return super().feed_id(post, front_matter)
        url = post.url[len(self.base_path) :] if self.base_path else post.url
        name = post.source_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        dated = re.match(r"^\d{2,4}-\d{1,2}-\d{1,2}-(.*)$", name)
        slug = front_matter.get("slug") if isinstance(front_matter.get("slug"), str) else None
        slug = slug or re.sub(r"\.*$", "", dated[1] if dated else name)
        folder = (
            url.rsplit("/", 1)[0] if not url.endswith("/") else url.rstrip("/").rsplit("/", 1)[0]
        )
        return origin + self.base_path + f"{folder}/{escape_path(slug)}"

    def site_address(self):
        url = self.config.get("url")
        if not isinstance(url, str) or "://" not in url:
            return ""
        parts = urlsplit(url.strip())
        return f"{parts.scheme}://{parts.netloc}"

    def post_address_pattern(self):
        known = {
            name: f":{name}"
            for name in (
                "year",
                "month",
                "day",
                "i_month",
                "i_day",
                "short_year",
                "y_day",
                "hour",
                "minute",
                "second",
                "title",
                "slug",
                "output_ext",
            )
        }
        return translate_pattern(self.permalink_template, known, base_path=self.base_path)

    def excluded(self, source_path):
        """Whether Jekyll leaves the file or folder out: a hidden name, or ``exclude``."""
        if any(part.startswith((".", "#", "~")) for part in source_path.split("/")):
            return True
        return any(
            source_path == name or source_path.startswith(name.rstrip("/") + "/")
            for name in self.exclude
        )

    def role(self, source_path):
        parts = source_path.split("/")
        if self.excluded(source_path):
            return None
        folders = parts[:-1]
        if "_posts" in folders:
            return Role.POST
        if "_drafts" in folders:
            return Role.DRAFT
        if folders and folders[0].startswith("_"):
            meta = self.collections.get(folders[0][1:])
            if meta is not None and meta.get("output") and folders[0] != "_posts":
                return Role.PAGE
            return None
        if any(part.startswith("_") for part in parts):
            return None
        return Role.PAGE

    def collection_of(self, source_path):
        first = source_path.split("/", 1)[0]
        if first.startswith("_") and first[1:] in self.collections and "/" in source_path:
            return first[1:]
        return None

    def defaults(self, source_path, role):
        types = {Role.POST: ("posts",), Role.DRAFT: ("drafts", "posts")}.get(role)
        if types is None:
            collection = self.collection_of(source_path)
            types = (collection,) if collection else ("pages",)
        matching = []
        for position, entry in enumerate(self.default_sets):
            scope = entry.get("scope") or {}
            scope_path = str(scope.get("path") or "").strip("/")
            scope_type = scope.get("type")
            if scope_type and scope_type not in types:
                continue
            if scope_path and not _path_in_scope(source_path, scope_path):
                continue
            specificity = (len([p for p in scope_path.split("/") if p]), bool(scope_type))
            matching.append((specificity, position, entry.get("values") or {}))
        values = {}
        for _, _, entry_values in sorted(matching, key=lambda item: (item[0], item[1])):
            values.update(entry_values)
        return values

    def address(self, post, front_matter):
        permalink = front_matter.get("permalink")
        permalink = permalink if isinstance(permalink, str) and permalink.strip() else None
        collection = self.collection_of(post.source_path)
        if post.kind == "post":
            values = self._document_values(post, "posts", front_matter)
            url = fill_template(permalink or self.permalink_template, values, strict=True)
        elif collection:
            template = self.collections[collection].get("permalink") or add_permalink_suffix(
                "/:collection/:path", self.permalink
            )
            values = self._document_values(post, collection, front_matter)
            url = fill_template(permalink or template, values, strict=True)
        else:
            folder, _, name = post.source_path.rpartition("/")
            basename = re.sub(r"\.*$", "", name.rsplit(".", 1)[0])
            template = (
                "/:path/"
                if basename == "index"
                else add_permalink_suffix("/:path/:basename", self.permalink)
            )
            values = {"path": folder, "basename": basename, "output_ext": ".html"}
            url = fill_template(permalink or template, values, strict=False)
        return self.with_base(url)

    def _document_values(self, post, collection, front_matter):
        name = post.source_path.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        dated = re.match(r"^\d{2,4}-\d{1,2}-\d{1,2}-(.*)$", stem)
        name_slug = re.sub(r"\.*$", "", dated[1] if dated else stem)
        given_slug = front_matter.get("slug")
        slug = given_slug if isinstance(given_slug, str) else name_slug
        # A document without a date has the build's time (only its address's date parts show it).
        moment = post.published_at or dt.datetime.now(dt.UTC)
        moment = moment.astimezone(self.zone) if self.zone else moment
        relative = post.source_path
        if collection != "posts":
            relative = relative.split("/", 1)[1]
            relative = "/" + re.sub(r"\.*$", "", relative.rsplit(".", 1)[0])
        categories = []
        for category in post.categories:
            if category.lower() not in categories:
                categories.append(category.lower())
        return {
            "collection": collection,
            "path": relative,
            "name": jekyll_slugify(stem),
            "title": jekyll_slugify(slug, pretty=True, cased=True),
            "slug": jekyll_slugify(slug),
            "categories": "/".join(categories),
            "slugified_categories": "/".join(jekyll_slugify(c) for c in post.categories),
            "year": f"{moment:%Y}",
            "month": f"{moment:%m}",
            "day": f"{moment:%d}",
            "hour": f"{moment:%H}",
            "minute": f"{moment:%M}",
            "second": f"{moment:%S}",
            "i_day": str(moment.day),
            "i_month": str(moment.month),
            "short_month": f"{moment:%b}",
            "long_month": f"{moment:%B}",
            "short_year": f"{moment:%y}",
            "w_year": f"{moment:%G}",
            "week": f"{moment:%V}",
            "w_day": f"{moment:%u}",
            "short_day": f"{moment:%a}",
            "long_day": f"{moment:%A}",
            "y_day": f"{moment:%j}",
            "output_ext": ".html",
        }

    @property
    def zone(self):
        if not self.timezone:
            return None
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None


def _path_in_scope(source_path, scope_path):
    if "*" in scope_path:
        return fnmatch.fnmatchcase(source_path, scope_path) or fnmatch.fnmatchcase(
            source_path, scope_path + "/*"
        )
    return source_path == scope_path or source_path.startswith(scope_path + "/")


def read_site(folder):
    """The ``JekyllSite`` of ``folder``: it has a ``_config`` file or a ``_posts/`` folder."""
    config_file = next((folder / name for name in CONFIG_FILES if (folder / name).is_file()), None)
    if config_file is None and not _has_posts_folder(folder):
        return None
    site = JekyllSite(root=str(folder), generator="jekyll")
    config = {}
    if config_file is not None:
        site.config_files.append(config_file.name)
        try:
            config = load_data_file(config_file, config_file.name)
        except ParseError as error:
            site.messages.append(error.message)
    site.config = config
    _apply_config(site, config)
    _read_authors(site, folder)
    return site


def _has_posts_folder(folder):
    """``_posts/`` at the root or one folder down (``blog/_posts/``, ``en/_posts/``)."""
    if (folder / "_posts").is_dir():
        return True
    try:
        # The listing says which entries are folders: no stat() for each of thousands of files.
        with os.scandir(folder) as entries:
            return any(
                os.path.isdir(os.path.join(entry.path, "_posts"))
                for entry in entries
                if not entry.name.startswith(".") and entry.is_dir()
            )
    except OSError:
        return False


def _apply_config(site, config):
    def warn(key, text):
        site.messages.append(
            Message(
                site.config_files[0] if site.config_files else "_config.yml",
                f"'{key}': {text}",
                Severity.WARNING,
            )
        )

    permalink = config.get("permalink")
    if isinstance(permalink, str) and permalink.strip():
        site.permalink = permalink.strip()
    elif permalink is not None:
        warn("permalink", "expected a style name or a template; using 'date'")
    site.base_path = _base_path(config.get("baseurl"))
    timezone = config.get("timezone")
    if isinstance(timezone, str) and timezone.strip():
        site.timezone = timezone.strip()
        if site.zone is None:
            warn("timezone", f"unknown time zone {timezone!r}; dates are read in the import's")
            site.timezone = ""
    collections = config.get("collections") or {}
    if isinstance(collections, list):  # the old spelling: a list of labels
        collections = {str(label): {} for label in collections}
    if isinstance(collections, dict):
        site.collections = {
            str(label): meta if isinstance(meta, dict) else {}
            for label, meta in collections.items()
        }
    defaults = config.get("defaults") or []
    if isinstance(defaults, list):
        site.default_sets = [entry for entry in defaults if isinstance(entry, dict)]
    separator = config.get("excerpt_separator")
    if isinstance(separator, str):
        site.excerpt_separator = separator
    site.future = config.get("future") is True
    site.drafts = config.get("show_drafts") is True
    site.author = config.get("author")
    exclude = config.get("exclude")
    if isinstance(exclude, list):
        site.exclude = (*DEFAULT_EXCLUDE, *(str(item).strip("/") for item in exclude))
    for key, text in UNSUPPORTED_KEYS.items():
        if key in config or key in (config.get("plugins") or []):
            warn(key, f"not followed: {text}")


def _base_path(value):
    if not isinstance(value, str) or not value.strip().strip("/"):
        return ""
    return "/" + value.strip().strip("/")


def _read_authors(site, folder):
    """``_data/authors.yml`` (or .yaml, .json, .toml): author handles → name, url, email."""
    for name in ("authors.yml", "authors.yaml", "authors.json", "authors.toml"):
        path = folder / "_data" / name
        if path.is_file():
            try:
                data = load_data_file(path, f"_data/{name}")
            except ParseError as error:
                site.messages.append(error.message)
                return
            site.authors = {str(key): value for key, value in data.items()}
            return
