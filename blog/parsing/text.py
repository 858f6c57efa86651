"""Text helpers shared by the parsing modules: slugs, names, JSON-safe values."""

import datetime as dt
import hashlib
import re
import unicodedata


def unique(items):
    """Items in order, without repeats that differ only in case."""
    seen = set()
    unique = []
    for item in items:
        if item.casefold() not in seen:
            seen.add(item.casefold())
            unique.append(item)
    return unique


def clip(slug, length):
    if len(slug) <= length:
        return slug
    return slug[:length].rsplit("-", 1)[0] or slug[:length]


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def kind_of(value):
    return {dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def title_from_slug(slug):
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


def map_strings(value, function):
    """``value`` with ``function`` applied to every string in it, however nested."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, list):
        return [map_strings(item, function) for item in value]
    if isinstance(value, dict):
        return {key: map_strings(item, function) for key, item in value.items()}
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
