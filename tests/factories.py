"""Small builders with sensible defaults; each test states only the fields that matter to it."""

import datetime as dt
import itertools

from django.utils import timezone

from blog.models import Author, Category, Post, PostAuthor, PostCategory

_sequence = itertools.count(1)


def make_author(**overrides):
    number = next(_sequence)
    fields = {"name": f"Author {number}", "slug": f"author-{number}"} | overrides
    return Author.objects.create(**fields)


def make_category(**overrides):
    number = next(_sequence)
    fields = {"name": f"Category {number}", "slug": f"category-{number}"} | overrides
    return Category.objects.create(**fields)


def make_post(*, authors=(), categories=(), tags=(), keywords=(), **overrides):
    """A published post dated a day ago, unless overridden."""
    number = next(_sequence)
    fields = {
        "title": f"Post {number}",
        "slug": f"post-{number}",
        "status": Post.Status.PUBLISHED,
        "published_at": timezone.now() - dt.timedelta(days=1),
        "body": f"The first paragraph of post {number}.\n\nA second paragraph.",
    } | overrides
    post = Post.objects.create(**fields)
    for position, author in enumerate(authors):
        PostAuthor.objects.create(post=post, author=author, position=position)
    for position, category in enumerate(categories):
        PostCategory.objects.create(post=post, category=category, position=position)
    if tags:
        post.tags.set(list(tags))
    if keywords:
        post.keywords.set(list(keywords))
    return post
