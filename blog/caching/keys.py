"""The names of what a page shows, one place for all of them.

A public page is stored with the keys of what it shows, and a change names the keys it touches
(``blog.caching.changes``); the same names go out in the ``Surrogate-Key`` header, so that a
shared cache in front (Varnish, a CDN) purges exactly the pages this server would render again.
"""

# Every page: the site's settings, its navigation, its templates' shared parts.
SITE = "site"
# Which posts are public and how lists show them: membership, order, titles, dates, terms.
# Every list of posts, every feed, archive, index of terms and the sitemap.
LISTS = "lists"
# Any change to a public post's text: what shows every post's text or modification time (the
# sitemap's lastmod, search results).
EDITS = "edits"
# Which pages exist, and their titles and addresses: section pages, the sitemap.
PAGES = "pages"


def post(pk):
    """A post's own page and its card in lists and feeds (title, excerpt, body, terms)."""
    return f"p{pk}"


def post_link(pk):
    """How other pages link to a post (its title and address): its neighbours, related posts."""
    return f"l{pk}"


def page(pk):
    """A page's own address."""
    return f"g{pk}"
