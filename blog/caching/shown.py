"""What the page being rendered shows: views, feeds and sitemaps name its keys as they read it.

``public_page`` (``blog.views``) opens a collection around a view; ``shows()`` adds keys to it,
and does nothing outside one (a view called for a logged-in user, a management command).
"""

import contextlib
import contextvars

from blog.caching import keys

_shown = contextvars.ContextVar("blog_shown_keys", default=None)


@contextlib.contextmanager
def collecting():
    """Collect the keys a page shows; every page shows the site's."""
    shown = {keys.SITE}
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)


def shows(*names):
    shown = _shown.get()
    if shown is not None:
        shown.update(names)


def shows_posts(posts, *, whole=True):
    """A page shows these posts: whole (their cards or their own page) or as links only."""
    key = keys.post if whole else keys.post_link
    shows(*(key(post.pk) for post in posts if post is not None))
