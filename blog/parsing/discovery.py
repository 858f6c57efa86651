"""Which files of a site or folder are posts (Jekyll's ``_posts/``, Hugo's ``content/``)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from blog.parsing.messages import Message, Severity
from blog.parsing.posts import DATED_FILE_NAME

# Jekyll's default `markdown_ext` list, plus `.mdown`.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mkdown")
# A post bigger than this is almost certainly not a post (a log, a data dump, a base64 image).
MAX_FILE_BYTES = 10 * 1024 * 1024

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
