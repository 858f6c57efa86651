"""Front matter: YAML between ``---`` lines, TOML between ``+++`` lines, or a JSON object."""

import json
import re
import tomllib
from dataclasses import dataclass

import yaml

from blog.parsing.messages import ParseError
from blog.parsing.text import kind_of

try:
    from yaml import CSafeLoader
except ImportError as error:  # pragma: no cover - depends on how PyYAML was built
    raise ImportError(
        "PyYAML was installed without libyaml, so yaml.CSafeLoader is missing. Jekyll reads front "
        "matter with libyaml, and the pure-Python loader rejects files Jekyll accepts. Reinstall "
        "PyYAML from a wheel: pip install --force-reinstall --only-binary=:all: pyyaml"
    ) from error


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
            f"the {language} front matter must be a mapping of keys to values, "
            f"not a {kind_of(data)}",
            line=2,
        )
    return data


def unparsed_front_matter(text):
    """Front matter that does not parse, kept as text, and the body after its closing line."""
    for opening, closing in ((YAML_OPEN, YAML_CLOSE), (TOML_OPEN, TOML_CLOSE)):
        start = opening.match(text)
        if start:
            end = closing.search(text, start.end())
            raw = text[start.end() : end.start() if end else len(text)]
            body = text[end.end() :] if end else ""
            return FrontMatter("", {}, body, text.count("\n", 0, end.end()) + 1 if end else 1, raw)
    return FrontMatter("", {}, text, 1, text)
