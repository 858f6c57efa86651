"""The public site: lists of posts, a post, the term and archive pages, search, robots.txt.

Every list shows public posts only (``Post.objects.public()``), newest first, paginated, in a
fixed number of queries. Staff also see drafts and scheduled posts at their addresses, with a
preview banner. Pages answer conditional requests (ETag, Last-Modified) with 304.
"""

import datetime as dt
import hashlib
import itertools
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from django.views.generic import DetailView, ListView, TemplateView, dates
from taggit.models import Tag

from blog import search as post_search
from blog.models import (
    CONTENT_STATE_CACHE_KEY,
    Author,
    Category,
    Keyword,
    Post,
    with_public_post_counts,
)
from blog.seo import Feed, PageMeta, post_meta, site_feeds

# --- Conditional requests -----------------------------------------------------------------------


def _content_state(request):
    """What every page depends on (``PostQuerySet.content_state``), read once per request.

    Kept in the cache for ``BLOG_CONTENT_STATE_SECONDS`` (and never past the moment the next
    scheduled post becomes public), so that a busy site runs that query once every few seconds;
    saving a post forgets it at once. Staff see more than readers, so that is part of it too.
    """
    if not hasattr(request, "_blog_content_state"):
        now = timezone.now()
        seconds = settings.BLOG_CONTENT_STATE_SECONDS
        state = cache.get(CONTENT_STATE_CACHE_KEY) if seconds else None
        if state is None or (state["next_change"] and state["next_change"] <= now):
            state = Post.objects.content_state(now=now)
            if seconds:
                cache.set(CONTENT_STATE_CACHE_KEY, state, seconds)
        request._blog_content_state = {**state, "staff": request.user.is_staff}
    return request._blog_content_state


def site_last_modified(request, *args, **kwargs):
    state = _content_state(request)
    moments = [state[key] for key in ("modified", "shown", "expired") if state[key]]
    return max(moments) if moments else None


def site_etag(request, *args, **kwargs):
    state = _content_state(request)
    text = "|".join(f"{key}={state[key]}" for key in sorted(state))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached_by_content_state(view):
    """Serve anonymous readers a page rendered earlier for the same content state.

    The cache key holds the ETag, which changes whenever any post changes, becomes public or
    expires, so a cached page is never stale: it is simply never asked for again. With Redis
    (``REDIS_URL``) every app server shares the pages. Logged-in users always get a fresh page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.BLOG_PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"blog:page:{site_etag(request)}:{path}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper


def conditional_page(view):
    """304 for what the reader already has, else a cached page, else the view renders it."""
    return condition(etag_func=site_etag, last_modified_func=site_last_modified)(
        cached_by_content_state(view)
    )


# The same for class-based views.
conditional = method_decorator(conditional_page, name="dispatch")


# --- Shared behaviour -----------------------------------------------------------------------------


class BlogViewMixin:
    """What every list of posts shares: public posts, newest first, paginated, with metadata."""

    date_field = "published_on"
    context_object_name = "posts"
    allow_empty = True

    def get_paginate_by(self, queryset):
        return settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.public().defer(*Post.FULL_TEXT_FIELDS)

    def paginate_queryset(self, queryset, page_size):
        # Prefetch for the page's posts only: date views also read this queryset to find the
        # previous and next month, and those lookups need no authors or tags.
        return super().paginate_queryset(queryset.for_listing(), page_size)

    def get_meta(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.get_meta()
        page = context.get("page_obj")
        if page is not None and page.number > 1:
            meta.title = f"{meta.title} (page {page.number})"
            meta.path += f"?page={page.number}"
        context["meta"] = meta
        return context


@conditional
class PostListView(BlogViewMixin, ListView):
    """The home page: the latest public posts."""

    template_name = "blog/post_list.html"

    def get_meta(self):
        return PageMeta(
            title=settings.SITE_TITLE,
            description=settings.SITE_DESCRIPTION,
            path=reverse("blog:post_list"),
            feeds=site_feeds(),
        )


@conditional
class PostDetailView(DetailView):
    """A post at /yyyy/mm/dd/slug/; staff also see drafts and scheduled posts, marked as such."""

    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        try:
            day = dt.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        except ValueError:
            raise Http404("No such date.") from None
        posts = (
            Post.objects.visible_to(self.request.user).for_listing().prefetch_related("keywords")
        )
        try:
            return posts.get(published_on=day, slug=self.kwargs["slug"])
        except Post.DoesNotExist:
            raise Http404("No post at this address.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        context.update(
            meta=post_meta(post),
            previous_post=post.previous_public(),
            next_post=post.next_public(),
            related_posts=post.related_public(),
            preview=not post.is_public,
        )
        return context


# --- Posts by tag, category, keyword, author ---------------------------------------------


class TermPostListView(BlogViewMixin, ListView):
    """The posts of one tag, category, keyword or author, with its name and post count."""

    template_name = "blog/term_detail.html"
    term_model = None
    term_kind = ""  # "Tag", "Category"...
    feed_url_names = ()  # (Atom, RSS) URL names, if the term has feeds

    def get_term(self):
        return get_object_or_404(self.term_model, slug=self.kwargs["slug"])

    def filter_posts(self, posts, term):
        raise NotImplementedError

    def get_queryset(self):
        self.term = self.get_term()
        return self.filter_posts(super().get_queryset(), self.term)

    def heading(self):
        return self.term.name

    def get_meta(self):
        feeds = [
            Feed(f"{self.heading()} ({kind})", reverse(name, kwargs={"slug": self.term.slug}), mime)
            for name, kind, mime in zip(
                self.feed_url_names,
                ("Atom", "RSS"),
                ("application/atom+xml", "application/rss+xml"),
                strict=False,
            )
        ]
        return PageMeta(
            title=self.heading(),
            description=getattr(self.term, "description", "")
            or f"Posts of {settings.SITE_TITLE}: {self.heading()}.",
            path=self.request.path,
            feeds=feeds + site_feeds(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            term=self.term,
            term_kind=self.term_kind,
            heading=self.heading(),
            term_feeds=context["meta"].feeds[: len(self.feed_url_names)],
        )
        return context


@conditional
class TagPostListView(TermPostListView):
    term_model = Tag
    term_kind = "Tag"
    feed_url_names = ("blog:tag_feed_atom", "blog:tag_feed_rss")

    def filter_posts(self, posts, term):
        return posts.filter(tags=term)

    def heading(self):
        return f"#{self.term.name}"


@conditional
class CategoryPostListView(TermPostListView):
    term_model = Category
    term_kind = "Category"
    feed_url_names = ("blog:category_feed_atom", "blog:category_feed_rss")

    def filter_posts(self, posts, term):
        return posts.filter(categories=term)


@conditional
class KeywordPostListView(TermPostListView):
    term_model = Keyword
    term_kind = "Keyword"

    def filter_posts(self, posts, term):
        return posts.filter(keywords=term)


@conditional
class AuthorPostListView(TermPostListView):
    term_model = Author
    term_kind = "Author"
    template_name = "blog/author_detail.html"
    feed_url_names = ("blog:author_feed_atom", "blog:author_feed_rss")

    def filter_posts(self, posts, term):
        return posts.filter(authors=term)


# --- Index pages ---------------------------------------------------------------------------------


class IndexView(TemplateView):
    """A page listing every tag, category or author (or month) with public posts."""

    title = ""
    description = ""  # may name {site}
    url_name = ""
    items_name = ""

    def get_items(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        meta = PageMeta(
            title=self.title,
            description=self.description.format(site=settings.SITE_TITLE),
            path=reverse(self.url_name),
            feeds=site_feeds(),
        )
        return super().get_context_data(**{self.items_name: self.get_items()}, meta=meta, **kwargs)


@conditional
class TagListView(IndexView):
    """Every tag with public posts, as a cloud weighted by post count."""

    template_name = "blog/tag_list.html"
    title = "Tags"
    description = "Every tag on {site}, with its number of posts."
    url_name = "blog:tag_list"
    items_name = "tags"
    weights = 5

    def get_items(self):
        tags = list(
            with_public_post_counts(
                Tag.objects.all(), "blog_taggedpost_items__content_object"
            ).order_by("name")
        )
        most = max((tag.post_count for tag in tags), default=1)
        for tag in tags:
            tag.weight = 1 + round((self.weights - 1) * (tag.post_count - 1) / max(most - 1, 1))
        return tags


@conditional
class CategoryListView(IndexView):
    template_name = "blog/category_list.html"
    title = "Categories"
    description = "The categories of {site}."
    url_name = "blog:category_list"
    items_name = "categories"

    def get_items(self):
        return with_public_post_counts(Category.objects.all(), "posts").order_by("name")


@conditional
class AuthorListView(IndexView):
    template_name = "blog/author_list.html"
    title = "Authors"
    description = "Who writes {site}."
    url_name = "blog:author_list"
    items_name = "authors"

    def get_items(self):
        return with_public_post_counts(Author.objects.all(), "posts").order_by("name")


# --- Archives ------------------------------------------------------------------------------------


@conditional
class ArchiveView(IndexView):
    """Every month with posts, grouped by year, with counts (one query)."""

    template_name = "blog/archive.html"
    title = "Archive"
    description = "Every post of {site}, by year and month."
    url_name = "blog:archive"
    items_name = "years"

    def get_items(self):
        """(year, posts that year, [(month, posts that month)...]), newest first."""
        months = Post.objects.public().months()
        years = []
        for year, rows in itertools.groupby(months, key=lambda row: row[0].year):
            rows = list(rows)
            years.append((year, sum(count for _, count in rows), rows))
        return years


@conditional
class YearArchiveView(BlogViewMixin, dates.YearArchiveView):
    template_name = "blog/archive_period.html"
    make_object_list = True
    allow_empty = False  # a year without posts is a 404, and "next year" skips empty ones

    def get_meta(self):
        return PageMeta(
            title=f"Posts of {self.get_year()}",
            description=f"Everything {settings.SITE_TITLE} published in {self.get_year()}.",
            path=self.request.path,
            feeds=site_feeds(),
        )


@conditional
class MonthArchiveView(BlogViewMixin, dates.MonthArchiveView):
    template_name = "blog/archive_period.html"
    month_format = "%m"
    allow_empty = False

    def get_meta(self):
        month = dt.date(int(self.get_year()), int(self.get_month()), 1)
        return PageMeta(
            title=f"Posts of {month:%B %Y}",
            description=f"Everything {settings.SITE_TITLE} published in {month:%B %Y}.",
            path=self.request.path,
            feeds=site_feeds(),
        )


# --- Search --------------------------------------------------------------------------------------


class SearchView(BlogViewMixin, ListView):
    """Ranked full-text search; an empty query shows the form and no results."""

    template_name = "blog/search.html"

    def get_queryset(self):
        self.query = post_search.clean_query(self.request.GET.get("q", ""))
        if not self.query:
            return Post.objects.none()
        # The snippet is cut from the plain text, so that one column comes along.
        return post_search.search(
            Post.objects.public().defer(
                *(name for name in Post.FULL_TEXT_FIELDS if name != "body_text")
            ),
            self.query,
        )

    def get_meta(self):
        title = f"Search: {self.query}" if self.query else "Search"
        return PageMeta(
            title=title,
            description=f"Search the posts of {settings.SITE_TITLE}.",
            path=reverse("blog:search"),
            noindex=True,
            feeds=site_feeds(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for post in context["posts"]:
            post.snippet = post_search.snippet(post, self.query)
        context["query"] = self.query
        return context


# --- Robots and errors ---------------------------------------------------------------------------


def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('blog:search')}",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    meta = PageMeta(title="Page not found", path=request.path, noindex=True, feeds=site_feeds())
    return render(request, "404.html", {"meta": meta}, status=404)


def server_error(request):
    """The 500 page, rendered without touching the database (which may be what failed)."""
    return render(
        request,
        "500.html",
        {"meta": PageMeta(title="Something went wrong", noindex=True)},
        status=500,
    )
