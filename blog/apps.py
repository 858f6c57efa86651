from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # taggit's Tag is not ours to give a save() that says pages changed; a receiver does.
        from django.db.models.signals import post_delete, post_save
        from taggit.models import Tag

        from blog.models import content_changed

        def tag_changed(**kwargs):
            content_changed()

        post_save.connect(tag_changed, sender=Tag, dispatch_uid="blog.tag_changed", weak=False)
        post_delete.connect(tag_changed, sender=Tag, dispatch_uid="blog.tag_deleted", weak=False)
