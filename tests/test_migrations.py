"""Migrations that move data: what an earlier version stored still works after upgrading."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("blog", "0009_safe_addresses_and_slugs")]
AFTER = [("blog", "0010_pages_and_addresses")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_redirects_become_addresses_and_posts_keep_theirs(client):
    apps = migrate(BEFORE)
    Post = apps.get_model("blog", "Post")
    RedirectFromOldUrl = apps.get_model("blog", "RedirectFromOldUrl")
    moment = dt.datetime(2019, 5, 1, 12, tzinfo=dt.UTC)
    post = Post.objects.create(
        title="Hello",
        slug="hello",
        status="published",
        published_at=moment,
        published_on=moment.date(),
    )
    other = Post.objects.create(
        title="Other",
        slug="other",
        status="published",
        published_at=moment,
        published_on=moment.date(),
    )
    RedirectFromOldUrl.objects.create(old_path="/blog/hello.html", post=post)
    RedirectFromOldUrl.objects.create(old_path="/posts/hello/", post=post)
    RedirectFromOldUrl.objects.create(old_path="/2019/05/01/other/", post=post)  # another's
    try:
        apps = migrate(AFTER)
        Address = apps.get_model("blog", "Address")
        Post = apps.get_model("blog", "Post")
        assert Post.objects.get(pk=post.pk).path == "/2019/05/01/hello/"
        assert set(Address.objects.values_list("key", "post_id", "is_current")) == {
            ("/2019/05/01/hello", post.pk, True),
            ("/2019/05/01/other", other.pk, True),  # a post's own address stays its own
            ("/blog/hello", post.pk, False),
            ("/posts/hello", post.pk, False),
        }
    finally:
        migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("blog")
