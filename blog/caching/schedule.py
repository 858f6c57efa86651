"""Scheduled posts go live, and posts expire, at their moment, with no cron.

The token store holds when the next such moment is and up to when they were dealt with
(``blog.caching.tokens``). A stored page is served only while that moment is ahead; the first
request after it catches up here: the posts that became public or expired since are changed as
if they had been published or unpublished then, and the next moment is read again (one query).
Shared caches in front are told to keep pages no longer than until that moment
(``seconds_left``)."""

import datetime as dt

from django.utils import timezone

from blog.caching import tokens

# The next moment is read again this often even when nothing seems due: two posts scheduled at
# the same instant by two servers could otherwise leave the earlier moment unknown.
RECHECK = dt.timedelta(seconds=60)


def state():
    return tokens.store().snapshot(()).schedule


def is_current(state, now):
    """Whether ``state`` is known and its next moment is still ahead of ``now`` (a datetime)."""
    return (
        state is not None
        and state["recheck"] > now
        and (state["next"] is None or state["next"] > now)
    )


def seconds_left(state, now):
    """Seconds until the next scheduled moment, or None when nothing is scheduled."""
    if state is None or state["next"] is None:
        return None
    return max((state["next"] - now).total_seconds(), 0)


def catch_up():
    """Deal with what became public or expired since the last look, and note the next moment.

    Without a state (a new cache, or one that lost it), it is not known what was dealt with:
    every page is then out of date once.
    """
    from blog.caching import changes, keys
    from blog.models import Post

    now = timezone.now()
    known = state()
    if known is None:
        changes.publish_keys({keys.SITE})
    elif not is_current(known, now):
        went = Post.objects.changed_visibility_between(known["checked"], now)
        if went:
            changes.content_changed(post_ids=went)
    upcoming = Post.objects.next_visibility_change(now)
    tokens.store().set_schedule({"checked": now, "next": upcoming, "recheck": now + RECHECK})


def note_posts(post_ids):
    """Posts were written: a publication or expiry of theirs may now come before the next
    moment noted (one query; over the whole site when they are many)."""
    from blog.models import Post

    known = state()
    if known is None:
        return  # the next request catches up and reads every moment
    posts = Post.objects.filter(pk__in=post_ids) if len(post_ids) <= 500 else Post.objects.all()
    moment = posts.next_visibility_change(timezone.now())
    if moment is not None and (known["next"] is None or moment < known["next"]):
        tokens.store().set_schedule({**known, "next": moment})
