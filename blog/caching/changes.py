"""The one place that says content changed: the search index, the stored pages, the shared
caches in front.

Every write that readers could see calls ``content_changed()``: ``Post.save()``, the importer,
the admin's bulk actions and re-render, ``rerender_posts``, restoring a revision, renaming a
tag, author, category or keyword, saving a page or the site settings. It names the keys of what
changed (``blog.caching.keys``) and gives them new tokens, so that exactly the stored pages that
show them are rendered again; the same keys are purged from a shared cache in front
(``BLOG_PURGER``).

Tokens change at once, and again when the transaction commits: a page rendered in between may
have read the database before the change was committed, and is then out of date again.
"""

from django.db import transaction

from blog.caching import keys, purgers, schedule, tokens

# Past this many posts in one change, it is the whole site's: every page is rendered again,
# which costs less than finding each post's neighbours.
LARGE_CHANGE = 20


def content_changed(
    *, post_ids=(), public=True, listing=True, keys_changed=(), choose_related=True
):
    """Call after writing content.

    ``post_ids``: the posts written (their search entries are brought up to date).
    ``public``: whether anything a reader sees may have changed (a draft that never was public
    changes nothing). ``listing``: whether the posts may have changed how lists show them
    (became public or not, new title, date, address or terms) rather than only their text.
    ``keys_changed``: other keys (a page, the site). With no posts and no keys, everything
    changed. ``choose_related``: False when the caller chooses the posts' related posts
    itself, once for many calls (the importer).
    """
    from blog import search
    from blog.models import Post

    post_ids = list(post_ids)
    if post_ids:
        search.update_index(post_ids)
        if choose_related:
            Post.objects.choose_related(post_ids)
        _now_and_at_commit(lambda: schedule.note_posts(post_ids))
    if not public:
        return
    changed = set(keys_changed)
    if (not post_ids and not changed) or max(len(post_ids), len(changed)) > LARGE_CHANGE:
        changed = {keys.SITE}
    elif post_ids:
        changed |= {keys.EDITS, *(keys.post(pk) for pk in post_ids)}
        if listing:
            changed |= {keys.LISTS, *(keys.post_link(pk) for pk in post_ids)}
            changed |= {keys.post(pk) for pk in _neighbours(post_ids)}
    publish_keys(changed)


def names_changed(post_ids):
    """A tag, category, author or keyword was renamed: the posts that show it change (their
    pages, the lists, their search entries), but not which posts are related to them."""
    content_changed(post_ids=post_ids, choose_related=False)


def publish_keys(changed):
    """Give ``changed`` new tokens now and again at commit, and purge them from shared caches."""
    changed = sorted(changed)
    _now_and_at_commit(lambda: tokens.store().bump(changed))
    transaction.on_commit(lambda: purgers.purge(changed), robust=True)


def _now_and_at_commit(action):
    action()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(action, robust=True)


def _neighbours(post_ids):
    """The public posts just before and after each of ``post_ids`` now: their pages link to it.
    (Those that linked to it before link to its ``post_link`` key, which changes with it.)"""
    from blog.models import Post

    found = set()
    for post in Post.objects.filter(pk__in=post_ids).only("id", "published_at"):
        for neighbour in (post.previous_public(), post.next_public()):
            if neighbour is not None:
                found.add(neighbour.pk)
    return found
