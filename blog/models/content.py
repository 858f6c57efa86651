"""What every piece of content shares: the address and image checks, and the one place that
renders a post's markdown fields."""

import dataclasses
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from blog.conversion import TemplateSite, convert
from blog.conversion.references import file_references, point_at_files
from blog.models.addresses import FileAddress
from blog.rendering import render_markdown
from blog.safety import IMAGE_RULE, LINK_RULE, is_safe_image, is_safe_link


class FromFilesQuerySet(models.QuerySet):
    """Posts and pages know the file they were imported from by ``source_path``."""

    def from_files(self, source_paths):
        """The content imported from ``source_paths``, found through the unique index on the
        path. That index leaves out content written in the admin (no path), and SQLite uses it
        only when the query says so: without the exclusion, each batch of an import read every
        post (45 ms a batch at 10,000 posts)."""
        return self.exclude(source_path="").filter(source_path__in=source_paths).order_by()


def validate_link(value):
    """The admin's check of an author's website: the same rule as the importer's."""
    if value and not is_safe_link(value):
        raise ValidationError(f"Enter {LINK_RULE}.", code="unsafe_link")


def validate_images(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('Enter a list of image paths or addresses: ["/images/a.png"].')
    unsafe = [item for item in value if not is_safe_image(item)]
    if unsafe:
        raise ValidationError(f"Not an image address ({IMAGE_RULE}): {', '.join(unsafe)}")


def _site_host():
    return urlsplit(settings.SITE_URL).hostname or ""


def render_post_markdown(
    *,
    body,
    excerpt,
    excerpt_separator,
    excerpt_words,
    markup="",
    excerpt_cjk=False,
    site=None,
    page=None,
):
    """Convert a post's markdown fields from their dialect and render them with the site's
    settings; what the conversion could not do is in the result's ``warnings``.

    The one place that maps a post's fields to the renderer: ``Post.render()`` and the importer's
    worker processes (which have no database) both call it, so they always agree. ``site`` is
    the ``TemplateSite`` of the site the post came from, ``page`` its ``page`` variables.
    """
    site = site or TemplateSite(site_url=settings.SITE_URL)
    body = convert(body, markup=markup, site=site, page=page or {})
    excerpt = convert(excerpt, markup=markup, site=site, page=page or {})
    rendered = render_markdown(
        body.text,
        excerpt=excerpt.text,
        excerpt_separator=excerpt_separator or settings.BLOG_EXCERPT_SEPARATOR,
        excerpt_words=excerpt_words,
        site_host=_site_host(),
        embed_hosts=settings.BLOG_EMBED_HOSTS,
        dialect=markup,
        cjk_words=excerpt_cjk,
    )
    kept = [(line, text, "kept") for line, text in (*body.warnings, *excerpt.warnings)]
    removed = [(line, text, "removed") for line, text in rendered.warnings]
    return dataclasses.replace(rendered, warnings=(*kept, *removed))


def with_stored_files(rendered, page_url, files=None):
    """``rendered`` with references to the old site's files pointed at their stored copies;
    ``files`` ({old path: address}) is read when not given (one query)."""
    if files is None:
        wanted = file_references(rendered, page_url=page_url)
        files = FileAddress.new_addresses(wanted) if wanted else {}
    if not files:
        return rendered
    return point_at_files(rendered, page_url=page_url, new_address=files.get)
