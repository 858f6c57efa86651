"""What public pages show, the one place that says it changed, and the page cache in front.

- ``keys``: the names of what a page shows (a post, the lists, the site...).
- ``shown``: views name the keys of the page they render.
- ``tokens``: a token per key, shared by every process; a change gives its keys new ones.
- ``changes``: ``content_changed()``, which every write that readers could see calls.
- ``schedule``: scheduled posts go live, and posts expire, at their moment without a cron.
- ``pages``: stored pages and the caching headers they carry.
- ``front``: the middleware that answers from stored pages before the framework does.
- ``purgers``: telling a shared cache in front (Varnish, a CDN) what changed.
"""

from blog.caching.changes import content_changed, names_changed
from blog.caching.shown import shows, shows_posts

__all__ = ["content_changed", "names_changed", "shows", "shows_posts"]
