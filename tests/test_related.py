"""Related posts: the bit-set choice equals the plain rule, and they are stored with the post."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Post
from blog.related import RelatedIndex
from tests.factories import make_category, make_post


def plain_rule(pk, tag_ids, category_id, newest_first, tag_links, category_links, limit):
    """The rule as one would write it: most shared tags, newest first; then the category."""
    tags_of, categories_of = {}, {}
    for post, tag in tag_links:
        tags_of.setdefault(post, set()).add(tag)
    for post, category in category_links:
        categories_of.setdefault(post, set()).add(category)
    others = [other for other in newest_first if other != pk]
    shared = {other: len(tags_of.get(other, set()) & set(tag_ids)) for other in others}
    chosen = sorted((o for o in others if shared[o]), key=lambda o: -shared[o])[:limit]
    chosen += [
        other
        for other in others
        if other not in chosen and category_id in categories_of.get(other, set())
    ]
    return chosen[:limit]


links = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)), max_size=80)


@given(
    order=st.permutations(list(range(31))),
    tag_links=links,
    category_links=links,
    post=st.integers(0, 30),
    own_tags=st.lists(st.integers(0, 8), max_size=5),
    own_category=st.one_of(st.none(), st.integers(0, 6)),
    limit=st.integers(1, 6),
)
def test_the_bit_sets_choose_what_the_plain_rule_chooses(
    order, tag_links, category_links, post, own_tags, own_category, limit
):
    candidates = order[:25]  # some posts are not public
    index = RelatedIndex(candidates, tag_links, category_links)
    expected = plain_rule(
        post, own_tags, own_category, candidates, tag_links, category_links, limit
    )
    assert index.related(post, own_tags, own_category, limit) == expected


@pytest.mark.django_db
def test_related_posts_are_stored_when_a_post_is_written(client):
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    essays = make_category(name="Essays")
    older = make_post(title="Older", tags=["a"], published_at=now - dt.timedelta(days=3))
    both = make_post(title="Both", tags=["a", "b"], published_at=now - dt.timedelta(days=5))
    same_category = make_post(
        title="Same category", categories=[essays], published_at=now - dt.timedelta(days=1)
    )
    make_post(title="Unrelated", tags=["z"], published_at=now - dt.timedelta(days=2))
    post = make_post(title="This one", tags=["a", "b"], categories=[essays], published_at=now)
    post.save()  # its category was added after it was created
    post.refresh_from_db()
    assert post.related == [both.pk, older.pk, same_category.pk]
    assert [p.title for p in post.related_public()] == ["Both", "Older", "Same category"]
    # One stops being public: the page shows the others, without asking for a new choice.
    older.status = Post.Status.DRAFT
    older.save()
    assert [p.title for p in post.related_public()] == ["Both", "Same category"]
