"""Posts and pages back to files: ``manage.py export_posts DIR [--format jekyll|hugo]``.

A post or page imported and not edited since is written as the file it came from, byte for byte,
at its path (the import keeps each file's bytes). Anything else — edited here, written in the
admin, imported before files were kept — is written as a clean file of the generator's own
form: front matter the generator and this site's importer read, then the markdown as stored.
The output depends only on the content, so a second export of an unchanged site changes no file
(files whose bytes are already right are not written again).

Models to files, no web code; the command is a thin wrapper.
"""

import dataclasses
import json
from pathlib import Path, PurePosixPath

import yaml
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from blog.loading import page_edited_since_import, related_for_snapshot, was_edited_since_import
from blog.models import Address, Page, Post, PostAuthor, PostCategory, SiteSettings
from blog.parsing.posts import content_hash

FORMATS = ("jekyll", "hugo")


@dataclasses.dataclass
class ExportReport:
    as_imported: int = 0  # written back byte for byte
    generated: int = 0  # written in the generator's form
    written: int = 0  # files whose bytes changed on disk (the others were already right)

    def summary(self):
        return (
            f"{self.as_imported + self.generated} files: {self.as_imported} as imported, "
            f"{self.generated} generated; {self.written} written"
        )


def export_site(folder, *, format="jekyll", since=None):
    """Write every post and page into ``folder``; ``since`` (an aware datetime) limits the
    export to content changed from then on. Returns an ``ExportReport``."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    folder = Path(folder)
    report = ExportReport()
    posts = (
        Post.objects.defer(None)
        .defer("search_vector")
        .select_related("imported_site")
        .prefetch_related(
            *related_for_snapshot(),  # to tell whether a post was edited since its import
            Prefetch(
                "postauthor_set", PostAuthor.objects.select_related("author").order_by("position")
            ),
            Prefetch(
                "postcategory_set",
                PostCategory.objects.select_related("category").order_by("position"),
            ),
            "taggedpost_set__tag",
            "keywords",
            Prefetch("addresses", Address.objects.filter(is_current=False).order_by("key")),
        )
    )
    pages = Page.objects.defer(None).select_related("imported_site")
    if since is not None:
        posts, pages = posts.filter(modified_at__gte=since), pages.filter(modified_at__gte=since)
    for post in posts.order_by("id").iterator(chunk_size=500):
        path, data, as_imported = _post_file(post, format)
        _write(folder, path, data, report, as_imported)
    for page in pages.order_by("id"):
        path, data, as_imported = _page_file(page, format)
        _write(folder, path, data, report, as_imported)
    _write_configuration(folder, format)
    return report


def _write_configuration(folder, format):
    """The site's settings the generator (and this site's importer) read: title, description,
    time zone, and the pattern of post addresses, so that posts come back where they are."""
    pattern = SiteSettings.load().post_address
    if format == "hugo":
        text = (
            f"title = {_toml_string(settings.SITE_TITLE)}\n"
            f"timeZone = {_toml_string(settings.TIME_ZONE)}\n"
            f"[params]\ndescription = {_toml_string(settings.SITE_DESCRIPTION)}\n"
            f"[permalinks]\nposts = {_toml_string(pattern)}\n"
        )
        name = "hugo.toml"
    else:
        values = {
            "title": settings.SITE_TITLE,
            "description": settings.SITE_DESCRIPTION,
            "timezone": settings.TIME_ZONE,
            "permalink": pattern,
        }
        text = yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000)
        name = "_config.yml"
    target = Path(folder) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.is_file() and target.read_text() == text):
        target.write_text(text)


def _toml_string(value):
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _write(folder, path, data, report, as_imported):
    target = folder / path
    if as_imported:
        report.as_imported += 1
    else:
        report.generated += 1
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    report.written += 1


# --- Posts -----------------------------------------------------------------------------------


def _post_file(post, format):
    """(path, bytes, whether they are the imported file's)."""
    path = _post_place(post, format)
    if _generator_of(post) == format and _unedited_file(post, was_edited_since_import):
        return path, bytes(post.source_file), True
    return path, _document(_post_front_matter(post, format), post.body).encode(), False


def _generator_of(content):
    """The generator the file was written for: its site's, else Jekyll's (a plain folder of
    posts is read as Jekyll reads one). A file is given back as it came only to its own
    generator: to the other, its front matter would say other things (Hugo takes a Jekyll
    file's name for its slug)."""
    return content.imported_site.generator if content.imported_site_id else "jekyll"


def _unedited_file(content, was_edited):
    """Whether ``content`` (a post or page) still is the file it was imported from."""
    original = bytes(content.source_file or b"")
    return (
        bool(original) and content_hash(original) == content.source_hash and not was_edited(content)
    )


def _post_place(post, format):
    """Where the generator reads the post: its imported path, inside ``_posts/`` (``_drafts/``)
    or Hugo's ``content/`` when it came from a plain folder of posts."""
    if not post.source_path:
        return _new_post_path(post, format)
    path = _safe(post.source_path)
    if format == "hugo":
        return path if path.parts[0] == "content" else PurePosixPath("content", "posts", path)
    if {"_posts", "_drafts"} & set(path.parts):
        return path
    folder = "_drafts" if post.status == Post.Status.DRAFT else "_posts"
    return PurePosixPath(folder, path)


def _new_post_path(post, format):
    day = timezone.localtime(post.published_at).date()
    if format == "hugo":
        return PurePosixPath("content", "posts", f"{post.slug}.md")
    if post.status == Post.Status.DRAFT:
        return PurePosixPath("_drafts", f"{post.slug}.md")
    return PurePosixPath("_posts", f"{day:%Y-%m-%d}-{post.slug}.md")


def _post_front_matter(post, format):
    """The post's front matter, in a fixed order, with the keys this site's importer and the
    generator read (every address the post had before goes in redirect_from / aliases)."""
    authors = [link.spelling or link.author.name for link in post.postauthor_set.all()]
    categories = [link.spelling or link.category.name for link in post.postcategory_set.all()]
    tags = [link.spelling or link.tag.name for link in post.taggedpost_set.all()]
    old_addresses = [address.key for address in post.addresses.all()]
    hugo = format == "hugo"
    values = {
        "title": post.title,
        "date": _moment(post.published_at),
        ("lastmod" if hugo else "last_modified_at"): _moment(post.updated_at),
        "expirydate": _moment(post.expires_at),
        ("draft" if hugo else "published"): (
            (post.status == Post.Status.DRAFT) if hugo else (post.status != Post.Status.DRAFT)
        ),
        "slug": post.slug,
        # The address the file asked for, if it did; the import gives the rest the site's
        # pattern (_config.yml), so the post comes back where it is served now.
        ("url" if hugo else "permalink"): post.permalink,
        # Every other address it has had, the file's own aliases among them: each keeps
        # answering with a redirect after the round trip.
        ("aliases" if hugo else "redirect_from"): sorted({*post.aliases, *old_addresses}),
        "layout": post.layout,
        **({"authors": authors} if len(authors) > 1 else {"author": "".join(authors)}),
        "categories": categories,
        "tags": tags,
        "keywords": sorted(keyword.name for keyword in post.keywords.all()),
        "description": post.description,
        "excerpt": post.excerpt,
        "excerpt_separator": post.excerpt_separator,
        "images": post.images,
        **(post.front_matter_extra or {}),
    }
    if not hugo and values["published"]:
        del values["published"]  # Jekyll's default
    if hugo and not values["draft"]:
        del values["draft"]
    return {key: value for key, value in values.items() if value not in ("", None, [], {})}


# --- Pages -----------------------------------------------------------------------------------


def _page_file(page, format):
    if page.source_path:
        path = _safe(page.source_path)
        if format == "hugo" and path.parts[0] != "content":
            path = PurePosixPath("content", path)
    else:
        stem = page.path.strip("/") or "index"
        path = PurePosixPath("content" if format == "hugo" else "", f"{stem}.md")
    if _generator_of(page) == format and _unedited_file(page, page_edited_since_import):
        return path, bytes(page.source_file), True
    values = {
        "title": page.title,
        ("url" if format == "hugo" else "permalink"): page.path,
        ("draft" if format == "hugo" else "published"): (
            page.status != Page.Status.PUBLISHED
            if format == "hugo"
            else page.status == Page.Status.PUBLISHED
        ),
        "layout": page.layout,
        "description": page.description,
        "menu_title": page.menu_title,
        "redirect_to": page.redirect_to,
        "images": page.images,
        **(page.front_matter_extra or {}),
    }
    if values.get("published") is True or values.get("draft") is False:
        values.pop("published", None)
        values.pop("draft", None)
    values = {key: value for key, value in values.items() if value not in ("", None, [], {})}
    return path, _document(values, page.body).encode(), False


# --- Shared ----------------------------------------------------------------------------------


def _document(front_matter, body):
    """YAML front matter between ``---`` lines, then the body exactly as stored (it begins where
    the imported file's front matter ended)."""
    text = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{text}---\n{body}"


def _moment(value):
    if value is None:
        return None
    local = timezone.localtime(value)
    fraction = f".{local.microsecond:06d}" if local.microsecond else ""
    return local.strftime(f"%Y-%m-%d %H:%M:%S{fraction} %z")


def _safe(source_path):
    """A stored relative path, refused if it would leave the export folder."""
    path = PurePosixPath(source_path)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{source_path}: not a path inside the export folder")
    return path
