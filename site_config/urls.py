from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from blog import views
from blog.sitemaps import posts_sitemap, site_sitemap, sitemap

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", views.public_page(sitemap), name="sitemap"),
    path("sitemap-site.xml", views.public_page(site_sitemap), name="sitemap_site"),
    path("sitemap-posts-<int:number>.xml", views.public_page(posts_sitemap), name="sitemap_posts"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("", include("blog.urls")),
]

if settings.DEBUG:
    # Uploaded images, in development. In production the web server or object storage serves
    # MEDIA_URL (see the README).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "blog.views.page_not_found"
handler500 = "blog.views.server_error"
