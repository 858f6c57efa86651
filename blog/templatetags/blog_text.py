"""Small text filters for the site's templates."""

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

register = template.Library()


@register.filter
def duration_in_words(delta):
    """A timedelta as people say it: "15 minutes", "1 hour"."""
    now = timezone.now()
    return timeuntil(now + delta, now)
