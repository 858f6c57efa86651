from django.conf import settings


def site(request):
    """The site's name and address, for the base template and SEO tags."""
    return {
        "site_title": settings.SITE_TITLE,
        "site_description": settings.SITE_DESCRIPTION,
        "site_url": settings.SITE_URL,
    }
