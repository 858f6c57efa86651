from django.contrib import admin

from blog.models import Author, Category, Keyword, Post, PostAuthor, PostCategory


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 1
    autocomplete_fields = ["author"]


class PostCategoryInline(admin.TabularInline):
    model = PostCategory
    extra = 1
    autocomplete_fields = ["category"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "word_count"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PostAuthorInline, PostCategoryInline]
    import_fields = [
        "source_path",
        "source_hash",
        "source_format",
        "import_fingerprint",
        "front_matter_extra",
        "modified_at",
    ]
    readonly_fields = import_fields
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "status", "published_at"]}),
        ("Metadata", {"fields": ["tags", "updated_at", "expires_at", "layout"]}),
        (
            "Summary and SEO",
            {
                "fields": [
                    "excerpt",
                    "excerpt_separator",
                    "excerpt_words",
                    "description",
                    "keywords",
                    "images",
                ]
            },
        ),
        ("Old addresses", {"classes": ["collapse"], "fields": ["permalink", "aliases"]}),
        ("Import", {"classes": ["collapse"], "fields": import_fields}),
    ]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
