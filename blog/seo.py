"""What a page tells search engines, feed readers and social networks about itself.

Views build a ``PageMeta`` and put it in the context as ``meta``; ``templates/includes/seo.html``
prints it: title, description, keywords, canonical link, feed links, OpenGraph and Twitter card
tags, and JSON-LD structured data for posts.
"""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from blog.safety import is_safe_image


def absolute(path):
    """An absolute URL on this site for ``path`` (already absolute URLs pass through)."""
    if not path or "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


@dataclass
class Feed:
    title: str
    url: str
    type: str  # MIME type


@dataclass
class PageMeta:
    title: str  # the page's own title; the site's name is added for <title>
    description: str = ""
    path: str = ""  # canonical path
    type: str = "website"
    image: str = ""
    keywords: list[str] = field(default_factory=list)
    feeds: list[Feed] = field(default_factory=list)
    published: object = None
    modified: object = None
    authors: list = field(default_factory=list)  # Author objects
    tags: list[str] = field(default_factory=list)
    noindex: bool = False
    structured_data: dict | None = None

    @property
    def full_title(self):
        site = settings.SITE_TITLE
        return site if not self.title or self.title == site else f"{self.title} · {site}"

    @property
    def canonical_url(self):
        return absolute(self.path)

    @property
    def image_url(self):
        """The social-card image, absolute; empty for anything that is not an image address
        (stored before the importer and the admin checked them)."""
        return absolute(self.image) if self.image and is_safe_image(self.image) else ""

    @property
    def json_ld(self):
        """The structured data as a <script> element, safe to print in HTML."""
        if not self.structured_data:
            return ""
        text = json.dumps(self.structured_data, ensure_ascii=False, indent=None)
        # Like Django's json_script: nothing in the data can close the element or open a tag.
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return mark_safe(f'<script type="application/ld+json">{text}</script>')


def site_feeds():
    title = settings.SITE_TITLE
    return [
        Feed(f"{title} (Atom)", reverse("blog:feed_atom"), "application/atom+xml"),
        Feed(f"{title} (RSS)", reverse("blog:feed_rss"), "application/rss+xml"),
        Feed(f"{title} (JSON Feed)", reverse("blog:feed_json"), "application/feed+json"),
    ]


def post_meta(post):
    """The meta of a post page, with ``BlogPosting`` structured data."""
    authors = post.shown_authors
    tags = [tag.name for tag in post.shown_tags]
    image = post.images[0] if post.images else ""
    url = absolute(post.get_absolute_url())
    modified = post.updated_at or post.modified_at
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.meta_description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": post.published_at.isoformat(),
        "dateModified": max(modified, post.published_at).isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in authors
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_TITLE},
        "keywords": [keyword.name for keyword in post.keywords.all()],
        "articleSection": [category.name for category in post.shown_categories],
        "wordCount": post.word_count,
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if image and is_safe_image(image):
        data["image"] = absolute(image)
    return PageMeta(
        title=post.title,
        description=post.meta_description,
        path=post.get_absolute_url(),
        type="article",
        image=image,
        keywords=data["keywords"],
        feeds=site_feeds(),
        published=post.published_at,
        modified=max(modified, post.published_at),
        authors=authors,
        tags=tags,
        noindex=not post.is_public,
        structured_data=data,
    )
