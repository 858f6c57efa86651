from django.core.management.base import BaseCommand
from django.db import transaction

from blog.caching import content_changed
from blog.models import Author, FileAddress, ImportedSite, Page, Post


class Command(BaseCommand):
    help = (
        "Render every post, page and author bio again, after the markdown renderer or a "
        "converter (Liquid, shortcodes) has changed."
    )

    BATCH_SIZE = 500

    def handle(self, *, verbosity, **options):
        rendered_fields = Post.RENDERED_FIELDS
        count = 0
        sites = {site.pk: site.template_site() for site in ImportedSite.objects.all()}
        files = {row.key: row.file.url for row in FileAddress.objects.select_related("file")}
        with transaction.atomic():
            batch = []
            for post in (
                Post.objects.only(
                    "body",
                    "excerpt",
                    "excerpt_separator",
                    "excerpt_words",
                    "excerpt_cjk",
                    "markup",
                    *Post.TEMPLATE_FIELDS,
                    *rendered_fields,
                )
                .prefetch_related("authors", "categories", "tags")
                .iterator(chunk_size=self.BATCH_SIZE)
            ):
                post.render(site=sites.get(post.imported_site_id), files=files)
                batch.append(post)
                if len(batch) == self.BATCH_SIZE:
                    count += Post.objects.bulk_update(batch, rendered_fields)
                    batch = []
            count += Post.objects.bulk_update(batch, rendered_fields)
            for page in Page.objects.all():
                page.render(files=files)
                page.save()
            for author in Author.objects.all():
                author.save(update_fields=["bio_html"])
            # Every page and search entry shows what was rendered (even with no author to save).
            content_changed(post_ids=list(Post.objects.values_list("pk", flat=True)), listing=False)
        if verbosity:
            self.stdout.write(f"Rendered {count} posts and {Page.objects.count()} pages.")
