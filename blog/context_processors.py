from django.conf import settings
from django.db import DatabaseError


def site(request):
    """The site's name and address, for the base template and SEO tags, and the pages of its
    navigation (read only by a template that shows them)."""
    return {
        "site_title": settings.SITE_TITLE,
        "site_description": settings.SITE_DESCRIPTION,
        "site_url": settings.SITE_URL,
        "navigation_pages": navigation_pages,
    }


def navigation_pages():
    """The pages marked for the header; none when the database cannot say (the error pages)."""
    from blog.models import Page

    try:
        return list(Page.objects.in_navigation().only("title", "menu_title", "path"))
    except DatabaseError:
        return []
