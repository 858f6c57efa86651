"""Posts: the one visibility rule (``PostQuerySet.public``), their addresses, their rendering,
and their links to authors and categories."""

import dataclasses
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Min, Q
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.html import strip_tags
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from blog.addresses import (
    address_key,
)
from blog.caching import content_changed, keys
from blog.conversion import page_variables
from blog.models.addresses import Address, AddressTaken
from blog.models.content import (
    FromFilesQuerySet,
    render_post_markdown,
    validate_images,
    with_stored_files,
)
from blog.models.site import ImportedSite, Markup, SiteSettings
from blog.models.terms import Author, Category, KeywordedPost, TaggedPost
from blog.related import RelatedIndex
from blog.search import SearchDocumentField
from blog.seo import absolute


def _public(now):
    """The one rule of what readers see: published, dated ``now`` or earlier, not expired."""
    return Q(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        status=Post.Status.PUBLISHED,
        published_at__lte=now,
    )


class PostQuerySet(FromFilesQuerySet):
    def public(self, *, now=None):
        """Posts a reader may see: published, dated now or earlier, and not expired."""
        return self.filter(_public(now or timezone.now()))

    def hidden(self, *, now=None):
        """Posts a reader may not see: drafts, scheduled and expired posts."""
        return self.exclude(_public(now or timezone.now()))

    def of_term(self, posts_filter, term):
        """The posts of a tag, category, author or keyword (``posts_filter``: "tags"...).

        As EXISTS over the links: a page of a term's newest posts then walks the public posts
        in date order until it has them, instead of reading every post of the term (thousands,
        for a large tag) to sort them; at 10,000 posts, 0.1 ms instead of 4 ms, and 4 ms for a
        term with no public post at all.
        """
        link_model, post_field, term_field = term_links(posts_filter)
        links = link_model.objects.filter(**{post_field: models.OuterRef("pk"), term_field: term})
        return self.filter(models.Exists(links))

    def public_counts_by_term(self, posts_filter):
        """{term id: number of public posts} for tags, categories, authors or keywords, terms
        without one left out. Every link of a term counted, less the links of hidden posts
        (drafts, scheduled and expired posts: few): the links are counted from their term's
        index alone. Counting only the links of public posts read each post's visibility
        (9 ms for 30,000 tags of 10,000 posts, 70 ms joining each link to its post's row)."""
        link_model, post_field, term_field = term_links(posts_filter)

        def counted(links):
            rows = links.values(term_field).annotate(count=Count("*")).order_by()
            return {row[term_field]: row["count"] for row in rows}

        counts = counted(link_model.objects.all())
        hidden = self.hidden().values("id")
        for term, count in counted(
            link_model.objects.filter(**{f"{post_field}__in": hidden})
        ).items():
            counts[term] -= count
        return {term: count for term, count in counts.items() if count}

    def near_days(self, first_day, day_after):
        """Narrowed to posts published within two days of ``first_day`` to before
        ``day_after``: with a range of ``published_on`` days (the site's time zone, as addresses
        and archives have them), the same range on ``published_at`` lets the date index find
        them. Given the days alone, SQLite read every post of a year through the (day, slug)
        index and sorted them (a year's archive 6 ms -> 1 ms). Two days cover any time zone
        the days may have been written in."""
        margin = dt.timedelta(days=2)
        start = dt.datetime.combine(first_day - margin, dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(day_after + margin, dt.time.min, tzinfo=dt.UTC)
        return self.filter(published_at__gte=start, published_at__lt=end)

    def visible_to(self, user):
        """Staff preview drafts and scheduled posts; everyone else sees public posts only."""
        return self.all() if user.is_staff else self.public()

    def next_visibility_change(self, now):
        """When the next scheduled post becomes public or the next public post expires, if ever
        (one query)."""
        moments = self.filter(status=Post.Status.PUBLISHED).aggregate(
            publication=Min("published_at", filter=Q(published_at__gt=now)),
            expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
        )
        return min((moment for moment in moments.values() if moment), default=None)

    def changed_visibility_between(self, since, now):
        """The ids of published posts that became public, or expired, after ``since`` and up to
        ``now``: what readers see changed then without a write."""
        return list(
            self.filter(status=Post.Status.PUBLISHED)
            .filter(
                Q(published_at__gt=since, published_at__lte=now)
                | Q(expires_at__gt=since, expires_at__lte=now)
            )
            .values_list("id", flat=True)
        )

    def choose_related(self, post_ids):
        """Choose and store the related posts of ``post_ids`` among the public posts (see
        ``blog.related``); returns the ids of those whose choice changed. A few queries
        whatever the number of posts."""
        post_ids = list(post_ids)
        own_tags, first_category = {}, {}
        for start in range(0, len(post_ids), 500):
            chunk = post_ids[start : start + 500]
            links = TaggedPost.objects.filter(content_object_id__in=chunk)
            for pk, tag_id in links.values_list("content_object_id", "tag_id"):
                own_tags.setdefault(pk, []).append(tag_id)
            # Last wins: in this order, the last of a post's categories is its first.
            links = PostCategory.objects.filter(post_id__in=chunk).order_by("-position", "-id")
            first_category.update(links.values_list("post_id", "category_id"))
        tag_ids = {tag_id for tags in own_tags.values() for tag_id in tags}
        category_ids = set(first_category.values())
        tag_links = TaggedPost.objects.filter(tag_id__in=tag_ids)
        category_links = PostCategory.objects.filter(category_id__in=category_ids)
        candidates = Post.objects.public().filter(
            Q(pk__in=tag_links.values("content_object_id"))
            | Q(pk__in=category_links.values("post_id"))
        )
        index = RelatedIndex(
            candidates.values_list("id", flat=True),
            tag_links.values_list("content_object_id", "tag_id"),
            category_links.values_list("post_id", "category_id"),
        )
        changed = []
        for start in range(0, len(post_ids), 500):
            chunk = Post.objects.filter(pk__in=post_ids[start : start + 500])
            for pk, stored in chunk.values_list("id", "related"):
                chosen = index.related(pk, own_tags.get(pk, ()), first_category.get(pk))
                if chosen != stored:
                    changed.append((json.dumps(chosen), pk))
        # One statement run for every row (bulk_update's CASE per row took 0.5 s a thousand).
        with transaction.atomic(), connection.cursor() as cursor:
            table, column = Post._meta.db_table, Post._meta.get_field("related").column
            cursor.executemany(
                f"UPDATE {connection.ops.quote_name(table)} "
                f"SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
                changed,
            )
        return [pk for _, pk in changed]

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
        return self.prefetch_related(*listing_prefetches())


class PostManager(models.Manager.from_queryset(PostQuerySet)):
    def get_queryset(self):
        # The search document is for the search index alone, the imported file for the export;
        # saving a post loaded without them leaves them as they were.
        return super().get_queryset().defer("search_vector", "source_file")


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
    # Chosen when the post is written (``PostQuerySet.choose_related``), best first.
    related = models.JSONField(default=list, blank=True, editable=False)
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
    # Read by the export alone (blog.exporting), never with a post otherwise.
    source_file = models.BinaryField(
        blank=True,
        default=b"",
        editable=False,
        help_text="The file as last imported, byte for byte: unedited, it exports as it came.",
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

    # What a link to a post shows: its neighbours' and related posts' fields.
    LINK_FIELDS = ("title", "slug", "published_at", "path")

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
            # The public filter with the date, and what counts, archives and the sitemap read
            # besides: they are answered from the index alone, without reading the posts' wide
            # rows (on SQLite a column after the body means reading past the body).
            models.Index(
                fields=[
                    "status",
                    "-published_at",
                    "expires_at",
                    "published_on",
                    "updated_at",
                    "modified_at",
                    "path",
                ],
                name="post_public",
                # PostgreSQL's index entries hold no id (SQLite's hold the rowid): with it, a
                # count joined to a term's links reads the index alone (21 -> 6 ms).
                include=["id"],
            ),
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
        listing = self._state.adding or self._listed_as != self._listing_inputs()
        with transaction.atomic():
            super().save(*args, **kwargs)
            Address.claim(self)
        self._address_from = (self.published_on, self.slug)
        content_changed(
            post_ids=[self.pk],
            public=was_public or self.is_public,
            listing=listing or was_public != self.is_public,
        )
        self._was_public = self.is_public
        self._listed_as = self._listing_inputs()

    def get_absolute_url(self):
        """The post's address, percent-encoded for links (``path`` is kept decoded)."""
        if self.path:
            return escape_uri_path(self.path)
        return self.address(self.local_publication_date(), self.slug)

    def delete(self, *args, **kwargs):
        was_public = self._was_public or self.is_public
        pk = self.pk
        result = super().delete(*args, **kwargs)
        content_changed(
            public=was_public,
            keys_changed={keys.LISTS, keys.EDITS, keys.post(pk), keys.post_link(pk)},
        )
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
        if set(post.LISTING_FIELDS) <= set(field_names):
            post._listed_as = post._listing_inputs()
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

    # What lists, feeds and links to the post show of it besides its text (its terms are
    # written apart, and say so themselves): a change moves it in lists or renames links to it.
    LISTING_FIELDS = ("title", "slug", "path", "status", "published_at", "expires_at", "images")

    def _listing_inputs(self):
        return tuple(getattr(self, name) for name in self.LISTING_FIELDS)

    _listed_as = None  # the listing fields as loaded, if they were
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

    def credits(self):
        """The post's authors and categories as it shows them, to tell whether an edit changed
        them (two queries)."""
        return (
            list(self.postauthor_set.values_list("author_id", "spelling")),
            list(self.postcategory_set.values_list("category_id", "spelling")),
        )

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
            .only(*Post.LINK_FIELDS)
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
            .only(*Post.LINK_FIELDS)
            .first()
        )

    def related_public(self, limit=3):
        """The first ``limit`` of the post's related posts that are public (one query)."""
        if not self.related:
            return []
        found = Post.objects.public().filter(pk__in=self.related).only(*Post.LINK_FIELDS)
        by_id = {post.pk: post for post in found}
        return [by_id[pk] for pk in self.related if pk in by_id][:limit]


def term_links(posts_filter):
    """(link model, its post field, its term field) of "tags", "keywords", "categories" or
    "authors"."""
    return {
        "tags": (TaggedPost, "content_object", "tag"),
        "keywords": (KeywordedPost, "content_object", "tag"),
        "categories": (PostCategory, "post", "category"),
        "authors": (PostAuthor, "post", "author"),
    }[posts_filter]


def listing_prefetches():
    """What a list shows of each post besides its own fields: its authors, categories and
    tags, with how the post wrote them."""
    return (
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
