"""Related posts are chosen when a post is written and stored with it: choose them now for
every post there is (blog.related)."""

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

from blog.related import RelatedIndex


def choose_every_related(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    TaggedPost = apps.get_model("blog", "TaggedPost")
    PostCategory = apps.get_model("blog", "PostCategory")
    now = timezone.now()
    public = Post.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        status="published",
        published_at__lte=now,
    ).order_by("-published_at", "-id")
    tag_links = list(TaggedPost.objects.values_list("content_object_id", "tag_id"))
    category_links = list(
        PostCategory.objects.order_by("-position", "-id").values_list("post_id", "category_id")
    )
    index = RelatedIndex(public.values_list("id", flat=True), tag_links, category_links)
    tags, first_category = {}, dict(category_links)  # last wins: the first category
    for pk, tag_id in tag_links:
        tags.setdefault(pk, []).append(tag_id)
    posts = list(Post.objects.only("id"))
    for post in posts:
        post.related = index.related(post.pk, tags.get(post.pk, ()), first_category.get(post.pk))
    Post.objects.bulk_update(posts, ["related"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0019_drop_site_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="related",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(choose_every_related, migrations.RunPython.noop),
    ]
