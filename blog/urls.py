from django.urls import path, register_converter

from blog import converters, feeds, views

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "nn")
register_converter(converters.UnicodeSlugConverter, "uslug")

app_name = "blog"
urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path(
        "<yyyy:year>/<nn:month>/<nn:day>/<uslug:slug>/",
        views.post_detail,
        name="post_detail",
    ),
    # Archives
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("<yyyy:year>/", views.YearArchiveView.as_view(), name="year_archive"),
    path("<yyyy:year>/<nn:month>/", views.MonthArchiveView.as_view(), name="month_archive"),
    # Terms
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<uslug:slug>/", views.TagPostListView.as_view(), name="tag_detail"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
    path("categories/<uslug:slug>/", views.CategoryPostListView.as_view(), name="category_detail"),
    path("keywords/<uslug:slug>/", views.KeywordPostListView.as_view(), name="keyword_detail"),
    path("authors/", views.AuthorListView.as_view(), name="author_list"),
    path("authors/<uslug:slug>/", views.AuthorPostListView.as_view(), name="author_detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    # Feeds: Atom at feed.xml (where jekyll-feed puts it), RSS at index.xml (where Hugo does).
    path("feed.xml", views.public_page(feeds.PostFeed()), name="feed_atom"),
    path("index.xml", views.public_page(feeds.PostRssFeed()), name="feed_rss"),
    path("feed.json", views.public_page(feeds.json_feed), name="feed_json"),
    path("tags/<uslug:slug>/feed.xml", views.public_page(feeds.TagFeed()), name="tag_feed_atom"),
    path(
        "tags/<uslug:slug>/index.xml",
        views.public_page(feeds.TagRssFeed()),
        name="tag_feed_rss",
    ),
    path(
        "categories/<uslug:slug>/feed.xml",
        views.public_page(feeds.CategoryFeed()),
        name="category_feed_atom",
    ),
    path(
        "categories/<uslug:slug>/index.xml",
        views.public_page(feeds.CategoryRssFeed()),
        name="category_feed_rss",
    ),
    path(
        "authors/<uslug:slug>/feed.xml",
        views.public_page(feeds.AuthorFeed()),
        name="author_feed_atom",
    ),
    path(
        "authors/<uslug:slug>/index.xml",
        views.public_page(feeds.AuthorRssFeed()),
        name="author_feed_rss",
    ),
    # Links to the old site's files, from Jekyll's {% post_url %} and {% link %}.
    path("-/post/<path:name>", views.post_url_link, name="post_url_link"),
    path("-/source/<path:source_path>", views.source_link, name="source_link"),
    # ...and from Hugo's {{< ref >}} and {{< relref >}}.
    path("-/ref/<path:reference>", views.ref_link, name="ref_link"),
    # Last: pages, and posts served where the site's pattern or the old site put them.
    path("<path:address>", views.content_at, name="content"),
]
