"""The sitemap: the home and index pages, every public post and page with its last change, and
the tag, category, author and archive pages.

A site of up to ``POSTS_PER_SITEMAP`` posts has one ``/sitemap.xml``, as Jekyll's and Hugo's
sitemaps are. A larger one gets a sitemap index there instead, pointing at
``/sitemap-site.xml`` (every address but the posts) and ``/sitemap-posts-N.xml`` (the posts,
oldest first, ``POSTS_PER_SITEMAP`` to a file, so that a new post changes only the last file).
The protocol allows 50,000 addresses in one file; search engines read an index at the same
address. Each file costs a fixed number of queries, and a few milliseconds: 1,000 posts take
about as long to write as a page of a list, 10,000 in one file took 70 ms.

Written directly rather than through ``django.contrib.sitemaps``' template: for 10,000 posts
that template took 480 ms a render.
"""

import datetime as dt
import re

from django.conf import settings
from django.db.models import CharField, Max
from django.db.models.functions import Cast, Coalesce, Greatest, Substr
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.html import escape
from taggit.models import Tag

from blog.caching import keys, shows
from blog.models import Author, Category, Page, Post, with_public_posts
from blog.reversing import archive_addresses, slug_address
from blog.seo import absolute

POSTS_PER_SITEMAP = 1000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
INDEX_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
# An address that needs no escaping, in a URL or in XML.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._~-]*")
INDEX_PAGES = ("blog:post_list", "blog:archive", "blog:tag_list", "blog:category_list")


def sitemap(request):
    """The whole sitemap when the posts fit in one file; otherwise the index of its files.

    The index gives no ``lastmod`` (the protocol makes it optional): the newest change of each
    file meant reading every post's dates, 11-15 ms at 10,000 posts, for a file a crawler reads
    with its others anyway, each a stored page. Each file's entries carry theirs."""
    total = _public_posts().count()
    if total <= POSTS_PER_SITEMAP:
        shows(keys.LISTS, keys.EDITS, keys.PAGES)  # every address, with its last change
        return _xml([HEAD, *_site_entries(), *_post_entries(_public_posts()), "</urlset>\n"])
    shows(keys.LISTS)  # how many files there are
    files = [reverse("sitemap_site")]
    files += [reverse("sitemap_posts", args=[number]) for number in range(1, _files_for(total) + 1)]
    lines = [INDEX_HEAD, *(_index_entry(path) for path in files), "</sitemapindex>\n"]
    return _xml(lines)


def site_sitemap(request):
    """Every address of the site but the posts: index pages, pages, terms and archives."""
    shows(keys.LISTS, keys.PAGES)  # no post's own date: an edit of a post leaves it as it is
    return _xml([HEAD, *_site_entries(), "</urlset>\n"])


def posts_sitemap(request, number):
    """The ``number``-th ``POSTS_PER_SITEMAP`` public posts, oldest first."""
    # Any post's edit may change its date here: a key per post would make a thousand keys to
    # check per request and to send to a shared cache, against a few ms to write the file again.
    shows(keys.LISTS, keys.EDITS)
    start = (number - 1) * POSTS_PER_SITEMAP
    entries = number >= 1 and list(
        _post_entries(_public_posts()[start : start + POSTS_PER_SITEMAP])
    )
    if not entries:
        raise Http404("No such sitemap.")
    return _xml([HEAD, *entries, "</urlset>\n"])


def _public_posts():
    # Oldest first, so that the files before the last keep their posts as new ones come.
    return Post.objects.public().order_by("published_at", "id")


def _last_change_day():
    """The day of a post's last change, as text from the database (UTC): parsing 10,000
    datetimes in Python cost more than the rest of the sitemap."""
    changed = Greatest(Coalesce("updated_at", "modified_at"), "published_at")
    return Substr(Cast(changed, CharField()), 1, 10)


def _post_entries(posts):
    base = settings.SITE_URL.rstrip("/")
    for path, lastmod in posts.values_list("path", _last_change_day()):
        # _url() inlined: this loop is most of a sitemap's time.
        if not _PLAIN_PATH.fullmatch(path):
            path = escape(escape_uri_path(path))
        yield (
            f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod>"
            "<changefreq>monthly</changefreq><priority>0.8</priority></url>\n"
        )


def _site_entries():
    latest = Post.objects.public().aggregate(latest=Max("published_at"))["latest"]
    for name in (*INDEX_PAGES, "blog:author_list"):
        yield _url(reverse(name), latest, "daily", "1.0")
    for page in Page.objects.public().filter(redirect_to="").only("path", "modified_at"):
        yield _url(page.get_absolute_url(), page.modified_at, "monthly", "0.6")
    for terms, posts_filter, viewname in (
        (Tag.objects.all(), "tags", "blog:tag_detail"),
        (Category.objects.all(), "categories", "blog:category_detail"),
        (Author.objects.all(), "authors", "blog:author_detail"),
    ):
        address = slug_address(viewname)
        slugs = (
            with_public_posts(terms, posts_filter).order_by("slug").values_list("slug", flat=True)
        )
        for slug in slugs:
            yield _url(address(slug), None, "weekly", "0.5")
    year_address, month_address = archive_addresses()
    months = [month for month, _ in Post.objects.public().months()]
    for year in sorted({month.year for month in months}, reverse=True):
        yield _url(year_address(year), None, "monthly", "0.3")
    for month in months:
        yield _url(month_address(month.year, month.month), None, "monthly", "0.3")


def _index_entry(path):
    return f"<sitemap><loc>{escape(absolute(path))}</loc></sitemap>\n"


def _files_for(posts):
    return -(-posts // POSTS_PER_SITEMAP)  # rounded up


def _url(path, lastmod, changefreq, priority):
    """An address's entry; ``lastmod``: a datetime, or the day as text."""
    if lastmod and not isinstance(lastmod, str):
        lastmod = lastmod.astimezone(dt.UTC).date().isoformat()
    modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return (
        f"<url><loc>{escape(absolute(path))}</loc>{modified}"
        f"<changefreq>{changefreq}</changefreq><priority>{priority}</priority></url>\n"
    )


def _xml(lines):
    return HttpResponse("".join(lines), content_type="application/xml; charset=utf-8")
