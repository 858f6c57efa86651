"""Plain data → models.

``load_post()`` writes one ``ParsedPost`` (see ``blog.parsing``) to the database in one
transaction: the post, its authors and categories in their order, its tags and keywords. It knows
nothing about files or formats.
"""

import enum

from django.db import transaction
from django.utils import timezone

from blog.models import Author, Category, Post, PostAuthor, PostCategory
from blog.parsing import slugify


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class LoadError(Exception):
    """Data that parsed but cannot be stored, for example a second post at the same address."""


def load_post(*, data):
    """Create or update the post that ``data`` describes; return (post, Outcome)."""
    existing = Post.objects.filter(source_path=data.source_path).first()
    if existing is not None and existing.source_hash == data.source_hash:
        return existing, Outcome.UNCHANGED

    with transaction.atomic():
        post = existing or Post(source_path=data.source_path)
        _check_address_is_free(post, data)
        post.title = data.title
        post.slug = data.slug
        post.status = Post.Status.PUBLISHED if data.published else Post.Status.DRAFT
        post.published_at = data.published_at
        post.updated_at = data.updated_at
        post.layout = data.layout
        post.body = data.body
        post.description = data.description
        post.excerpt = data.excerpt
        post.excerpt_separator = data.excerpt_separator
        post.front_matter_extra = data.extra
        post.source_hash = data.source_hash
        post.save()
        _replace_ordered_links(post, PostAuthor, "author", map(_author, data.authors))
        _replace_ordered_links(post, PostCategory, "category", map(_category, data.categories))
        post.tags.set(data.tags, clear=existing is not None)
        post.keywords.set(data.keywords, clear=existing is not None)
    return post, Outcome.UPDATED if existing else Outcome.CREATED


def _check_address_is_free(post, data):
    clash = Post.objects.filter(
        published_on=timezone.localtime(data.published_at).date(), slug=data.slug
    ).exclude(pk=post.pk)
    other = clash.first()
    if other is not None:
        where = (
            f"imported from {other.source_path}" if other.source_path else "written in the admin"
        )
        raise LoadError(
            f"the address {other.get_absolute_url()} is already taken by the post "
            f"'{other.title}' ({where}); give this file a different 'slug'"
        )


def _replace_ordered_links(post, through, field, targets):
    """Replace a post's ordered links (authors, categories) with ``targets``, in order.

    Two spellings of one name ("Ann Lee", "ann lee") resolve to one target and are linked once.
    """
    through.objects.filter(post=post).delete()
    distinct = {target.pk: target for target in targets}.values()
    through.objects.bulk_create(
        through(post=post, position=position, **{field: target})
        for position, target in enumerate(distinct)
    )


def _author(ref):
    slug = slugify(ref.name)
    if not slug:
        raise LoadError(f"cannot make an address for the author {ref.name!r}")
    author, created = Author.objects.get_or_create(
        slug=slug, defaults={"name": ref.name, "website": ref.website, "email": ref.email}
    )
    if not created and ((ref.website and not author.website) or (ref.email and not author.email)):
        author.website = author.website or ref.website
        author.email = author.email or ref.email
        author.save(update_fields=["website", "email"])
    return author


def _category(name):
    slug = slugify(name)
    if not slug:
        raise LoadError(f"cannot make an address for the category {name!r}")
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return category
