"""The admin shows what an import recorded about a post."""

import pytest
from django.urls import reverse

from tests.factories import make_post

pytestmark = pytest.mark.django_db


def test_post_change_page_shows_the_import_bookkeeping(admin_client):
    post = make_post(
        source_path="_posts/2024-01-01-x.md",
        source_format="toml",
        aliases=["/old/x/"],
        images=["/img/x.png"],
    )
    response = admin_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "_posts/2024-01-01-x.md" in page
    assert "toml" in page
    assert "/old/x/" in page
    assert "/img/x.png" in page
