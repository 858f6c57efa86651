"""sitemap.xml: posts and pages with their last change, and the tag, category, author and
archive pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from taggit.models import Tag

from blog.caching import keys, shows
from blog.models import Author, Category, Page, Post, with_public_post_counts


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        shows(keys.LISTS, keys.EDITS)  # every post's address and last change
        return Post.objects.public().only(
            "slug", "path", "published_at", "updated_at", "modified_at"
        )

    def lastmod(self, post):
        return max(post.updated_at or post.modified_at, post.published_at)


class ContentPageSitemap(Sitemap):
    """Pages served at their own addresses (About, a section's page); not redirects."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        shows(keys.PAGES)
        return Page.objects.public().filter(redirect_to="").only("path", "modified_at")

    def lastmod(self, page):
        return page.modified_at


class PagesSitemap(Sitemap):
    """The home page and the index pages."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        shows(keys.LISTS)
        return [
            "blog:post_list",
            "blog:archive",
            "blog:tag_list",
            "blog:category_list",
            "blog:author_list",
        ]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if not hasattr(self, "_latest"):  # one query for all these pages
            self._latest = Post.objects.public().aggregate(latest=Max("published_at"))["latest"]
        return self._latest


class TermSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def __init__(self, queryset, posts_path, url_name=None):
        self.queryset = queryset
        self.posts_path = posts_path
        self.url_name = url_name

    def items(self):
        shows(keys.LISTS)
        return with_public_post_counts(self.queryset, self.posts_path).order_by("slug")

    def location(self, item):
        if self.url_name:
            return reverse(self.url_name, kwargs={"slug": item.slug})
        return item.get_absolute_url()


class ArchiveSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        shows(keys.LISTS)
        months = [month for month, _ in Post.objects.public().months()]
        years = sorted({month.year for month in months}, reverse=True)
        return [(year, None) for year in years] + [(m.year, m.month) for m in months]

    def location(self, item):
        year, month = item
        if month is None:
            return reverse("blog:year_archive", kwargs={"year": year})
        return reverse("blog:month_archive", kwargs={"year": year, "month": month})


SITEMAPS = {
    "pages": PagesSitemap,
    "posts": PostSitemap,
    "site-pages": ContentPageSitemap,
    "tags": TermSitemap(
        Tag.objects.all(), "blog_taggedpost_items__content_object", "blog:tag_detail"
    ),
    "categories": TermSitemap(Category.objects.all(), "posts"),
    "authors": TermSitemap(Author.objects.all(), "posts"),
    "archives": ArchiveSitemap,
}
