"""The PostgreSQL + Redis pass: these run only there (see tests/conftest.py)."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction

from blog.models import Post
from tests.factories import make_post


@pytest.mark.postgres
@pytest.mark.django_db
def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 130000


@pytest.mark.postgres
@pytest.mark.django_db
def test_unique_constraints_hold_on_postgresql():
    post = make_post(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(slug="same", published_at=post.published_at)
    Post.objects.filter(pk=post.pk).update(source_path="x.md")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_post(source_path="x.md")


@pytest.mark.postgres
@pytest.mark.django_db
def test_front_matter_extra_keeps_nesting_and_types_in_jsonb():
    post = make_post(front_matter_extra={"header": {"image": "/a.png", "n": [1, 2.5, True, None]}})
    assert Post.objects.filter(front_matter_extra__header__image="/a.png").get() == post


@pytest.mark.redis
def test_cache_is_the_shared_redis_server():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    cache.set("blog-test-key", {"a": 1}, timeout=10)
    assert cache.get("blog-test-key") == {"a": 1}
    cache.delete("blog-test-key")
