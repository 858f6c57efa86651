"""The blog's models, one module per kind of thing (Django finds them all here).

``site`` (settings, change count, imported sites), ``content`` (checks and rendering shared by
posts and pages), ``terms`` (authors, categories, tags, keywords), ``posts``, ``pages``,
``addresses`` (every address content has had; stored files), ``revisions``, ``images``.
"""

from blog.models.addresses import Address, AddressTaken, FileAddress, StoredFile
from blog.models.content import (
    _site_host,
    render_post_markdown,
    validate_images,
    validate_link,
    with_stored_files,
)
from blog.models.images import PostImage, _image_size_limit
from blog.models.pages import Page, PageQuerySet, page_path_problem
from blog.models.posts import (
    Post,
    PostAuthor,
    PostCategory,
    PostManager,
    PostQuerySet,
    ShownTerm,
    listing_prefetches,
)
from blog.models.revisions import PageRevision, Revision, RevisionBase
from blog.models.site import ImportedSite, Markup, SiteSettings, validate_post_address
from blog.models.terms import (
    Author,
    Category,
    Keyword,
    KeywordedPost,
    TaggedPost,
    with_public_post_counts,
    with_public_posts,
)

__all__ = [
    "Address",
    "AddressTaken",
    "Author",
    "Category",
    "FileAddress",
    "ImportedSite",
    "Keyword",
    "KeywordedPost",
    "Markup",
    "Page",
    "PageQuerySet",
    "PageRevision",
    "Post",
    "PostAuthor",
    "PostCategory",
    "PostImage",
    "PostManager",
    "PostQuerySet",
    "Revision",
    "RevisionBase",
    "ShownTerm",
    "SiteSettings",
    "StoredFile",
    "TaggedPost",
    "_image_size_limit",
    "_site_host",
    "listing_prefetches",
    "page_path_problem",
    "render_post_markdown",
    "validate_images",
    "validate_link",
    "validate_post_address",
    "with_public_post_counts",
    "with_public_posts",
    "with_stored_files",
]
