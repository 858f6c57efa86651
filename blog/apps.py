from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # taggit's Tag and its manager are not ours to give a save() that says pages changed:
        # receivers do, for a renamed or deleted tag and for a post's tags set by any path.
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_save,
            pre_delete,
            pre_save,
        )
        from taggit.models import Tag

        from blog.caching import content_changed, names_changed
        from blog.models import TaggedPost
        from blog.parsing import term_slug

        def tagged_posts(tag):
            return list(
                TaggedPost.objects.filter(tag_id=tag.pk).values_list("content_object_id", flat=True)
            )

        def tag_renamed(instance, **kwargs):
            names_changed(tagged_posts(instance))

        def tag_deleted(instance, **kwargs):
            # Its posts lose a tag: also which posts are related to them may change.
            content_changed(post_ids=instance._tagged_posts)

        def tag_deleting(instance, **kwargs):
            instance._tagged_posts = tagged_posts(instance)  # gone by the time it is deleted

        def post_tags_changed(instance, action, reverse, pk_set, **kwargs):
            # taggit sends post_add with nothing added when a form saves the same tags.
            changed = action == "post_clear" or (action in ("post_add", "post_remove") and pk_set)
            if changed and not reverse:
                content_changed(post_ids=[instance.pk], public=instance.is_public)

        def tag_slug_never_empty(instance, **kwargs):
            # taggit slugifies "🐍" or "!!!" to "", and an empty slug has no address: every
            # page linking the tag would fail. Keywords do the same in Keyword.slugify().
            if not instance.slug:
                instance.slug = term_slug(instance.name)

        pre_save.connect(tag_slug_never_empty, sender=Tag, dispatch_uid="blog.tag_slug", weak=False)
        post_save.connect(tag_renamed, sender=Tag, dispatch_uid="blog.tag_renamed", weak=False)
        pre_delete.connect(tag_deleting, sender=Tag, dispatch_uid="blog.tag_deleting", weak=False)
        post_delete.connect(tag_deleted, sender=Tag, dispatch_uid="blog.tag_deleted", weak=False)
        m2m_changed.connect(
            post_tags_changed, sender=TaggedPost, dispatch_uid="blog.post_tags", weak=False
        )
