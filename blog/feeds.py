"""Atom, RSS 2.0 and JSON Feed 1.1 for the site and for each tag, category and author.

Django's syndication framework writes Atom and RSS. Items carry the full post, every author,
the categories and tags, and the updated date. Atom has a <content> element for the full post
(Django's Atom feed only writes <summary>), and one <author> per author.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from blog.caching import keys, shows, shows_posts
from blog.caching.cards import kept_per_post
from blog.models import Author, Category, Post, listing_prefetches
from blog.safety import is_safe_image, strip_xml_invalid
from blog.seo import absolute
from blog.views import public_term_or_404


class FullContentAtom1Feed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("more_authors", []):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class FullContentRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full post in content:encoded and the excerpt as the description."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class PostFeed(Feed):
    """The latest public posts; subclasses narrow them to a tag, category or author."""

    feed_type = FullContentAtom1Feed
    description_template = None

    def get_feed(self, obj, request):
        """The feed, with every text and address stripped of characters XML cannot hold (a
        title pasted from a word processor must not break the feed for every reader)."""
        feed = super().get_feed(obj, request)
        feed.feed = _xml_safe(feed.feed)
        feed.items = [_xml_safe(item) for item in feed.items]
        return feed

    def author_name(self, obj=None):
        # Atom needs an author for the feed or for every entry; the site is the feed's.
        return settings.SITE_TITLE

    def title(self, obj=None):
        return settings.SITE_TITLE

    def subtitle(self, obj=None):
        return settings.SITE_DESCRIPTION

    description = subtitle

    def link(self, obj=None):
        return reverse("blog:post_list")

    def feed_url(self, obj=None):
        return None  # the request's own address

    def posts(self, obj):
        return Post.objects.public()

    def items(self, obj=None):
        return _latest_with_credits(self.posts(obj))

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # The id feed readers know the post by: the old site's, kept through the move.
        return item.feed_id or absolute(item.get_absolute_url())

    def item_guid_is_permalink(self, item):
        return False  # an id, which may be an address the post had before it moved

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at or item.modified_at, item.published_at)

    def item_author_name(self, item):
        authors = item.feed_credits["authors"]
        return authors[0][0] if authors else None

    def item_author_link(self, item):
        authors = item.feed_credits["authors"]
        return authors[0][1] if authors else None

    def item_categories(self, item):
        return item.feed_credits["categories"] + item.feed_credits["tags"]

    def item_extra_kwargs(self, item):
        return {"content_html": item.body_html, "more_authors": item.feed_credits["authors"][1:]}


def _latest_with_credits(posts):
    """The newest ``BLOG_FEED_ITEMS`` of ``posts``, each with its ``feed_credits``."""
    # The whole post is its rendering; its markdown and plain text (as long again) stay unread
    # (on PostgreSQL each is decompressed from its TOAST storage when read).
    unshown = (name for name in Post.FULL_TEXT_FIELDS if name != "body_html")
    posts = list(posts.defer(*unshown)[: settings.BLOG_FEED_ITEMS])
    # Authors and terms as feeds show them, kept per post like list cards: read (three queries,
    # some 250 rows) only for the posts changed since (4-5 ms of a feed on PostgreSQL).
    credits = kept_per_post(posts, "feed-credits", _credits, prefetch=listing_prefetches())
    for post in posts:
        post.feed_credits = credits[post.pk]
    shows(keys.LISTS)
    shows_posts(posts)
    return posts


def _credits(post):
    """What feeds show of a post's authors (name, address), categories and tags (the names as
    the post wrote them), as plain data to keep."""
    return {
        "authors": [
            (author.name, absolute(author.get_absolute_url())) for author in post.shown_authors
        ],
        "categories": [category.name for category in post.shown_categories],
        "tags": [tag.name for tag in post.shown_tags],
    }


def _xml_safe(value):
    if isinstance(value, str):
        return strip_xml_invalid(value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(item) for item in value)
    return value


class PostRssFeed(PostFeed):
    feed_type = FullContentRssFeed


class TermFeed(PostFeed):
    """The posts of one tag, category or author."""

    model = None
    posts_filter = ""  # the Post lookup that selects the term's posts
    title_format = ""  # may name {site} and {name}

    def get_object(self, request, slug):
        return public_term_or_404(self.model, self.posts_filter, slug, request.user)

    def title(self, obj=None):
        return self.title_format.format(site=settings.SITE_TITLE, name=obj.name)

    def link(self, obj=None):
        return obj.get_absolute_url()

    def posts(self, obj):
        return Post.objects.public().of_term(self.posts_filter, obj)


class TagFeed(TermFeed):
    model = Tag
    posts_filter = "tags"
    title_format = "{site}: posts tagged {name}"

    def link(self, obj=None):
        return reverse("blog:tag_detail", kwargs={"slug": obj.slug})  # taggit's Tag has no URL


class CategoryFeed(TermFeed):
    model = Category
    posts_filter = "categories"
    title_format = "{site}: {name}"


class AuthorFeed(TermFeed):
    model = Author
    posts_filter = "authors"
    title_format = "{site}: posts by {name}"


def _rss(feed_class):
    return type(f"{feed_class.__name__}Rss", (feed_class,), {"feed_type": FullContentRssFeed})


TagRssFeed = _rss(TagFeed)
CategoryRssFeed = _rss(CategoryFeed)
AuthorRssFeed = _rss(AuthorFeed)


def json_feed(request):
    """The site's JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    posts = _latest_with_credits(Post.objects.public())
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": settings.SITE_TITLE,
        "description": settings.SITE_DESCRIPTION,
        "home_page_url": absolute(reverse("blog:post_list")),
        "feed_url": absolute(reverse("blog:feed_json")),
        "language": settings.LANGUAGE_CODE,
        "items": [
            {
                "id": post.feed_id or absolute(post.get_absolute_url()),
                "url": absolute(post.get_absolute_url()),
                "title": post.title,
                "content_html": post.body_html,
                "summary": post.meta_description,
                "date_published": post.published_at.isoformat(),
                "date_modified": max(
                    post.updated_at or post.modified_at, post.published_at
                ).isoformat(),
                "authors": [
                    {"name": name, "url": url} for name, url in post.feed_credits["authors"]
                ],
                "tags": post.feed_credits["tags"],
                **(
                    {"image": absolute(post.images[0])}
                    if post.images and is_safe_image(post.images[0])
                    else {}
                ),
            }
            for post in posts
        ],
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    return response
