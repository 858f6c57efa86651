"""The site's own settings: its post address pattern, the sites it imported from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from blog.addresses import (
    DEFAULT_POST_ADDRESS,
    address_key,
    fill_pattern,
    pattern_problem,
)
from blog.caching import content_changed
from blog.conversion import TemplateSite


def validate_post_address(value):
    problem = pattern_problem(value)
    if problem:
        raise ValidationError(problem, code="bad_pattern")


class SiteSettings(models.Model):
    """The site's settings that content depends on; one row (``SiteSettings.load()``)."""

    post_address = models.CharField(
        "post address pattern",
        max_length=200,
        default=DEFAULT_POST_ADDRESS,
        validators=[validate_post_address],
        help_text="Where posts are served, as on Jekyll: :year :month :day :i_month :i_day "
        ":short_year :y_day :hour :minute :second :slug :title :output_ext. Changing it moves "
        "every post; their previous addresses redirect to the new ones.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    @transaction.atomic
    def save(self, *args, **kwargs):
        stored = SiteSettings.objects.filter(pk=self.pk).values_list("post_address", flat=True)
        previous = stored[0] if stored else DEFAULT_POST_ADDRESS  # unsaved: the defaults
        super().save(*args, **kwargs)
        if previous != self.post_address:
            self.move_posts()

    @classmethod
    def load(cls):
        """The settings row; the defaults (unsaved) before anyone saved it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def post_path(self, post):
        return fill_pattern(
            self.post_address, moment=timezone.localtime(post.published_at), slug=post.slug
        )

    def clean(self):
        super().clean()
        if not pattern_problem(self.post_address):
            clashes = self.clashes(self.planned_paths())
            if clashes:
                raise ValidationError({"post_address": clashes[:5]})

    def planned_paths(self):
        """{post id: the path this pattern gives it}, for every post."""
        from blog.models.posts import Post

        return {
            post.pk: self.post_path(post)
            for post in Post.objects.only("slug", "published_at").iterator(chunk_size=2000)
        }

    @staticmethod
    def clashes(paths):
        """Why ``paths`` cannot all be served: two posts at one address, or a post where a
        page is."""
        from blog.models.addresses import Address

        problems = []
        owners = {}
        for pk, path in paths.items():
            key = address_key(path)
            if key in owners:
                problems.append(f"Two posts would be at {path}: add :day or :year to the pattern.")
            owners[key] = pk
        pages = Address.objects.filter(is_current=True, page__isnull=False)
        for start in range(0, len(owners), 500):
            chunk = list(owners)[start : start + 500]
            for key in pages.filter(key__in=chunk).values_list("key", flat=True):
                problems.append(f"A post would be at {key}, which is a page's address.")
        return problems

    def move_posts(self):
        """Give every post the address the pattern makes; each one it had stays a redirect."""
        from blog.models.addresses import Address
        from blog.models.posts import Post

        paths = self.planned_paths()
        clashes = self.clashes(paths)
        if clashes:
            raise ValidationError(clashes[:5])
        moved = []
        for pk, current in Post.objects.values_list("pk", "path").iterator(chunk_size=2000):
            if paths[pk] != current:
                moved.append(Post(pk=pk, path=paths[pk]))
        Post.objects.bulk_update(moved, ["path"], batch_size=500)
        keys = {address_key(post.path): post.pk for post in moved}
        for start in range(0, len(moved), 500):
            chunk = [post.pk for post in moved[start : start + 500]]
            Address.objects.filter(post__in=chunk, is_current=True).update(is_current=False)
        taken = set()
        for start in range(0, len(keys), 500):
            taken.update(
                Address.objects.filter(key__in=list(keys)[start : start + 500]).values_list(
                    "key", flat=True
                )
            )
        for key in taken:  # an old address, now where a post is served
            Address.objects.filter(key=key).update(is_current=True, post=keys[key], page=None)
        Address.objects.bulk_create(
            (
                Address(key=key, post_id=pk, is_current=True)
                for key, pk in keys.items()
                if key not in taken
            ),
            batch_size=500,
        )
        content_changed()


class Markup(models.TextChoices):
    """The dialect a post's source is written in; rendering converts it (``blog.conversion``)."""

    SITE = "", "This site's Markdown"
    JEKYLL = "jekyll", "Jekyll: Liquid and kramdown"
    HUGO = "hugo", "Hugo: shortcodes and Goldmark"


class ImportedSite(models.Model):
    """What an imported Jekyll or Hugo site gives its posts' templates: its configuration, its
    ``_data`` and its ``_includes``. Kept so that posts render the same way again (after an edit,
    or ``rerender_posts``) without the site's folder."""

    root = models.CharField(max_length=500, unique=True, help_text="The folder imported.")
    generator = models.CharField(max_length=10)
    config = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    includes = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "imported site"

    def __str__(self):
        return f"{self.generator} site at {self.root}"

    def template_site(self):
        return TemplateSite(
            config=self.config, data=self.data, includes=self.includes, site_url=settings.SITE_URL
        )
