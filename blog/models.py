import dataclasses
import datetime as dt
import operator
from functools import reduce
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.db.models import Count, Max, Min, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.html import strip_tags
from django.utils.text import Truncator
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from blog.addresses import (
    DEFAULT_POST_ADDRESS,
    RESERVED_ADDRESSES,
    RESERVED_PREFIXES,
    address_key,
    clean_path,
    fill_pattern,
    pattern_problem,
)
from blog.caching import content_changed
from blog.conversion import TemplateSite, convert, page_variables
from blog.conversion.references import file_references, point_at_files
from blog.parsing import term_slug
from blog.rendering import render_markdown
from blog.safety import IMAGE_RULE, LINK_RULE, is_safe_image, is_safe_link
from blog.search import SearchDocumentField
from blog.seo import absolute


class SiteVersion(models.Model):
    """One row counting the changes readers could see (see ``blog.caching.content_changed``)."""

    number = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"site version {self.number}"


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
        return {
            post.pk: self.post_path(post)
            for post in Post.objects.only("slug", "published_at").iterator(chunk_size=2000)
        }

    @staticmethod
    def clashes(paths):
        """Why ``paths`` cannot all be served: two posts at one address, or a post where a
        page is."""
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


def validate_link(value):
    """The admin's check of an author's website: the same rule as the importer's."""
    if value and not is_safe_link(value):
        raise ValidationError(f"Enter {LINK_RULE}.", code="unsafe_link")


def validate_images(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('Enter a list of image paths or addresses: ["/images/a.png"].')
    unsafe = [item for item in value if not is_safe_image(item)]
    if unsafe:
        raise ValidationError(f"Not an image address ({IMAGE_RULE}): {', '.join(unsafe)}")


def _site_host():
    return urlsplit(settings.SITE_URL).hostname or ""


def render_post_markdown(
    *,
    body,
    excerpt,
    excerpt_separator,
    excerpt_words,
    markup="",
    excerpt_cjk=False,
    site=None,
    page=None,
):
    """Convert a post's markdown fields from their dialect and render them with the site's
    settings; what the conversion could not do is in the result's ``warnings``.

    The one place that maps a post's fields to the renderer: ``Post.render()`` and the importer's
    worker processes (which have no database) both call it, so they always agree. ``site`` is
    the ``TemplateSite`` of the site the post came from, ``page`` its ``page`` variables.
    """
    site = site or TemplateSite(site_url=settings.SITE_URL)
    body = convert(body, markup=markup, site=site, page=page or {})
    excerpt = convert(excerpt, markup=markup, site=site, page=page or {})
    rendered = render_markdown(
        body.text,
        excerpt=excerpt.text,
        excerpt_separator=excerpt_separator or settings.BLOG_EXCERPT_SEPARATOR,
        excerpt_words=excerpt_words,
        site_host=_site_host(),
        embed_hosts=settings.BLOG_EMBED_HOSTS,
        dialect=markup,
        cjk_words=excerpt_cjk,
    )
    kept = [(line, text, "kept") for line, text in (*body.warnings, *excerpt.warnings)]
    removed = [(line, text, "removed") for line, text in rendered.warnings]
    return dataclasses.replace(rendered, warnings=(*kept, *removed))


def with_stored_files(rendered, page_url, files=None):
    """``rendered`` with references to the old site's files pointed at their stored copies;
    ``files`` ({old path: address}) is read when not given (one query)."""
    if files is None:
        wanted = file_references(rendered, page_url=page_url)
        files = FileAddress.new_addresses(wanted) if wanted else {}
    if not files:
        return rendered
    return point_at_files(rendered, page_url=page_url, new_address=files.get)


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
        content_changed(post_ids=self.posts.values_list("pk", flat=True))  # names are searched

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
        content_changed()

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
        content_changed()

    def get_absolute_url(self):
        return reverse("blog:keyword_detail", kwargs={"slug": self.slug})


def with_public_posts(queryset, posts_filter):
    """``queryset`` (tags, categories, authors...) narrowed to those with a public post.

    ``posts_filter`` is the lookup from posts to those objects (``"tags"``, ``"authors"``). A
    term used only by drafts is not shown to readers: not its name, not an author's bio.
    """
    public = Post.objects.public().filter(**{posts_filter: models.OuterRef("pk")})
    return queryset.filter(models.Exists(public))


def with_public_post_counts(queryset, posts_path):
    """``queryset`` (tags, categories, authors...) with ``post_count``: their public posts.

    ``posts_path`` is the lookup from those objects to their posts. Objects without a public
    post are left out. One query, whatever the number of objects.
    """
    public = Q(**{f"{posts_path}__in": Post.objects.public()})
    return queryset.annotate(post_count=Count(posts_path, filter=public, distinct=True)).filter(
        post_count__gt=0
    )


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


class PostQuerySet(models.QuerySet):
    def public(self, *, now=None):
        """Posts a reader may see: published, dated now or earlier, and not expired."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Post.Status.PUBLISHED,
            published_at__lte=now,
        )

    def visible_to(self, user):
        """Staff preview drafts and scheduled posts; everyone else sees public posts only."""
        return self.all() if user.is_staff else self.public()

    def content_state(self, *, now):
        """What every public page depends on, in one query over published posts: the number of
        public posts, their newest edit, the newest post that has become public and the newest
        expiry, the site's change count, and when the next scheduled post becomes public or the
        next post expires (``next_change``). Drafts are not part of it: saving one changes no
        public page."""
        public = Q(published_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        site = SiteVersion.objects.filter(pk=1)
        state = self.filter(status=Post.Status.PUBLISHED).aggregate(
            count=Count("id", filter=public),
            modified=Max("modified_at", filter=public),
            shown=Max("published_at", filter=public),
            expired=Max("expires_at", filter=Q(expires_at__lte=now)),
            next_publication=Min("published_at", filter=Q(published_at__gt=now)),
            next_expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
            # In the same query: the count of changes the posts' columns do not show (pages,
            # renamed terms). Coalesce: with no published post, MAX() over no rows is NULL.
            site_version=Coalesce(
                Max(Subquery(site.values("number")[:1])), Subquery(site.values("number")[:1])
            ),
            site_changed=Coalesce(
                Max(Subquery(site.values("changed_at")[:1])),
                Subquery(site.values("changed_at")[:1]),
            ),
        )
        upcoming = [state.pop("next_publication"), state.pop("next_expiry")]
        state["next_change"] = min((moment for moment in upcoming if moment), default=None)
        return state

    def months(self):
        """(first day of month, number of posts) for every month with posts, newest first.

        Groups by the text "YYYY-MM" of the date, which both databases compute natively;
        TruncMonth runs a Python function per row on SQLite (75 ms for 10,000 posts).
        """
        rows = (
            self.annotate(month=Substr(Cast("published_on", models.CharField()), 1, 7))
            .values_list("month")
            .annotate(count=Count("id"))
            .order_by("-month")
        )
        return [(dt.date.fromisoformat(f"{month}-01"), count) for month, count in rows]

    def for_listing(self):
        """Everything a list of posts shows, in a fixed number of queries. A post's authors,
        categories and tags come with how the post wrote them (``Post.shown_authors``...)."""
        return self.prefetch_related(
            models.Prefetch(
                "postauthor_set",
                queryset=PostAuthor.objects.select_related("author"),
                to_attr="author_links",
            ),
            models.Prefetch(
                "postcategory_set",
                queryset=PostCategory.objects.select_related("category"),
                to_attr="category_links",
            ),
            models.Prefetch(
                "taggedpost_set",
                queryset=TaggedPost.objects.select_related("tag").order_by("id"),
                to_attr="tag_links",
            ),
        )


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    def get_queryset(self):
        # The search document is for the search index alone; saving a post loaded without it
        # leaves it as blog.search wrote it.
        return super().get_queryset().defer("search_vector")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        allow_unicode=True,
        help_text="The last part of the address. Unique among the posts of one day.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="Publication date and time. A time in the future schedules the post.",
    )
    # The calendar day of `published_at` in the site's time zone: the date in the post's address,
    # stored so that "one slug per day" is a database constraint and the lookup uses an index.
    published_on = models.DateField(editable=False)
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the content last changed meaningfully, shown to readers. Optional.",
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="The post disappears from the site after this time."
    )
    modified_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every save adds one, and the admin refuses a save made from an older
    # version (someone else saved in between) instead of silently overwriting it.
    version = models.PositiveIntegerField(default=0, editable=False)

    authors = models.ManyToManyField(Author, through="PostAuthor", related_name="posts")
    categories = models.ManyToManyField(
        Category, through="PostCategory", related_name="posts", blank=True
    )
    tags = TaggableManager(through=TaggedPost, blank=True)
    keywords = TaggableManager(
        through=KeywordedPost,
        blank=True,
        related_name="posts",
        verbose_name="keywords",
        help_text="SEO keywords for search engines, comma-separated. Not shown as tags.",
    )

    body = models.TextField(blank=True, help_text="The post, in Markdown.")
    excerpt = models.TextField(
        blank=True,
        help_text="Markdown shown in lists of posts. Empty: the text before the excerpt "
        "separator, else the first paragraph.",
    )
    excerpt_separator = models.CharField(
        max_length=100,
        blank=True,
        help_text="Marks the end of the excerpt in the body. Empty: the site's default.",
    )
    description = models.TextField(
        blank=True, help_text="A one- or two-sentence summary for search engines and social cards."
    )
    excerpt_cjk = models.BooleanField(
        "count CJK characters",
        default=False,
        help_text="Count each Chinese, Japanese or Korean character as a word when cutting the "
        "automatic summary (Hugo's hasCJKLanguage).",
    )
    excerpt_words = models.PositiveSmallIntegerField(
        default=0,
        help_text="Without an excerpt or separator: 0 takes the first paragraph (Jekyll's rule); "
        "a number takes whole paragraphs until that many words (Hugo's rule is 70).",
    )
    layout = models.CharField(max_length=100, blank=True)
    images = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_images],
        help_text="Image paths or URLs for social cards, first is main.",
    )
    path = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="Where the post is served: made from the site's post address pattern, or the "
        "address it had on the old site (import_posts --keep-addresses).",
    )
    permalink = models.CharField(
        max_length=500, blank=True, help_text="The address the post had on the old site, if set."
    )
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other old addresses of the post (Hugo's aliases)."
    )

    # Rendered when the post is saved, never per request.
    body_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    excerpt_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False, help_text="Plain text, for search.")
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(default=0, editable=False, help_text="Minutes.")
    # Written by blog.search.update_index() after every write; never loaded with the post.
    search_vector = SearchDocumentField(null=True, editable=False)

    # Import bookkeeping.
    source_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="The file this post was imported from, relative to the imported folder.",
    )
    source_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the file as last imported."
    )
    source_format = models.CharField(
        max_length=4,
        blank=True,
        help_text="The front-matter format of the file: yaml, toml, json, or empty for none.",
    )
    markup = models.CharField(
        max_length=10,
        choices=Markup.choices,
        default=Markup.SITE,
        blank=True,
        help_text="The dialect of the body: Jekyll's Liquid and Hugo's shortcodes are converted "
        "when the post is rendered; the body is kept as written.",
    )
    source_url = models.CharField(
        max_length=600,
        blank=True,
        editable=False,
        help_text="The address the old site published the post at: relative references to its "
        "files are read from there.",
    )
    feed_id = models.CharField(
        max_length=600,
        blank=True,
        editable=False,
        help_text="The post's id in feeds, which never changes: the old site's (its absolute "
        "address there), or its first address here. Feed readers know a post by it.",
    )
    imported_site = models.ForeignKey(
        ImportedSite, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Fingerprint of the post as the last import left it; a different fingerprint "
        "now means the post was edited here since, and the next import will not overwrite it.",
    )
    front_matter_extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Front-matter keys that have no field of their own, kept as imported.",
    )

    objects = PostManager()

    # What lists of posts never show: left out of their queries (large, on every row).
    FULL_TEXT_FIELDS = ("body", "body_html", "toc_html", "body_text", "front_matter_extra")

    # The fields render() fills from the markdown fields.
    RENDERED_FIELDS = (
        "body_html",
        "toc_html",
        "excerpt_html",
        "body_text",
        "word_count",
        "reading_time",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["published_on", "slug"], name="unique_slug_per_day"),
            models.UniqueConstraint(
                fields=["source_path"],
                condition=~Q(source_path=""),
                name="unique_source_path",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="post_status_valid"
            ),
        ]
        permissions = [("publish_post", "Can publish posts by any author")]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="post_public_list"),
            models.Index(fields=["-published_at"], name="post_archive"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.published_on = self.local_publication_date()
        if self._rendered_from != self._rendering_inputs():
            self.render()
        if not self.path or self._address_from != (self.published_on, self.slug):
            # A new slug or day moves the post; its previous address becomes a redirect.
            self.path = SiteSettings.load().post_path(self)
        self.version += 1
        if not self.feed_id:
            self.feed_id = absolute(self.get_absolute_url())
        was_public = self._was_public and not self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            Address.claim(self)
        self._address_from = (self.published_on, self.slug)
        content_changed(post_ids=[self.pk], public=was_public or self.is_public)
        self._was_public = self.is_public

    def get_absolute_url(self):
        """The post's address, percent-encoded for links (``path`` is kept decoded)."""
        if self.path:
            return escape_uri_path(self.path)
        return self.address(self.local_publication_date(), self.slug)

    def delete(self, *args, **kwargs):
        was_public = self._was_public or self.is_public
        result = super().delete(*args, **kwargs)
        content_changed(public=was_public)
        return result

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        # The stored rendering matches the stored markdown (`rerender_posts` keeps it so after a
        # renderer or settings change), so saving without a markdown change need not render.
        rendering_fields = {
            "body", "excerpt", "excerpt_separator", "excerpt_words", "excerpt_cjk", "markup"
        }  # fmt: skip
        if rendering_fields <= set(field_names):
            post._rendered_from = post._rendering_inputs()
        if {"status", "published_at", "expires_at"} <= set(field_names):
            post._was_public = post.is_public
        if {"published_on", "slug"} <= set(field_names):
            post._address_from = (post.published_on, post.slug)
        return post

    @staticmethod
    def address(day, slug):
        """The address of the post published on ``day`` (a local date) with ``slug``."""
        return reverse(
            "blog:post_detail",
            kwargs={
                "year": day.year,
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": slug,
            },
        )

    def clean(self):
        super().clean()
        if self.published_at and self.slug:
            clash = Post.objects.filter(published_on=self.local_publication_date(), slug=self.slug)
            if self.pk:
                clash = clash.exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"slug": "Another post published on the same day already uses this slug."}
                )
            if self._address_from != (self.local_publication_date(), self.slug) or not self.path:
                path = SiteSettings.load().post_path(self)
                holder = Address.objects.filter(key=address_key(path), is_current=True).first()
                if holder is not None and holder.content != self:
                    raise ValidationError({"slug": AddressTaken(path, holder.content)})

    def local_publication_date(self):
        return timezone.localtime(self.published_at).date()

    # What render() reads besides the markdown fields (templates' variables, the address
    # references are read from): a bulk render loads them with the posts.
    TEMPLATE_FIELDS = (
        "title",
        "slug",
        "path",
        "source_url",
        "published_at",
        "description",
        "front_matter_extra",
        "imported_site",
    )

    def render(self, *, site=None, files=None):
        """Fill the rendered fields from the markdown fields. ``site``: the post's
        ``TemplateSite``, ``files``: {old path: stored copy's address}, when the caller has
        them (else they are read)."""
        converted = bool(self.markup)  # plain markdown needs no site or page variables
        rendered = render_post_markdown(
            **self._rendering_inputs(),
            site=(site or self.template_site()) if converted else None,
            page=self.template_page() if converted else None,
        )
        self.apply_rendering(with_stored_files(rendered, self.source_url or self.path, files))

    def template_site(self):
        """What the templates of an imported post see of its old site."""
        site = self.imported_site if self.imported_site_id else None
        return site.template_site() if site else None

    def template_page(self):
        """The ``page`` variables of the post's templates (Jekyll's ``page.title``...): the same
        as the import gave them, from what the post holds now."""
        if self.pk is None:
            authors = categories = tags = []
        else:
            authors = [author.name for author in self.shown_authors]
            categories = [category.name for category in self.shown_categories]
            tags = [tag.name for tag in self.shown_tags]
        return page_variables(
            title=self.title,
            url=self.path,
            date=self.published_at,
            slug=self.slug,
            description=self.description,
            authors=authors,
            categories=categories,
            tags=tags,
            extra=self.front_matter_extra,
        )

    def apply_rendering(self, rendered):
        """Store a rendering of this post's current markdown (made here or by an import worker)."""
        self.body_html = rendered.body_html
        self.toc_html = rendered.toc_html
        self.excerpt_html = rendered.excerpt_html
        self.body_text = rendered.text
        self.word_count = rendered.word_count
        self.reading_time = rendered.reading_time
        self._rendered_from = self._rendering_inputs()

    _rendered_from = None  # the inputs of the rendering held in the rendered fields, if known
    _address_from = None  # the (day, slug) the stored path was made from, if known
    # Whether readers could see the post as it was loaded: saving it then changes public pages
    # even if it is no longer public. Unknown (a partial load) counts as public.
    _was_public = True

    def _rendering_inputs(self):
        return {
            "body": self.body,
            "excerpt": self.excerpt,
            "excerpt_separator": self.excerpt_separator,
            "excerpt_words": self.excerpt_words,
            "excerpt_cjk": self.excerpt_cjk,
            "markup": self.markup,
        }

    @property
    def shown_authors(self):
        """The post's authors as it credited them, in order: [(author, name shown)]."""
        links = getattr(self, "author_links", None)
        if links is None:
            links = self.postauthor_set.select_related("author")
        return [ShownTerm(link.author, link.spelling or link.author.name) for link in links]

    @property
    def shown_categories(self):
        """The post's categories as it wrote them: [(category, name shown)], in order."""
        links = getattr(self, "category_links", None)
        if links is None:
            links = self.postcategory_set.select_related("category")
        return [ShownTerm(link.category, link.spelling or link.category.name) for link in links]

    @property
    def shown_tags(self):
        """The post's tags as it wrote them ('technology', though the tag is 'Technology')."""
        links = getattr(self, "tag_links", None)
        if links is None:
            links = self.taggedpost_set.select_related("tag").order_by("id")
        return [ShownTerm(link.tag, link.spelling or link.tag.name) for link in links]

    @property
    def has_long_toc(self):
        """Long posts (three sections or more) show their table of contents."""
        return self.toc_html.count("<li") >= 3

    @property
    def is_public(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def credit_default_author(self):
        """A published post needs an author (feeds and structured data name one): one saved
        without any is credited to the site's default author."""
        if self.status == self.Status.PUBLISHED and not self.authors.exists():
            PostAuthor.objects.create(post=self, author=Author.site_default(), position=0)

    def is_by(self, user):
        """Whether ``user`` is credited as one of the post's authors (through Author.user)."""
        return any(author.user_id == user.pk for author in self.authors.all())

    @property
    def meta_description(self):
        """For search engines and social cards: the description, else the excerpt as text."""
        text = self.description or strip_tags(self.excerpt_html)
        return Truncator(" ".join(text.split())).chars(200)

    @property
    def shows_updated_date(self):
        return bool(self.updated_at) and self.updated_at.date() > self.published_at.date()

    def previous_public(self):
        """The public post published just before this one (one query)."""
        return (
            Post.objects.public()
            .filter(
                Q(published_at__lt=self.published_at)
                | Q(published_at=self.published_at, id__lt=self.id)
            )
            .order_by("-published_at", "-id")
            .only("title", "slug", "published_at", "path")
            .first()
        )

    def next_public(self):
        """The public post published just after this one (one query)."""
        return (
            Post.objects.public()
            .filter(
                Q(published_at__gt=self.published_at)
                | Q(published_at=self.published_at, id__gt=self.id)
            )
            .order_by("published_at", "id")
            .only("title", "slug", "published_at", "path")
            .first()
        )

    def related_public(self, limit=3):
        """Public posts sharing the most tags with this one, then its first category (2 queries).

        Relies on this post's tags and categories being prefetched (``for_listing``).
        """
        others = (
            Post.objects.public().exclude(pk=self.pk).only("title", "slug", "published_at", "path")
        )
        tag_ids = [tag.pk for tag in self.shown_tags]
        related = list(
            others.filter(tags__in=tag_ids)
            .annotate(shared=Count("tags"))
            .order_by("-shared", "-published_at")[:limit]
            if tag_ids
            else []
        )
        categories = [category.pk for category in self.shown_categories]
        if len(related) < limit and categories:
            related += others.filter(categories__in=categories[:1]).exclude(
                pk__in=[post.pk for post in related]
            )[: limit - len(related)]
        return related


@dataclasses.dataclass(frozen=True)
class ShownTerm:
    """An author, category or tag of a post, with the name the post gave it."""

    term: object
    name: str

    @property
    def slug(self):
        return self.term.slug

    @property
    def pk(self):
        return self.term.pk

    def get_absolute_url(self):
        if isinstance(self.term, Category | Author):
            return self.term.get_absolute_url()
        return reverse("blog:tag_detail", kwargs={"slug": self.term.slug})


class PostAuthor(models.Model):
    """Links a post to its authors, in the order they are credited."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    spelling = models.CharField(
        max_length=200,
        blank=True,
        help_text="How this post credited the author, where it differs from their name.",
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="unique_post_author")
        ]

    def __str__(self):
        return f"{self.author} on {self.post}"


class PostCategory(models.Model):
    """Links a post to its categories, in the order the source gave them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    spelling = models.CharField(
        max_length=200,
        blank=True,
        help_text="How this post wrote the category, where it differs from its name.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "post categories"
        constraints = [
            models.UniqueConstraint(fields=["post", "category"], name="unique_post_category")
        ]

    def __str__(self):
        return f"{self.post} in {self.category}"


def page_path_problem(path):
    """Why a page cannot be served at ``path`` (a site route answers there), or ""."""
    from django.urls import Resolver404, resolve

    key = address_key(path)
    if not key:
        return "Enter the page's address, such as /about/."
    if key in RESERVED_ADDRESSES or key.startswith(RESERVED_PREFIXES):
        return f"{path} belongs to the site itself (its lists, feeds, search or admin)."
    for spelling in {clean_path(path), key + "/"}:
        try:
            match = resolve(spelling)
        except Resolver404:
            continue
        if match.url_name != "content":
            return f"{path} belongs to the site itself ({match.url_name.replace('_', ' ')})."
    return ""


class PageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Page.Status.PUBLISHED)

    def in_navigation(self):
        """The published pages marked for the header, in their menu order."""
        return self.public().filter(show_in_navigation=True).order_by("menu_order", "title")


class Page(models.Model):
    """A page outside the stream of posts (About, Contact, CV), served at its own path.

    Imported from Jekyll pages and from Hugo content that is not a dated post; written in the
    admin like a post, rendered when saved.
    """

    Status = Post.Status

    title = models.CharField(max_length=300)
    path = models.CharField(
        max_length=500,
        help_text="Where the page is served, such as /about/ or /cv.html.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    body = models.TextField(blank=True, help_text="The page, in Markdown.")
    description = models.TextField(
        blank=True, help_text="A one- or two-sentence summary for search engines and social cards."
    )
    images = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_images],
        help_text="Image paths or URLs for social cards, first is main.",
    )
    menu_title = models.CharField(
        max_length=100, blank=True, help_text="The name in the navigation; empty: the title."
    )
    menu_order = models.SmallIntegerField(
        default=0, help_text="Pages with lower numbers come first in the navigation."
    )
    show_in_navigation = models.BooleanField(
        default=False, help_text="Show a link to the page in the site's header."
    )
    lists_contents = models.BooleanField(
        "list what is below it",
        default=False,
        help_text="Show the pages and posts whose addresses are below this page's, as a "
        "section's page does (Hugo's _index.md).",
    )
    redirect_to = models.URLField(
        "redirects to",
        max_length=500,
        blank=True,
        validators=[validate_link],
        help_text="An address readers are sent to instead (jekyll-redirect-from's redirect_to).",
    )
    layout = models.CharField(max_length=100, blank=True)
    modified_at = models.DateTimeField(auto_now=True)
    # Optimistic locking, as for posts: every save adds one.
    version = models.PositiveIntegerField(default=0, editable=False)

    body_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)

    source_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="The file this page was imported from, relative to the imported folder.",
    )
    source_hash = models.CharField(max_length=64, blank=True)
    source_format = models.CharField(max_length=4, blank=True)
    markup = models.CharField(
        max_length=10, choices=Markup.choices, default=Markup.SITE, blank=True
    )
    imported_site = models.ForeignKey(
        ImportedSite, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    front_matter_extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Front-matter keys that have no field of their own, kept as imported.",
    )

    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Fingerprint of the page as the last import left it; a different one now "
        "means it was edited here since, and the next import will not overwrite it.",
    )

    objects = PageQuerySet.as_manager()

    # What a revision keeps and an import compares: everything an author or an import sets.
    SNAPSHOT_FIELDS = (
        "title",
        "path",
        "status",
        "description",
        "images",
        "menu_title",
        "menu_order",
        "show_in_navigation",
        "lists_contents",
        "redirect_to",
        "layout",
        "front_matter_extra",
        "body",
    )

    class Meta:
        ordering = ["menu_order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["path"], name="unique_page_path"),
            models.UniqueConstraint(
                fields=["source_path"],
                condition=~Q(source_path=""),
                name="unique_page_source_path",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="page_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.path = clean_path(self.path)
        if self._rendered_body != self.body:
            self.render()
        self.version += 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            Address.claim(self)
        content_changed()

    def get_absolute_url(self):
        return escape_uri_path(self.path)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        content_changed()
        return result

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def has_long_toc(self):
        return self.toc_html.count("<li") >= 3

    def snapshot(self):
        return {name: getattr(self, name) for name in self.SNAPSHOT_FIELDS}

    @property
    def navigation_title(self):
        return self.menu_title or self.title

    @property
    def meta_description(self):
        text = self.description or self.body_text
        return Truncator(" ".join(text.split())).chars(200)

    def clean(self):
        super().clean()
        self.path = clean_path(self.path)
        problem = page_path_problem(self.path)
        if problem:
            raise ValidationError({"path": problem})
        holder = Address.objects.filter(key=address_key(self.path), is_current=True).first()
        if holder is not None and holder.content != self:
            raise ValidationError({"path": AddressTaken(self.path, holder.content)})

    # The most pages and posts a section's page lists (newest posts first, then pages).
    LISTED_CONTENTS = 200

    def contents(self):
        """The public pages and posts whose addresses (current, or on the old site) are below
        this page's: what a section's page lists. One query each."""
        key = address_key(self.path).rstrip("/") + "/"
        below = Address.objects.filter(key__startswith=key)
        pages = (
            Page.objects.public()
            .filter(pk__in=below.filter(page__isnull=False).values("page"))
            .exclude(pk=self.pk)
            .only("title", "path", "description", "menu_order")
            .order_by("menu_order", "title")[: self.LISTED_CONTENTS]
        )
        posts = (
            Post.objects.public()
            .filter(pk__in=below.filter(post__isnull=False).values("post"))
            .only("title", "path", "slug", "published_at", "description")
            .order_by("-published_at")[: self.LISTED_CONTENTS]
        )
        return list(pages), list(posts)

    _rendered_body = None  # the body the rendered fields were made from, if known

    def template_site(self):
        return self.imported_site.template_site() if self.imported_site_id else None

    def template_page(self):
        return {**(self.front_matter_extra or {}), "title": self.title, "url": self.path}

    def render(self, *, files=None):
        site = self.template_site()
        page = self.template_page()
        rendered = render_post_markdown(
            body=self.body,
            excerpt="",
            excerpt_separator="",
            excerpt_words=0,
            markup=self.markup,
            site=site,
            page=page,
        )
        self.apply_rendering(with_stored_files(rendered, self.path, files))

    def apply_rendering(self, rendered):
        """Store a rendering of the current body (made here or by an import worker)."""
        self.body_html = rendered.body_html
        self.toc_html = rendered.toc_html
        self.body_text = rendered.text
        self._rendered_body = self.body


class Address(models.Model):
    """One address of the site's content, by its key (``blog.addresses.address_key``).

    The *current* address of a post or page is where it is served; every other address it has
    had (on the old site: a permalink, an alias, ``redirect_from``, the generator's own address;
    here: before its slug, date or the site's address pattern changed) answers 301 to it. One
    table for both kinds and both posts and pages, so that two pieces of content can never claim
    one address: the key is unique. An address some content already holds keeps leading there.
    """

    key = models.CharField(max_length=500, unique=True, help_text="Such as /2019/05/hello")
    post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    page = models.ForeignKey(
        "Page", null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    is_current = models.BooleanField(
        default=False, help_text="Where the content is served; other addresses redirect there."
    )

    class Meta:
        ordering = ["key"]
        verbose_name = "address"
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, page__isnull=True)
                | Q(post__isnull=True, page__isnull=False),
                name="address_of_one_post_or_page",
            ),
            # The site's own routes come first: content there would never be seen.
            models.CheckConstraint(
                condition=~Q(is_current=True, key__in=RESERVED_ADDRESSES)
                & ~reduce(
                    operator.or_,
                    (Q(is_current=True, key__startswith=prefix) for prefix in RESERVED_PREFIXES),
                ),
                name="address_not_a_site_route",
            ),
        ]

    def __str__(self):
        return f"{self.key} → {self.content}"

    @property
    def content(self):
        return self.post if self.post_id else self.page

    @classmethod
    def remember(cls, content, old_path):
        """Keep ``old_path`` leading to ``content`` (a post or page whose address changed).

        An address other content already holds keeps leading there.
        """
        key = address_key(old_path)
        if key and key != address_key(content.path):
            owner = {"post": content} if isinstance(content, Post) else {"page": content}
            cls.objects.get_or_create(key=key, defaults=owner)

    @classmethod
    def claim(cls, content):
        """Make ``content``'s path its current address; the address it had before becomes a
        redirect to it. Raises ``AddressTaken`` if other content is served there."""
        owner = {"post": content} if isinstance(content, Post) else {"page": content}
        key = address_key(content.path)
        holder = cls.objects.filter(key=key).first()
        if holder is not None and holder.is_current and holder.content != content:
            raise AddressTaken(content.path, holder.content)
        cls.objects.filter(is_current=True, **owner).exclude(key=key).update(is_current=False)
        if holder is None:
            cls.objects.create(key=key, is_current=True, **owner)
        else:  # an old address of this or other content: the content served there wins
            cls.objects.filter(pk=holder.pk).update(
                is_current=True, post=owner.get("post"), page=owner.get("page")
            )


class AddressTaken(ValidationError):
    def __init__(self, path, holder):
        kind = "post" if isinstance(holder, Post) else "page"
        super().__init__(
            f"The address {path} is already the address of the {kind} “{holder}”.",
            code="address_taken",
        )
        self.holder = holder


class StoredFile(models.Model):
    """A file an imported post or page refers to (an image, a PDF, a video), copied into the
    site's storage under its SHA-256: the same bytes are one file, and a re-import copies
    nothing."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, help_text="Its name in the media storage.")
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    @property
    def url(self):
        return default_storage.url(self.name)


class FileAddress(models.Model):
    """An address the old site published a file at; it answers 301 to the stored copy."""

    key = models.CharField(max_length=500, unique=True, help_text="Such as /assets/a.png")
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        verbose_name_plural = "file addresses"

    def __str__(self):
        return f"{self.key} → {self.file}"

    @classmethod
    def new_addresses(cls, keys):
        """{old address: the stored copy's address} for those of ``keys`` that have one."""
        rows = cls.objects.filter(key__in=list(keys)).select_related("file")
        return {row.key: row.file.url for row in rows}


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
