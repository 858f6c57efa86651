"""Writing and publishing in the Django admin.

Posts: a list with status (drafts, scheduled, published), filters and bulk actions; an edit form
with a live preview made by the site's own renderer; optimistic locking so that two people never
overwrite each other's edits silently; a revision for every save, with diffs and restore; image
uploads. Authors (the "Authors" group) write and edit; only editors (the "publish_post"
permission) publish posts that are not their own.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from taggit.models import Tag

from blog.caching import content_changed
from blog.loading import snapshot_lines
from blog.models import (
    Address,
    Author,
    Category,
    Keyword,
    Markup,
    Page,
    PageRevision,
    Post,
    PostAuthor,
    PostCategory,
    PostImage,
    Revision,
    SiteSettings,
    TaggedPost,
    render_post_markdown,
)
from blog.revisions import (
    page_revision_diff,
    publication_changes,
    record_page_revision,
    record_revision,
    restore_page_revision,
    restore_revision,
    revision_diff,
)

PUBLISH_PERMISSION = "blog.publish_post"

admin.site.site_header = f"{settings.SITE_TITLE} admin"
admin.site.site_title = f"{settings.SITE_TITLE} admin"
admin.site.index_title = "Write and publish"


def may_publish(user, post):
    """Editors publish any post; authors only posts that credit them."""
    return user.has_perm(PUBLISH_PERMISSION) or (post.pk is not None and post.is_by(user))


# --- The edit form ------------------------------------------------------------------------------


class LockedForm(forms.ModelForm):
    """Optimistic locking on the model's ``version``: a save made from a version someone else
    has saved over since is refused, and the changes made meanwhile are shown."""

    # The version the editor opened; a different version at save time means someone else saved.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.conflict_diff = []
        self.fields["opened_version"].initial = self.instance.version

    def revision_diff(self, revision):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        content = self.instance
        opened = cleaned.get("opened_version")
        if content.pk and opened is not None and opened != content.version:
            revision = content.revisions.filter(version=opened).first()
            self.conflict_diff = (
                self.revision_diff(revision)
                if revision is not None
                else ["(The version you opened has no revision to compare with.)"]
            )
            latest = content.revisions.first()
            who = f" by {latest.user}" if latest and latest.user else ""
            kind = content._meta.verbose_name
            raise ValidationError(
                f"This {kind} was changed{who} since you opened it (version {opened}, now "
                f"{content.version}). Nothing was saved. The changes made meanwhile are shown "
                "below: copy your edits, reload the page, and apply them again.",
                code="conflict",
            )
        return cleaned


class PostAdminForm(LockedForm):
    class Meta:
        model = Post
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {
            "body": forms.Textarea(attrs={"rows": 28, "class": "post-body-editor"}),
            "excerpt": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def revision_diff(self, revision):
        return revision_diff(revision, self.instance)

    def clean(self):
        cleaned = super().clean()
        post = self.instance
        publishing = cleaned.get("status") == Post.Status.PUBLISHED and (
            post.pk is None or Post.objects.get(pk=post.pk).status != Post.Status.PUBLISHED
        )
        if publishing and self.user is not None and not self.user.has_perm(PUBLISH_PERMISSION):
            if post.pk is not None and not post.is_by(self.user):
                self.add_error(
                    "status",
                    "You may publish only your own posts; save it as a draft and ask an "
                    "editor to publish it.",
                )
            elif post.pk is None and not hasattr(self.user, "author_profile"):
                self.add_error(
                    "status",
                    "Your login is not linked to an author, so this post would not be yours to "
                    "publish; save it as a draft, or ask an editor to link your login.",
                )
        return cleaned


def _https_by_default(field, **kwargs):
    """An address typed without a scheme is taken as https (Django 6.0's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PageAdminForm(LockedForm):
    class Meta:
        model = Page
        formfield_callback = _https_by_default
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24, "class": "post-body-editor"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def revision_diff(self, revision):
        return page_revision_diff(revision, self.instance)


class UserFormMixin:
    """Gives the admin's form the user who edits (for locking messages and permissions)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class FormForUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormForUser


class RevisionHistoryMixin:
    """The history page lists the revisions; each can be compared with now and restored."""

    revision_model = None

    def history_view(self, request, object_id, extra_context=None):
        content = self.get_object(request, object_id)
        revisions = content.revisions.select_related("user") if content else []
        names = {
            "revisions": revisions,
            "revision_url_name": f"admin:blog_{self.opts.model_name}_revision",
        }
        return super().history_view(
            request, object_id, extra_context={**names, **(extra_context or {})}
        )

    def revision_context(self, request, content, revision):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Version {revision.version} of \u201c{content}\u201d",
            "object": content,
            "revision": revision,
            "revision_lines": snapshot_lines(revision.snapshot),
            "can_restore": self.has_change_permission(request, content),
            "change_url": reverse(f"admin:blog_{self.opts.model_name}_change", args=[content.pk]),
            "history_url": reverse(f"admin:blog_{self.opts.model_name}_history", args=[content.pk]),
            "changelist_url": reverse(f"admin:blog_{self.opts.model_name}_changelist"),
        }


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 1
    autocomplete_fields = ["author"]
    exclude = ["spelling"]  # how an imported post credited them: shown, not edited

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "post")

    verbose_name = "author"
    verbose_name_plural = "authors (in the order they are credited)"


class PostCategoryInline(admin.TabularInline):
    model = PostCategory
    extra = 1
    autocomplete_fields = ["category"]
    # How an imported post wrote the category is shown on the site, not edited here.
    exclude = ["spelling"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "post")

    verbose_name = "category"
    verbose_name_plural = "categories"


class PostImageInline(admin.TabularInline):
    model = PostImage
    extra = 1
    fields = ["image", "alt", "markdown_to_paste"]
    readonly_fields = ["markdown_to_paste"]
    verbose_name = "image"
    verbose_name_plural = "images (upload, save, then paste the markdown into the post)"

    @admin.display(description="Markdown")
    def markdown_to_paste(self, image):
        if not image.pk:
            return "Shown after saving."
        return format_html('<code class="image-markdown">{}</code>', image.markdown)


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return (
            Tag.objects.filter(blog_taggedpost_items__isnull=False)
            .distinct()
            .values_list("slug", "name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


@admin.register(Post)
class PostAdmin(UserFormMixin, RevisionHistoryMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "category_names",
        "tag_count",
        "view_link",
    ]
    list_display_links = ["title"]
    list_filter = ["status", ("categories", admin.RelatedOnlyFieldListFilter), "authors", TagFilter]
    list_per_page = 50
    search_fields = ["title", "slug", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PostAuthorInline, PostCategoryInline, PostImageInline]
    actions = ["publish", "unpublish", "rerender"]
    change_form_template = "admin/blog/post/change_form.html"
    object_history_template = "admin/blog/object_history.html"
    import_fields = [
        "source_path",
        "source_hash",
        "source_format",
        "import_fingerprint",
        "front_matter_extra",
        "modified_at",
        "version",
    ]
    readonly_fields = [*import_fields, "site_link"]
    fieldsets = [
        (
            "Content",
            {
                "fields": [
                    "title",
                    "slug",
                    "body",
                    "status",
                    "published_at",
                    "site_link",
                    "opened_version",
                ]
            },
        ),
        ("Metadata", {"fields": ["tags", "updated_at", "expires_at", "layout", "markup"]}),
        (
            "Summary and SEO",
            {
                "fields": [
                    "excerpt",
                    "excerpt_separator",
                    "excerpt_words",
                    "excerpt_cjk",
                    "description",
                    "keywords",
                    "images",
                ]
            },
        ),
        ("Old addresses", {"classes": ["collapse"], "fields": ["permalink", "aliases"]}),
        ("Import bookkeeping", {"classes": ["collapse"], "fields": import_fields}),
    ]

    # --- The list ------------------------------------------------------------------------------

    def get_queryset(self, request):
        tag_count = (
            TaggedPost.objects.filter(content_object=OuterRef("pk"))
            .values("content_object")
            .annotate(count=Count("id"))
            .values("count")
        )
        # Annotated before ordering (ModelAdmin.get_queryset would order first), since the
        # default order uses `is_mine`.
        queryset = Post.objects.annotate(
            tag_total=Coalesce(Subquery(tag_count), 0),
            is_mine=Exists(
                PostAuthor.objects.filter(post=OuterRef("pk"), author__user_id=request.user.pk)
            ),
        ).order_by(*self.get_ordering(request))
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.prefetch_related(
                Prefetch("authors", queryset=Author.objects.order_by("postauthor__position")),
                Prefetch(
                    "categories", queryset=Category.objects.order_by("postcategory__position")
                ),
            )
        return queryset

    def get_ordering(self, request):
        # An author linked to this login sees their own posts first.
        if hasattr(request.user, "author_profile"):
            return ["-is_mine", "-published_at"]
        return ["-published_at"]

    @admin.display(description="status", ordering="status")
    def status_label(self, post):
        if post.status == Post.Status.DRAFT:
            return "Draft"
        if post.is_scheduled:
            local = timezone.localtime(post.published_at)
            return f"Scheduled for {local:%Y-%m-%d %H:%M}"
        if post.expires_at and post.expires_at <= timezone.now():
            return "Expired"
        return "Published"

    @admin.display(description="authors")
    def author_names(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="categories")
    def category_names(self, post):
        return ", ".join(category.name for category in post.categories.all())

    @admin.display(description="tags", ordering="tag_total")
    def tag_count(self, post):
        return post.tag_total

    @admin.display(description="on the site")
    def view_link(self, post):
        label = "View" if post.is_public else "Preview"
        return format_html('<a href="{}" target="_blank">{}</a>', post.get_absolute_url(), label)

    @admin.display(description="on the site")
    def site_link(self, post):
        if not post.pk:
            return "Save the post to see it on the site."
        if post.is_public:
            return format_html(
                '<a href="{}" target="_blank">View on site</a>', post.get_absolute_url()
            )
        return format_html(
            '<a href="{}" target="_blank">Preview on site</a> (only staff see it until it is '
            "public)",
            post.get_absolute_url(),
        )

    # --- Actions -------------------------------------------------------------------------------

    @admin.action(description="Publish the selected posts (a future date schedules them)")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Post.Status.PUBLISHED, "published")

    @admin.action(description="Unpublish the selected posts (back to draft)")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Post.Status.DRAFT, "turned back into drafts")

    def _set_status(self, request, queryset, status, done):
        changed = skipped = 0
        refused = []
        for post in queryset.prefetch_related("authors"):
            if post.status == status:
                skipped += 1
                continue
            if not may_publish(request.user, post):
                refused.append(post.title)
                continue
            post.status = status
            post.save(update_fields=["status", "published_on", "path", "version", "modified_at"])
            post.credit_default_author()
            record_revision(post, user=request.user, note=f"Bulk action: {done}")
            changed += 1
        self.message_user(
            request,
            f"{changed} post(s) {done}; {skipped} already were.",
            messages.SUCCESS if changed else messages.INFO,
        )
        if refused:
            self.message_user(
                request,
                f"Not changed, because only editors may publish other people's posts: "
                f"{', '.join(refused)}.",
                messages.WARNING,
            )

    @admin.action(description="Render the selected posts again")
    def rerender(self, request, queryset):
        posts = list(queryset)
        for post in posts:
            post.render()
        Post.objects.bulk_update(posts, Post.RENDERED_FIELDS)
        content_changed(post_ids=[post.pk for post in posts], listing=False)
        self.message_user(request, f"{len(posts)} post(s) rendered again.", messages.SUCCESS)

    # --- Saving: revisions ----------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # A public post whose slug or date changes keeps its old address as a redirect.
        previous = Post.objects.filter(pk=obj.pk).first() if change else None
        obj._public_before_edit = previous is not None and previous.is_public
        obj._credits_before_edit = previous.credits() if previous is not None else None
        # Post.save() keeps the address it had as a redirect when its slug or date changes.
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        post = form.instance
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None and not post.authors.filter(pk=profile.pk).exists():
            # A new post is credited to whoever writes it (and so is theirs to publish).
            PostAuthor.objects.create(post=post, author=profile, position=post.authors.count())
        post.credit_default_author()
        # Its authors and categories were saved after the post itself (its tags say so when
        # they change, through blog.apps).
        content_changed(
            post_ids=[post.pk],
            public=post.is_public or getattr(post, "_public_before_edit", False),
            listing=post.credits() != getattr(post, "_credits_before_edit", None),
        )
        record_revision(post, user=request.user)

    # --- Preview, revisions ----------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="blog_post_preview"),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_view),
                name="blog_post_revision",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The body rendered as the site will show it (POST, CSRF-protected, staff only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        markup = request.POST.get("markup", "")
        content = _previewed_content(request.POST.get("model"), request.POST.get("object_id"))
        site = content.template_site() if content is not None and markup else None
        rendered = render_post_markdown(
            body=request.POST.get("body", ""),
            excerpt=request.POST.get("excerpt", ""),
            excerpt_separator=request.POST.get("excerpt_separator", ""),
            excerpt_words=0,
            markup=markup if markup in Markup.values else "",
            site=site,
            page=content.template_page() if content is not None and markup else None,
        )
        return JsonResponse(
            {
                "html": rendered.body_html,
                "toc": rendered.toc_html,
                "excerpt": rendered.excerpt_html,
                "words": rendered.word_count,
                "minutes": rendered.reading_time,
                # What the conversion kept as written and the sanitizer removed, with lines.
                "warnings": [
                    f"line {line}: {text}" if line else text
                    for line, text, _topic in rendered.warnings
                ],
            }
        )

    def revision_view(self, request, object_id, revision_id):
        """Compare a revision with the post as it is now; restore it with a POST."""
        post = self.get_object(request, object_id)
        if post is None or not self.has_view_permission(request, post):
            raise PermissionDenied
        revision = get_object_or_404(Revision, pk=revision_id, post=post)
        if request.method == "POST":
            if not self.has_change_permission(request, post):
                raise PermissionDenied
            changes = publication_changes(revision, post)
            confirmed = request.POST.get("restore_publication") == "1"
            with transaction.atomic():
                restored = restore_revision(
                    revision, user=request.user, restore_publication=confirmed
                )
            kept = (
                " Its status and dates were kept as they were." if changes and not confirmed else ""
            )
            self.message_user(
                request,
                f"Restored version {revision.version}; the post is now version "
                f"{restored.version}.{kept}",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:blog_post_change", args=[post.pk]))
        context = {
            **self.revision_context(request, post, revision),
            "diff": revision_diff(revision, post),
            "publication_changes": publication_changes(revision, post),
        }
        return TemplateResponse(request, "admin/blog/revision.html", context)


def _previewed_content(model_name, object_id):
    """The post or page being edited, for its old site's templates; None for a new one."""
    model = Page if model_name == "page" else Post
    if not (object_id or "").isdigit():
        return None
    return model.objects.filter(pk=object_id).select_related("imported_site").first()


# --- Authors, categories, keywords -------------------------------------------------------------


class PostCountMixin:
    """Lists with the number of posts of each object, sortable."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts", distinct=True))

    @admin.display(description="posts", ordering="post_total")
    def post_count(self, obj):
        return obj.post_total


@admin.register(Author)
class AuthorAdmin(PostCountMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "user", "post_count", "website"]
    search_fields = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    # An address typed without a scheme is taken as https (Django 6.0's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(PostCountMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Keyword)
class KeywordAdmin(PostCountMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    """Every address of a post or page: where it is served, and the old ones that redirect."""

    list_display = ["key", "is_current", "post", "page"]
    list_filter = ["is_current"]
    search_fields = ["key", "post__title", "page__title"]
    raw_id_fields = ["post", "page"]
    list_select_related = ["post", "page"]


@admin.register(Page)
class PageAdmin(UserFormMixin, RevisionHistoryMixin, admin.ModelAdmin):
    """Pages: written like posts (live preview, locking, revisions), served at their path."""

    form = PageAdminForm
    list_display = ["title", "path", "status", "show_in_navigation", "menu_order", "modified_at"]
    list_filter = ["status", "show_in_navigation", "lists_contents"]
    list_editable = ["menu_order"]
    search_fields = ["title", "path", "body"]
    fieldsets = [
        (None, {"fields": ["title", "path", "status", "body", "opened_version"]}),
        (
            "Navigation",
            {"fields": ["show_in_navigation", "menu_title", "menu_order", "lists_contents"]},
        ),
        ("Search engines and social cards", {"fields": ["description", "images"]}),
        (
            "Import",
            {
                "classes": ["collapse"],
                "fields": [
                    "markup",
                    "redirect_to",
                    "layout",
                    "source_path",
                    "source_format",
                    "front_matter_extra",
                ],
            },
        ),
    ]
    readonly_fields = ["source_path", "source_format"]
    # An address typed without a scheme is taken as https (Django 6.0's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_page_revision(obj, user=request.user)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                self.admin_site.admin_view(self.revision_view),
                name="blog_page_revision",
            ),
            *super().get_urls(),
        ]

    def revision_view(self, request, object_id, revision_id):
        """Compare a revision with the page as it is now; restore it with a POST."""
        page = self.get_object(request, object_id)
        if page is None or not self.has_view_permission(request, page):
            raise PermissionDenied
        revision = get_object_or_404(PageRevision, pk=revision_id, page=page)
        if request.method == "POST":
            if not self.has_change_permission(request, page):
                raise PermissionDenied
            restored = restore_page_revision(revision, user=request.user)
            self.message_user(
                request,
                f"Restored version {revision.version}; the page is now version "
                f"{restored.version}. Its address and status were kept.",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:blog_page_change", args=[page.pk]))
        context = {
            **self.revision_context(request, page, revision),
            "diff": page_revision_diff(revision, page),
        }
        return TemplateResponse(request, "admin/blog/revision.html", context)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    fields = ["post_address"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
