"""Which files of a site or folder are posts (Jekyll's ``_posts/``, Hugo's ``content/``)."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from blog.parsing.messages import Message, Severity
from blog.parsing.posts import DATED_FILE_NAME
from blog.parsing.sites import Role, Site, read_site

# Jekyll's default `markdown_ext` list, plus `.mdown`.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mkdown")
# A post bigger than this is almost certainly not a post (a log, a data dump, a base64 image).
MAX_FILE_BYTES = 10 * 1024 * 1024

# --- Finding posts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFile:
    path: str  # where it is on disk
    source_path: str  # relative to the folder given, POSIX: the post's identity
    role: str = Role.POST  # a post, draft, page or section text (see ``blog.parsing.sites``)


@dataclass
class Discovery:
    files: list[PostFile] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    skipped: int = 0
    site: Site | None = None  # what the folder's generator configuration says, if it has one


def find_post_files(path, *, drafts=False):
    """The content files under ``path`` (a file or a folder), in path order, and what was left
    out.

    A folder with a Jekyll or Hugo configuration is read as that generator reads it (see
    ``blog.parsing.sites``): Jekyll's ``_posts/`` hold posts, its other markdown files with front
    matter and its published collections are pages; Hugo's ``content/`` holds posts (the main
    sections' dated pages) and pages, and its ``_index.md`` files are section texts. Drafts
    (Jekyll's ``_drafts/``) come with ``drafts=True`` or when the site publishes them. Any other
    folder is read whole, as posts. Symbolic links are followed, and a link that leads back into
    a folder already being read is reported, not followed.
    """
    path = Path(path)
    discovery = Discovery()
    if path.is_file():
        discovery.files.append(PostFile(path=str(path), source_path=path.name))
        return discovery

    site = discovery.site = read_site(path)
    if site is not None:
        discovery.messages.extend(site.messages)
        drafts = drafts or site.drafts
    # Plain strings, not Path objects: a site may have tens of thousands of files.
    jekyll = site is not None and site.generator == "jekyll"
    walked = [
        (file, relative, is_link)
        for file, relative, is_link in _walk(str(path), discovery)
        if _markdown_suffix(relative)
        or _is_dated_post_name(relative)
        or (jekyll and _is_jekyll_html_page(relative, site))
    ]
    if site is not None:
        site.prepare([relative for _, relative, _ in walked])
    drafts_skipped = static_skipped = 0
    for file, source_path, is_link in walked:
        *folders, name = source_path.split("/")
        suffix = _markdown_suffix(source_path)
        stem = name[: -len(suffix)] if suffix else name
        if jekyll and _is_jekyll_html_page(source_path, site):
            if _starts_with_front_matter(file):  # else a static file Jekyll copies as it is
                discovery.files.append(PostFile(path=file, source_path=source_path, role=Role.PAGE))
            continue
        if not suffix:
            discovery.skipped += 1
            discovery.messages.append(
                Message(
                    source_path,
                    f"skipped: '{name.rpartition('.')[2]}' is not a markdown extension "
                    f"({', '.join(MARKDOWN_SUFFIXES)})",
                    Severity.INFO,
                )
            )
            continue
        role = site.role(source_path) if site is not None else _plain_role(folders, name)
        if role is None:
            continue  # not content to the generator (_includes/, _layouts/, excluded files)
        if role == Role.DRAFT and not drafts:
            drafts_skipped += 1
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
        if is_link and not os.path.isfile(file):
            discovery.messages.append(
                Message(source_path, "cannot read the file: it is a broken symbolic link")
            )
            continue
        is_jekyll_page = role == Role.PAGE and site is not None and site.generator == "jekyll"
        if is_jekyll_page and not _starts_with_front_matter(file):
            static_skipped += 1  # Jekyll copies it as it is: a static file, not a page
            continue
        discovery.files.append(PostFile(path=file, source_path=source_path, role=role))

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
    if static_skipped:
        discovery.skipped += static_skipped
        discovery.messages.append(
            Message(
                shown,
                f"skipped {static_skipped} markdown file(s) without front matter: Jekyll "
                "publishes them as they are (static files), not as pages",
                Severity.INFO,
            )
        )
    return discovery


def _markdown_suffix(source_path):
    name = source_path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    return suffix if suffix in MARKDOWN_SUFFIXES else ""


def _is_dated_post_name(source_path):
    """A file in ``_posts/`` named like a post but not markdown: reported, not imported."""
    *folders, name = source_path.split("/")
    return "_posts" in folders and DATED_FILE_NAME.match(name.rpartition(".")[0] or name)


HTML_SUFFIXES = (".html", ".htm")
# Pages of a Jekyll site this site has its own of.
JEKYLL_OWN_PAGES = ("404.html", "index.html", "feed.xml", "sitemap.xml")


def _is_jekyll_html_page(source_path, site):
    """A Jekyll page written in HTML (``about.html`` with front matter), outside ``_posts/``."""
    if not source_path.lower().endswith(HTML_SUFFIXES) or source_path in JEKYLL_OWN_PAGES:
        return False
    return site.role(source_path) == Role.PAGE


def _plain_role(folders, name):
    """A folder without a generator configuration: every file is a post (drafts and Hugo
    section texts apart)."""
    if name.startswith("_index."):
        return Role.SECTION
    return Role.DRAFT if "_drafts" in folders else Role.POST


def _starts_with_front_matter(path):
    """Jekyll's ``has_yaml_header?``: the file's first line is ``---``."""
    try:
        with open(path, "rb") as file:
            first = file.readline(64)
    except OSError:
        return True  # let reading it report the problem
    return first.lstrip(b"\xef\xbb\xbf").rstrip(b" \t\r\n") == b"---"


def _walk(root, discovery):
    """(file, path relative to root, whether it is a symbolic link) for every file under root,
    sorted, following symbolic links to folders once. The folder's listing says what each entry
    is, so a regular file costs no ``stat()`` (10,000 of them took 70 ms).

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
                yield entry.path, entry_relative, entry.is_symlink()

    yield from visit(root, "")
