"""Front-matter markdown files → plain data.

No Django and no database here. ``find_post_files()`` walks the folders a site owner gives,
reads the site's configuration when the folder is a Jekyll or Hugo site (``sites``, ``jekyll``,
``hugo``), and gives each file its role: a post, a draft, a page or a section's text.
``parse_post()`` turns the bytes of one file into a ``ParsedPost`` (a post or a page, with the
address the old site published it at) or raises ``ParseError`` naming the file, line and column.
The loader turns a ``ParsedPost`` into models; the importer wires the two together.

Front matter may be YAML between ``---`` lines (Jekyll, Hugo), TOML between ``+++`` lines (Hugo) or
a JSON object at the top of the file (Hugo). YAML is read with libyaml (``yaml.CSafeLoader``), the
parser Jekyll uses, so that every file Jekyll accepts is accepted here; PyYAML's pure-Python loader
rejects some of them. Nothing is ever loaded with an unsafe loader.
"""

from blog.parsing.discovery import (
    MARKDOWN_SUFFIXES,
    MAX_FILE_BYTES,
    Discovery,
    PostFile,
    find_post_files,
)
from blog.parsing.front_matter import FrontMatter, split_front_matter
from blog.parsing.messages import Message, ParseError, Severity
from blog.parsing.posts import AuthorRef, Generator, ParsedPost, content_hash
from blog.parsing.reader import parse_post
from blog.parsing.text import jsonable, slugify, term_slug

__all__ = [
    "MARKDOWN_SUFFIXES",
    "MAX_FILE_BYTES",
    "AuthorRef",
    "Discovery",
    "FrontMatter",
    "Generator",
    "Message",
    "ParseError",
    "ParsedPost",
    "PostFile",
    "Severity",
    "content_hash",
    "find_post_files",
    "jsonable",
    "parse_post",
    "slugify",
    "split_front_matter",
    "term_slug",
]
