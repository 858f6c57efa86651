"""Authors, categories, tags and keywords, and the lists of them that readers may see."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from taggit.models import TagBase, TaggedItemBase

from blog.caching import names_changed
from blog.models.content import _site_host, validate_link
from blog.parsing import term_slug
from blog.rendering import render_markdown
from blog.safety import is_safe_link


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True, help_text="A few sentences about the author, in Markdown.")
    bio_html = models.TextField(blank=True, editable=False)
    website = models.URLField(blank=True, validators=[validate_link])
    email = models.EmailField(blank=True, help_text="Not shown on the site.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The login that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.bio_html = render_markdown(self.bio, site_host=_site_host()).body_html
        super().save(*args, **kwargs)
        names_changed(self.posts.values_list("pk", flat=True))

    def get_absolute_url(self):
        return reverse("blog:author_detail", kwargs={"slug": self.slug})

    @classmethod
    def site_default(cls):
        """The author credited with published posts that name none (``BLOG_DEFAULT_AUTHOR``)."""
        name = settings.BLOG_DEFAULT_AUTHOR
        author, _ = cls.objects.get_or_create(slug=term_slug(name), defaults={"name": name})
        return author

    @property
    def safe_website(self):
        """The website, if it is a link the site may print (one stored before the check was
        made is not)."""
        return self.website if is_safe_link(self.website) else ""


class Category(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        names_changed(self.posts.values_list("pk", flat=True))

    def get_absolute_url(self):
        return reverse("blog:category_detail", kwargs={"slug": self.slug})


class Keyword(TagBase):
    """An SEO keyword: shown in meta tags, kept apart from the tags readers browse."""

    class Meta:
        ordering = ["name"]

    def slugify(self, tag, i=None):
        slug = term_slug(tag)  # never empty, even for a name without letters
        return slug if i is None else f"{slug}_{i}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        names_changed(self.tagged_posts.values_list("content_object_id", flat=True))

    def get_absolute_url(self):
        return reverse("blog:keyword_detail", kwargs={"slug": self.slug})


def with_public_posts(queryset, posts_filter):
    """``queryset`` (tags, categories, authors...) narrowed to those with a public post.

    ``posts_filter`` is the lookup from posts to those objects (``"tags"``, ``"authors"``). A
    term used only by drafts is not shown to readers: not its name, not an author's bio. One
    query, which stops at each term's first public post (where counting read all its links).
    """
    from blog.models.posts import Post

    public = Post.objects.public().filter(**{posts_filter: models.OuterRef("pk")})
    return queryset.filter(models.Exists(public))


def with_public_post_counts(terms, posts_filter):
    """``terms`` (tags, categories, authors..., in their order) that have public posts, each
    with ``post_count``. ``posts_filter`` is the lookup from posts to them ("tags"). Three
    queries, whatever the number of terms and posts."""
    from blog.models.posts import Post

    counts = Post.objects.public_counts_by_term(posts_filter)
    found = list(terms.filter(pk__in=list(counts)))
    for term in found:
        term.post_count = counts[term.pk]
    return found


class TaggedPost(TaggedItemBase):
    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)
    spelling = models.CharField(
        max_length=100,
        blank=True,
        help_text="How this post wrote the tag, where it differs from the tag's name "
        "(tags are shared ignoring case: 'technology' and 'Technology' are one tag).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag")
        ]


class KeywordedPost(TaggedItemBase):
    tag = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="tagged_posts")
    content_object = models.ForeignKey("Post", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_keyword")
        ]
