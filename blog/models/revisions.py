"""Revisions of posts and pages: what each save left, to compare and restore."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from blog.models.pages import Page
from blog.models.posts import Post


class RevisionBase(models.Model):
    """What one save left: who, when, how, and a snapshot of everything that was set."""

    class Source(models.TextChoices):
        ADMIN = "admin", "Edited in the admin"
        IMPORT = "import", "Imported from a file"
        RESTORE = "restore", "Restored from an earlier revision"

    version = models.PositiveIntegerField(help_text="The version after this save.")
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    note = models.CharField(max_length=300, blank=True)
    snapshot = models.JSONField()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class Revision(RevisionBase):
    """A post as one save left it: ``snapshot`` holds the fields and the ordered authors and
    categories, tags and keywords (see ``blog.loading.snapshot``), so a revision can be compared
    with the post or restored.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")

    class Meta(RevisionBase.Meta):
        indexes = [models.Index(fields=["post", "-created_at"], name="revision_history")]

    def __str__(self):
        return f"{self.post} v{self.version} ({self.get_source_display()})"


class PageRevision(RevisionBase):
    """A page as one save left it (``Page.snapshot()``)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")

    class Meta(RevisionBase.Meta):
        indexes = [models.Index(fields=["page", "-created_at"], name="page_revision_history")]

    def __str__(self):
        return f"{self.page} v{self.version} ({self.get_source_display()})"
