"""Pages: content outside the stream of posts, served at its own address."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.encoding import escape_uri_path
from django.utils.text import Truncator

from blog.addresses import (
    RESERVED_ADDRESSES,
    RESERVED_PREFIXES,
    address_key,
    clean_path,
)
from blog.caching import content_changed, keys
from blog.models.addresses import Address, AddressTaken
from blog.models.content import (
    FromFilesQuerySet,
    render_post_markdown,
    validate_images,
    validate_link,
    with_stored_files,
)
from blog.models.posts import Post
from blog.models.site import ImportedSite, Markup


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


class PageQuerySet(FromFilesQuerySet):
    def public(self):
        return self.filter(status=Page.Status.PUBLISHED)

    def visible_to(self, user):
        """Staff preview drafts; everyone else sees published pages (as for posts)."""
        return self.all() if user.is_staff else self.public()

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
    source_file = models.BinaryField(
        blank=True,
        default=b"",
        editable=False,
        help_text="The file as last imported, byte for byte: unedited, it exports as it came.",
    )
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
        was_in_navigation = (
            self.pk is not None
            and Page.objects.filter(pk=self.pk, show_in_navigation=True).exists()
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            Address.claim(self)
        self.changed(navigation=was_in_navigation or self.show_in_navigation)

    def get_absolute_url(self):
        return escape_uri_path(self.path)

    def delete(self, *args, **kwargs):
        pk, navigation = self.pk, self.show_in_navigation
        result = super().delete(*args, **kwargs)
        self.pk = pk
        self.changed(navigation=navigation)
        self.pk = None
        return result

    def changed(self, *, navigation):
        """Say what readers see changed: this page, the pages that list it, and every page
        when it is (or was) in the navigation."""
        changed = {keys.page(self.pk), keys.PAGES}
        content_changed(keys_changed=changed | ({keys.SITE} if navigation else set()))

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
