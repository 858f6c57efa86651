"""Whole sites: which generator made a folder, and what its configuration says.

``read_site(folder)`` finds a Jekyll site (``_config.yml``/``_config.toml``, or ``_posts/``) or a
Hugo site (``hugo.toml``/``.yaml``/``.json``, ``config.*``, ``config/_default/``) and reads the
configuration that changes what is published and where. The generator's module (``jekyll``,
``hugo``) knows its rules; this module holds what every site shares. No Django here.
"""

from dataclasses import dataclass, field
from pathlib import Path

from blog.parsing.messages import Message
from blog.parsing.text import jsonable


class Role:
    """What a file of a site is."""

    POST = "post"  # a dated entry of the blog
    DRAFT = "draft"  # a post not published yet (Jekyll's _drafts/)
    PAGE = "page"  # served at its own address, outside the stream of posts
    SECTION = "section"  # a Hugo list page's text (_index.md)


@dataclass
class Site:
    """What a site's configuration says; subclassed per generator."""

    root: str
    generator: str = ""
    config_files: list[str] = field(default_factory=list)
    base_path: str = ""  # the path of the site's address (Jekyll's baseurl, Hugo's baseURL)
    timezone: str = ""  # an IANA name, if the site sets one
    drafts: bool = False  # the generator publishes drafts (show_drafts, buildDrafts)
    config: dict = field(default_factory=dict)  # the configuration as read
    messages: list[Message] = field(default_factory=list)

    def describe(self):
        """One line saying what was understood, for the import's summary."""
        raise NotImplementedError

    def prepare(self, source_paths):
        """Learn what the whole list of content files says (Hugo's sections)."""

    def role(self, source_path):
        """The ``Role`` of the file at ``source_path`` (relative to the root, POSIX), or None
        when the generator does not publish it as content."""
        raise NotImplementedError

    def defaults(self, source_path, role):
        """Front-matter values the configuration gives this file (Jekyll's ``defaults``)."""
        return {}

    def address(self, post, front_matter):
        """The path the generator publishes ``post`` (a ``ParsedPost``) at."""
        raise NotImplementedError

    def template_material(self):
        """What the site's templates may read, as plain data: (configuration, data files,
        includes by path). Read from the site's folder; stored with the import."""
        return jsonable(self.config), {}, {}

    def site_address(self):
        """The old site's scheme and host (Jekyll's ``url``, Hugo's ``baseURL``), or ""."""
        return ""

    def feed_id(self, post, front_matter):
        """The id the old site's feed gave ``post`` (Hugo's RSS ``<guid>``: its absolute
        address); "" when the site's address is not configured."""
        origin = self.site_address()
        return origin + post.url if origin and post.url.startswith("/") else ""

    def zone_name(self):
        """The time zone dates without one are read in; "" for the import's own."""
        return self.timezone

    def post_address_pattern(self):
        """This site's post address pattern closest to the generator's (see
        ``blog.addresses``), and the placeholders it had to leave out."""
        raise NotImplementedError

    def with_base(self, path):
        return (self.base_path.rstrip("/") + path) if path.startswith("/") else path


def translate_pattern(template, known, *, base_path=""):
    """A generator's address template as this site's pattern: placeholders in ``known`` (a
    mapping of the generator's name to ours, or to a literal) are kept or replaced; others are
    left out, with the path segment they formed. Returns (pattern, left out)."""
    import re

    from blog.addresses import DEFAULT_POST_ADDRESS, pattern_problem

    left_out = []

    def replace(match):
        name = match[1]
        if name in known:
            return known[name]
        left_out.append(":" + name)
        return ""

    pattern = re.sub(r":([a-z_]+(?:\[-?\d*:-?\d*\])?)", replace, template)
    pattern = re.sub(r"/{2,}", "/", (base_path.rstrip("/") + "/" + pattern.lstrip("/")))
    if ":slug" not in pattern and ":title" not in pattern:
        pattern = pattern.rstrip("/") + "/:slug/"
    if pattern_problem(pattern):
        return DEFAULT_POST_ADDRESS, left_out
    return pattern, left_out


def read_site(folder):
    """The ``Site`` of ``folder``, or None for a plain folder of markdown files."""
    from blog.parsing import hugo, jekyll

    folder = Path(folder)
    if not folder.is_dir():
        return None
    for module in (jekyll, hugo):
        site = module.read_site(folder)
        if site is not None:
            return site
    return None


def load_data_file(path, shown, *, mapping=True):
    """A YAML, TOML or JSON configuration or data file as a mapping (or any value, with
    ``mapping=False``: Jekyll's data files may hold lists); ``ParseError`` naming the file
    (``shown``), line and column when it does not parse."""
    import json
    import tomllib

    import yaml

    from blog.parsing.front_matter import FrontMatterLoader
    from blog.parsing.messages import ParseError

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ParseError(shown, f"cannot read the file: {error}") from None
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=FrontMatterLoader)  # a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context
        lines = text.split("\n")
        line = column = None
        if mark is not None:
            line, column = mark.line, mark.column + 1
            if line >= len(lines) or not lines[line].strip():
                # libyaml notices an unclosed bracket or quote only where the file ends.
                line = max((i for i, text in enumerate(lines[:line]) if text.strip()), default=0)
                column = None
                problem += " (is a bracket or quote left open?)"
            line += 1
        raise ParseError(
            shown,
            f"invalid YAML: {problem}",
            line=line,
            column=column,
            source_line=lines[line - 1] if line else None,
        ) from None
    except json.JSONDecodeError as error:
        raise ParseError(
            shown, f"invalid JSON: {error.msg}", line=error.lineno, column=error.colno
        ) from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ParseError(shown, f"invalid {suffix.lstrip('.').upper()}: {error}") from None
    if data is None:
        return {} if mapping else None
    if mapping and not isinstance(data, dict):
        raise ParseError(shown, "expected a mapping of keys to values", line=1)
    return data
