"""Images uploaded from a post's edit form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models

from blog.models.posts import Post


def _image_size_limit(file):
    limit = settings.BLOG_MAX_IMAGE_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The image is {file.size / 1024 / 1024:.1f} MB; images may be at most "
            f"{limit / 1024 / 1024:.0f} MB. Resize it and upload it again."
        )


class PostImage(models.Model):
    """An image uploaded from a post's edit form, stored through Django's media storage."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="uploaded_images")
    image = models.ImageField(
        upload_to="images/%Y/%m/",
        validators=[
            _image_size_limit,
            FileExtensionValidator(["jpg", "jpeg", "png", "gif", "webp"]),
        ],
        help_text="JPEG, PNG, GIF or WebP, at most 5 MB.",
    )
    alt = models.CharField(
        "alternative text",
        max_length=300,
        help_text="What the image shows, for readers who cannot see it.",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.alt

    @property
    def markdown(self):
        """What to paste into the post to show the image."""
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.image.url})"
