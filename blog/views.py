"""The public site: lists of posts, a post, the term and archive pages, search, robots.txt.

Every list shows public posts only (``Post.objects.public()``), newest first, paginated, in a
fixed number of queries. Staff also see drafts and scheduled posts at their addresses, with a
preview banner. Pages answer conditional requests (ETag, Last-Modified) with 304.
"""

import dataclasses
import datetime as dt
import itertools
import sys
from functools import wraps

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.dates import MONTHS
from django.views.generic import DetailView, ListView, TemplateView, dates
from taggit.models import Tag

from blog import caching, throttling
from blog import search as post_search
from blog.addresses import address_key
from blog.caching import keys
from blog.caching.cards import with_cards
from blog.models import (
    Address,
    Author,
    Category,
    Keyword,
    Page,
    Post,
    PostAuthor,
    listing_prefetches,
    with_public_post_counts,
    with_public_posts,
)
from blog.reversing import archive_addresses
from blog.safety import is_safe_link
from blog.seo import Feed, PageMeta, post_meta, site_feeds

# --- Public pages: what they show, for the page cache ---------------------------------------------


def public_page(view):
    """Mark the view's page as public: the same for every reader who is not logged in.

    While the view runs, it and what it calls name the keys of what the page shows
    (``blog.caching.shows``); a page rendered for such a reader leaves with them, and
    ``blog.caching.front`` stores it, sends its validators and caching headers, and renders it
    again only when one of its keys changes. Logged-in users (staff previewing drafts) get a
    fresh page that no cache keeps.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if _may_be_logged_in(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        with caching.shown.collecting() as shown:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        if response.status_code == 200:
            response.shown_keys = shown
        return response

    return wrapper


def _may_be_logged_in(request):
    """Only a request with a session can be logged in; others need no session lookup (which
    would need the database)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def cached(view_class):
    """``public_page`` for a class-based view, applied once to what ``as_view()`` returns."""
    as_view = view_class.as_view.__func__

    def public_as_view(cls, **initkwargs):
        return public_page(as_view(cls, **initkwargs))

    view_class.as_view = classmethod(public_as_view)
    return view_class


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
        # Each post as a card (blog.caching.cards): its authors and tags are read only for the
        # cards not kept, and never for the other queries date views make of this queryset.
        paginator, page, _, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = with_cards(list(page.object_list), prefetch=listing_prefetches())
        caching.shows(keys.LISTS)
        caching.shows_posts(page.object_list)
        return paginator, page, page.object_list, is_paginated

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


@cached
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


class PostDetailView(DetailView):
    """A post; staff also see drafts and scheduled posts, marked as such.

    Found by its address (``content_at``) or by its date and slug (``/yyyy/mm/dd/slug/``, the
    default pattern); a post served elsewhere answers 301 to its own address.
    """

    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        posts = (
            Post.objects.visible_to(self.request.user).for_listing().prefetch_related("keywords")
        )
        if "pk" in self.kwargs:
            lookup = {"pk": self.kwargs["pk"]}
        else:
            try:
                day = dt.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
            except ValueError:
                raise Http404("No such date.") from None
            lookup = {"published_on": day, "slug": self.kwargs["slug"]}
        try:
            return posts.get(**lookup)
        except Post.DoesNotExist:
            pass
        # A post the old site served here with another slug (`/2024/01/02/v1.2/`).
        found = find_address(self.request)
        if "pk" not in self.kwargs and found is not None and found.post_id:
            return posts.get(pk=found.post_id)
        raise Http404("No post at this address.")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.path != self.object.path:
            return _moved(request, self.object)
        return self.render_to_response(self.get_context_data(object=self.object))

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
        caching.shows_posts([post])
        caching.shows_posts(
            [context["previous_post"], context["next_post"], *context["related_posts"]],
            whole=False,
        )
        return context


def _moved(request, content):
    target = content.get_absolute_url()
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)


def find_address(request):
    """The ``Address`` that ``request.path`` spells, if its content may be shown to the user."""
    key = address_key(request.path)
    found = Address.objects.filter(key=key).select_related("post", "page").first() if key else None
    if found is None or not (found.content.is_public or request.user.is_staff):
        return None
    return found


def page_detail(request, page):
    meta = PageMeta(
        title=page.title,
        description=page.meta_description,
        path=page.get_absolute_url(),
        image=page.images[0] if page.images else "",
        noindex=not page.is_public,
        feeds=site_feeds(),
    )
    caching.shows(keys.page(page.pk))
    pages, posts = page.contents() if page.lists_contents else ([], [])
    if page.lists_contents:
        posts = list(posts)
        caching.shows(keys.PAGES, keys.LISTS)
        caching.shows_posts(posts)  # their descriptions
    return render(
        request,
        "blog/page_detail.html",
        {"page": page, "meta": meta, "child_pages": pages, "child_posts": posts},
    )


@public_page
def content_at(request, address=""):
    """Whatever is served at an address of its own: a page, or a post whose address the site's
    pattern or the old site chose. An older address of the content answers 301 to it."""
    found = find_address(request)
    if found is None:
        raise Http404("Nothing at this address.")
    content = found.content
    if not found.is_current or request.path != content.path:
        return _moved(request, content)
    if found.post_id:
        return PostDetailView.as_view()(request, pk=found.post_id)
    if content.redirect_to and is_safe_link(content.redirect_to):
        return HttpResponsePermanentRedirect(content.redirect_to)
    return page_detail(request, content)


post_detail = public_page(PostDetailView.as_view())


def post_url_link(request, name):
    """Jekyll's ``{% post_url 2010-07-21-name %}`` (or ``subfolder/2010-07-21-name``): 301 to
    the post imported from that file of ``_posts/``, whatever its extension."""
    in_posts = f"_posts/{name.strip('/')}"
    candidates = (
        Post.objects.visible_to(request.user)
        .filter(source_path__contains=in_posts + ".")
        .only("path", "source_path", "slug", "published_at")
    )
    post = next(
        (post for post in candidates if post.source_path.rsplit(".", 1)[0].endswith(in_posts)),
        None,
    )
    if post is None:
        raise Http404(f"No post was imported from {in_posts}.")
    return HttpResponsePermanentRedirect(post.get_absolute_url())


def source_link(request, source_path):
    """Jekyll's ``{% link path/to/file.md %}``: 301 to what was imported from that file."""
    for model in (Post, Page):
        content = (
            model.objects.visible_to(request.user)
            .filter(source_path=source_path.strip("/"))
            .only("path")
            .first()
        )
        if content is not None:
            return HttpResponsePermanentRedirect(content.get_absolute_url())
    raise Http404("Nothing was imported from that file.")


def ref_link(request, reference):
    """Hugo's ``{{< ref "docs/install.md" >}}`` (or ``/docs/install``, ``install``): 301 to what
    was imported from that file of the content folder, as Hugo resolves the reference."""
    reference = reference.strip("/")
    stem = reference.removesuffix(".md")
    endings = [f"/{reference}"] if reference.endswith(".md") else []
    endings += [f"/{stem}.md", f"/{stem}/index.md", f"/{stem}/_index.md"]
    matches = Q()
    for ending in endings:
        matches |= Q(source_path__endswith=ending)
    for contents in (Post.objects.visible_to(request.user), Page.objects.visible_to(request.user)):
        content = contents.filter(matches).only("path").order_by("source_path").first()
        if content is not None:
            return HttpResponsePermanentRedirect(content.get_absolute_url())
    raise Http404("Nothing was imported from that file.")


# --- Posts by tag, category, keyword, author ---------------------------------------------


def public_term_or_404(model, posts_filter, slug, user):
    """The tag, category, keyword or author with ``slug``, if a reader may see it: it has a
    public post (staff also see those of drafts)."""
    terms = model.objects.all()
    if not user.is_staff:
        terms = with_public_posts(terms, posts_filter)
    return get_object_or_404(terms, slug=slug)


class TermPostListView(BlogViewMixin, ListView):
    """The posts of one tag, category, keyword or author, with its name and post count."""

    template_name = "blog/term_detail.html"
    term_model = None
    term_kind = ""  # "Tag", "Category"...
    feed_url_names = ()  # (Atom, RSS) URL names, if the term has feeds

    posts_filter = ""  # the Post lookup that selects the term's posts

    def get_term(self):
        return public_term_or_404(
            self.term_model, self.posts_filter, self.kwargs["slug"], self.request.user
        )

    def get_queryset(self):
        self.term = self.get_term()
        return super().get_queryset().of_term(self.posts_filter, self.term)

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


@cached
class TagPostListView(TermPostListView):
    term_model = Tag
    term_kind = "Tag"
    posts_filter = "tags"
    feed_url_names = ("blog:tag_feed_atom", "blog:tag_feed_rss")

    def heading(self):
        return f"#{self.term.name}"


@cached
class CategoryPostListView(TermPostListView):
    term_model = Category
    term_kind = "Category"
    posts_filter = "categories"
    feed_url_names = ("blog:category_feed_atom", "blog:category_feed_rss")


@cached
class KeywordPostListView(TermPostListView):
    term_model = Keyword
    term_kind = "Keyword"
    posts_filter = "keywords"


@cached
class AuthorPostListView(TermPostListView):
    term_model = Author
    term_kind = "Author"
    posts_filter = "authors"
    template_name = "blog/author_detail.html"
    feed_url_names = ("blog:author_feed_atom", "blog:author_feed_rss")


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
        caching.shows(keys.LISTS)
        meta = PageMeta(
            title=self.title,
            description=self.description.format(site=settings.SITE_TITLE),
            path=reverse(self.url_name),
            feeds=site_feeds(),
        )
        return super().get_context_data(**{self.items_name: self.get_items()}, meta=meta, **kwargs)


@cached
class TagListView(IndexView):
    """Every tag with public posts, as a cloud weighted by post count."""

    template_name = "blog/tag_list.html"
    title = "Tags"
    description = "Every tag on {site}, with its number of posts."
    url_name = "blog:tag_list"
    items_name = "tags"
    weights = 5

    def get_items(self):
        tags = with_public_post_counts(Tag.objects.order_by("name"), "tags")
        most = max((tag.post_count for tag in tags), default=1)
        for tag in tags:
            tag.weight = 1 + round((self.weights - 1) * (tag.post_count - 1) / max(most - 1, 1))
        return tags


@cached
class CategoryListView(IndexView):
    template_name = "blog/category_list.html"
    title = "Categories"
    description = "The categories of {site}."
    url_name = "blog:category_list"
    items_name = "categories"

    def get_items(self):
        return with_public_post_counts(Category.objects.order_by("name"), "categories")


@cached
class AuthorListView(IndexView):
    template_name = "blog/author_list.html"
    title = "Authors"
    description = "Who writes {site}."
    url_name = "blog:author_list"
    items_name = "authors"

    def get_items(self):
        return with_public_post_counts(Author.objects.order_by("name"), "authors")


# --- Archives ------------------------------------------------------------------------------------


@cached
class ArchiveView(IndexView):
    """Every month with posts, grouped by year, with counts (one query)."""

    template_name = "blog/archive.html"
    title = "Archive"
    description = "Every post of {site}, by year and month."
    url_name = "blog:archive"
    items_name = "years"

    def get_items(self):
        """[ArchiveYear], newest first: each year's posts and months with posts (one query)."""
        months = Post.objects.public().months()
        year_address, month_address = archive_addresses()
        years = []
        for year, rows in itertools.groupby(months, key=lambda row: row[0].year):
            rows = [
                ArchiveMonth(MONTHS[month.month], count, month_address(year, month.month))
                for month, count in rows
            ]
            years.append(
                ArchiveYear(year, sum(row.count for row in rows), year_address(year), rows)
            )
        return years


@dataclasses.dataclass(frozen=True)
class ArchiveMonth:
    name: str
    count: int
    url: str


@dataclasses.dataclass(frozen=True)
class ArchiveYear:
    year: int
    count: int
    url: str
    months: list


class DayRangeMixin:
    """A date view's range of days, found through the date index (``PostQuerySet.near_days``)."""

    def get_dated_queryset(self, **lookup):
        queryset = super().get_dated_queryset(**lookup)
        first_day, day_after = lookup[f"{self.date_field}__gte"], lookup[f"{self.date_field}__lt"]
        return queryset.near_days(first_day, day_after)


@cached
class YearArchiveView(DayRangeMixin, BlogViewMixin, dates.YearArchiveView):
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


@cached
class MonthArchiveView(DayRangeMixin, BlogViewMixin, dates.MonthArchiveView):
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
    """Ranked full-text search; an empty query shows the form and no results.

    The ranked ids come from ``blog.search`` (cached per query and what they show); a page of
    results loads just its posts. Each client may search ``BLOG_SEARCH_RATE`` times a window.
    """

    template_name = "blog/search.html"

    def get(self, request, *args, **kwargs):
        limit, window = settings.BLOG_SEARCH_RATE
        if request.GET.get("q") and not throttling.allow(
            request, "search", limit=limit, window=window
        ):
            return too_many_requests(request, retry_after=window)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.query = post_search.clean_query(self.request.GET.get("q", ""))
        if not self.query:
            return []
        return post_search.search(
            Post.objects.public(),
            self.query,
            state_etag=caching.tokens.etag_of((keys.SITE, keys.LISTS, keys.EDITS)),
        )

    def paginate_queryset(self, ids, page_size):
        paginator, page, _, is_paginated = ListView.paginate_queryset(self, ids, page_size)
        # A result shows its title, date, authors and a passage of its plain text (so that one
        # column comes along); tags and categories are for browsing, not for picking a result.
        posts = (
            Post.objects.public()
            .filter(pk__in=page.object_list)
            .defer(*(name for name in Post.FULL_TEXT_FIELDS if name != "body_text"))
            .prefetch_related(
                Prefetch(
                    "postauthor_set",
                    queryset=PostAuthor.objects.select_related("author"),
                    to_attr="author_links",
                )
            )
        )
        by_id = {post.pk: post for post in posts}
        found = [by_id[pk] for pk in page.object_list if pk in by_id]
        page.object_list = post_search.with_snippets(found, self.query)
        return paginator, page, page.object_list, is_paginated

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
    """The 500 page, rendered without touching the database (which may be what failed).

    When the database cannot be reached, the page says so and answers 503 with Retry-After,
    so that readers, crawlers and load balancers come back instead of giving up.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = render(
            request,
            "503.html",
            {"meta": PageMeta(title="Back in a moment", noindex=True), "navigation_pages": []},
            status=503,
        )
        response["Retry-After"] = str(settings.BLOG_RETRY_AFTER_SECONDS)
        return response
    return render(
        request,
        "500.html",
        {"meta": PageMeta(title="Something went wrong", noindex=True), "navigation_pages": []},
        status=500,
    )


def too_many_requests(request, *, retry_after):
    response = render(
        request,
        "429.html",
        {"meta": PageMeta(title="Too many requests", noindex=True), "retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
