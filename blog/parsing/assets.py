"""The files an old site's posts refer to (images, PDFs, videos): where they are on disk.

A Jekyll site publishes every file outside its ``_`` folders as it is, at the same path; a Hugo
site publishes ``static/`` at the root, and a page bundle's files beside its page. A post refers
to them by absolute path (``/assets/a.png``, often through ``{{ site.baseurl }}``) or relative to
its own address (``photo.jpg`` in a bundle). ``SiteFiles`` finds the file behind a reference, so
that the importer can copy it and the renderer point at the copy. No Django here.
"""

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

# What a reference to a page, not a file, ends with: those are addresses (blog.addresses).
PAGE_SUFFIXES = ("", ".html", ".htm", ".md", ".markdown", ".xml", ".json", ".php", ".txt")
# What a file's name ends with: ".png", ".pdf", ".tar.gz"'s ".gz".
_FILE_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")
# Jekyll's own files, never published.
JEKYLL_PRIVATE = ("Gemfile", "Gemfile.lock", "_config.yml", "_config.toml", "CNAME")


@dataclass(frozen=True)
class LocalFile:
    old_path: str  # the decoded address the old site published it at
    disk_path: str
    sha256: str
    suffix: str  # ".png", lower case

    @property
    def stored_name(self):
        """Content-addressed: the same bytes are one file, whatever their names were."""
        return f"files/{self.sha256[:2]}/{self.sha256}{self.suffix}"


@dataclass
class SiteFiles:
    """The old site's published files, by the address they had."""

    root: str
    base_path: str = ""  # Jekyll's baseurl, the path of Hugo's baseURL
    by_address: dict = field(default_factory=dict)  # decoded old path → disk path
    digests: dict = field(default_factory=dict)  # disk path → SHA-256, as files are hashed

    @classmethod
    def of(cls, site):
        files = cls(root=str(site.root), base_path=site.base_path)
        if site.generator == "jekyll":
            files._add_jekyll(site)
        elif site.generator == "hugo":
            files._add_folder(Path(site.root) / str(site.config.get("staticdir") or "static"))
        return files

    def _add_jekyll(self, site):
        root = Path(site.root)
        for folder, folders, names in os.walk(root):
            relative = Path(folder).relative_to(root)
            folders[:] = [
                name
                for name in folders
                if not name.startswith("_") and not site.excluded((relative / name).as_posix())
            ]
            for name in names:
                path = (relative / name).as_posix()
                if name.startswith("_") or name in JEKYLL_PRIVATE or site.excluded(path):
                    continue
                if Path(name).suffix.lower() in PAGE_SUFFIXES:
                    continue
                self.by_address["/" + path] = str(root / path)

    def _add_folder(self, folder):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                self.by_address["/" + path.relative_to(folder).as_posix()] = str(path)

    def find(self, reference, *, page_url, source_path):
        """The ``LocalFile`` a reference of the post at ``page_url`` (its old address), read
        from ``source_path``, leads to; None when it is not a local file reference; a
        ``LocalFile`` with an empty ``disk_path`` when the file is missing."""
        old_path = resolve(reference, page_url)
        if old_path is None:
            return None
        within_site = old_path
        if self.base_path and within_site.startswith(self.base_path + "/"):
            within_site = within_site[len(self.base_path) :]
        disk = self.by_address.get(within_site)
        if disk is None and not reference.startswith("/"):
            # A page bundle's own file, or a file beside the post's source.
            beside = Path(self.root) / posixpath.dirname(source_path) / unquote(reference)
            disk = str(beside) if beside.is_file() else None
        if disk is None:
            return LocalFile(old_path, "", "", _suffix(old_path))
        if disk not in self.digests:  # a logo in every post is read once per process
            self.digests[disk] = _sha256(disk)
        return LocalFile(old_path, disk, self.digests[disk], _suffix(old_path))


def resolve(reference, page_url):
    """The decoded absolute path a reference on the page at ``page_url`` leads to, if it is a
    reference to a local file (not a page, not another site)."""
    reference = (reference or "").strip()
    parts = urlsplit(reference)
    if not reference or parts.scheme or parts.netloc or reference.startswith("#"):
        return None
    path = unquote(parts.path)
    suffix = _suffix(path)
    if not path or suffix in PAGE_SUFFIXES or not _FILE_SUFFIX.fullmatch(suffix):
        return None  # a page, or text that only looks like an address ({{ .Permalink }})
    if not path.startswith("/"):
        base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
        path = posixpath.join(base or "/", path)
    return posixpath.normpath(path)


def _suffix(path):
    return posixpath.splitext(path)[1].lower()


def _sha256(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(chunk):
            digest.update(block)
    return digest.hexdigest()
