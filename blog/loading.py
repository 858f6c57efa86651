"""Plain data → models.

``PostLoader`` writes ``ParsedPost`` objects (see ``blog.parsing``) to the database in batches: a
batch is one transaction with bulk inserts and updates; if the database refuses it, each post of
the batch is written in its own transaction so that one bad post is reported alone and leaves no
partial rows. It knows nothing about files or formats.

It also keeps the promises an import makes to people who edit posts in the admin: a post edited
since its last import is not overwritten (a *conflict*, with a diff of both sides), and two files
never share one address (the later one gets a distinct slug, and a warning says so).
"""

import datetime as dt
import difflib
import enum
import hashlib
import itertools
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from taggit.models import Tag

from blog.addresses import address_key, site_path
from blog.caching import content_changed, keys
from blog.models import (
    Address,
    AddressTaken,
    Author,
    Category,
    Keyword,
    KeywordedPost,
    Page,
    PageRevision,
    Post,
    PostAuthor,
    PostCategory,
    Revision,
    SiteSettings,
    TaggedPost,
    page_path_problem,
)
from blog.parsing import AuthorRef, Message, Severity, slugify, term_slug
from blog.seo import absolute


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"
    SKIPPED = "skipped"  # reported, not imported: the site has no place for it


class LoadError(Exception):
    """Data that parsed but cannot be stored."""


@dataclass
class LoadResult:
    source_path: str
    outcome: Outcome
    messages: list[Message] = field(default_factory=list)
    status: str = ""
    scheduled: bool = False


# The post fields an import sets; an update writes exactly these.
IMPORTED_FIELDS = [
    "title",
    "slug",
    "status",
    "published_at",
    "published_on",
    "updated_at",
    "expires_at",
    "layout",
    "body",
    "description",
    "excerpt",
    "excerpt_separator",
    "excerpt_words",
    "excerpt_cjk",
    "images",
    "path",
    "permalink",
    "aliases",
    "front_matter_extra",
    "markup",
    "imported_site",
    "feed_id",
    "source_url",
    *Post.RENDERED_FIELDS,
    "source_hash",
    "source_file",
    "source_format",
    "import_fingerprint",
    "modified_at",
    "version",
]


@dataclass
class _Staged:
    post: Post
    is_new: bool
    authors: list
    categories: list
    tags: list
    keywords: list
    old_urls: list
    snapshot: dict
    result: LoadResult
    # How the file wrote each author, category and tag, by object id, where it differs from the
    # name the site knows it by ("technology" where the tag is "Technology").
    spellings: dict = field(default_factory=dict)

    def spelling_of(self, term):
        return self.spellings.get((type(term), term.pk), "")


class PostLoader:
    """Loads parsed posts; one loader serves one import run."""

    def __init__(self, *, force=False, keep_addresses=False, site=None):
        self.force = force
        self.keep_addresses = keep_addresses
        self.site = site  # the ImportedSite the posts come from, if any
        self.site_settings = SiteSettings.load()
        self.addresses = {}
        self.paths = {}  # address key → owner, for the batch
        self.old_site_addresses = {}  # the old site's address of each file of the run
        self.written = []  # the ids of the posts written, for choose_related()
        self._load_terms()

    def load(self, items):
        """Write ``items`` — (ParsedPost, RenderedMarkdown or None) pairs — and say what happened.

        A missing rendering is made here. Returns one ``LoadResult`` per item, in order.
        """
        existing = self._existing_posts([parsed.source_path for parsed, _ in items])
        try:
            with transaction.atomic():
                results = self._load_batch(items, existing)
        except DatabaseError:
            # Find the post the database refuses: write each alone, in its own transaction.
            self._load_terms()
            existing = self._existing_posts([parsed.source_path for parsed, _ in items])
            results = [self._load_alone(item, existing) for item in items]
        return results

    def _load_alone(self, item, existing):
        parsed, _ = item
        try:
            with transaction.atomic():
                return self._load_batch([item], existing)[0]
        except DatabaseError as error:
            self._load_terms()
            return _failed(parsed.source_path, f"the database refused this post: {error}")

    def _load_batch(self, items, existing):
        self._load_addresses(
            {timezone.localtime(parsed.published_at).date() for parsed, _ in items}
        )
        self.paths = {}
        self._load_paths(
            [
                address_key(self.site_settings.post_path(parsed))
                if not (self.keep_addresses and parsed.url)
                else address_key(site_path(parsed.url))
                for parsed, _ in items
            ]
        )
        results = []
        staged = []
        for parsed, rendered in items:
            try:
                outcome = self._stage(parsed, rendered, existing.get(parsed.source_path))
            except LoadError as error:
                results.append(_failed(parsed.source_path, str(error)))
                continue
            if isinstance(outcome, _Staged):
                staged.append(outcome)
                results.append(outcome.result)
            else:
                results.append(outcome)
        self._write(staged)
        return results

    # --- Deciding what to write -----------------------------------------------------------------

    def _stage(self, parsed, rendered, post):
        source_path = parsed.source_path
        messages = list(parsed.warnings)
        if post is not None and post.source_hash == parsed.source_hash and not self.force:
            return LoadResult(source_path, Outcome.UNCHANGED, messages)
        if post is not None and not self.force and was_edited_since_import(post):
            return LoadResult(
                source_path,
                Outcome.CONFLICT,
                [*messages, _conflict_message(post, parsed)],
            )

        is_new = post is None
        post = post or Post(source_path=source_path)
        apply_parsed_fields(post, parsed)
        post.imported_site = self.site
        post.slug = self._free_slug(post, parsed, messages)
        post.path = self._free_path(post, parsed, messages)
        self._note_shared_old_address(parsed, messages)
        # Feed readers know the post by its first id, which never changes.
        post.feed_id = post.feed_id or parsed.feed_id or absolute(post.get_absolute_url())
        if rendered is None:
            post.render()
        else:
            post.apply_rendering(rendered)
        post.modified_at = timezone.now()

        written_authors = [(self._author(ref), ref.name) for ref in credited_authors(parsed)]
        authors = [author for author, _ in written_authors]
        written_categories = [(self._category(name), name) for name in parsed.categories]
        written_tags = [(self._term(self.tags, Tag, name), name) for name in parsed.tags]
        keywords = [self._term(self.keywords, Keyword, name) for name in parsed.keywords]
        authors = list({author.pk: author for author in authors}.values())
        categories = list({category.pk: category for category, _ in written_categories}.values())
        tags = list({tag.pk: tag for tag, _ in written_tags}.values())
        spellings = {
            (type(term), term.pk): name
            for term, name in [
                *reversed(written_authors),
                *reversed(written_categories),
                *reversed(written_tags),
            ]
            if name != term.name
        }
        values = snapshot(
            post,
            authors=[author.slug for author in authors],
            categories=[category.slug for category in categories],
            tags=[tag.name for tag in tags],
            keywords=[keyword.name for keyword in keywords],
        )
        post.import_fingerprint = fingerprint(values)
        post.version += 1
        result = LoadResult(
            source_path,
            Outcome.CREATED if is_new else Outcome.UPDATED,
            messages,
            status=post.status,
            scheduled=post.status == Post.Status.PUBLISHED and post.published_at > timezone.now(),
        )
        return _Staged(
            post,
            is_new,
            authors,
            categories,
            tags,
            keywords,
            parsed.addresses,
            values,
            result,
            spellings,
        )

    def _free_slug(self, post, parsed, messages):
        """The post's slug, or a distinct one when another post already has its address.

        Never moves another post: the file that comes later gets ``slug-<folder>``, else
        ``slug-2``, ``slug-3``... The choice depends only on the files and the posts already
        stored, so a re-import gives the same answer.
        """
        owner = _owner(post)
        day = post.published_on
        self._release(owner)
        taken_by = self.addresses.get((day, parsed.slug))
        slug = parsed.slug
        if taken_by not in (None, owner):
            folder = _distinguishing_folder(parsed.source_path, taken_by)
            candidates = itertools.chain(
                [f"{parsed.slug}-{folder}"] if folder else [],
                (f"{parsed.slug}-{number}" for number in itertools.count(2)),
            )
            slug = next(
                candidate
                for candidate in candidates
                if self.addresses.get((day, candidate)) in (None, owner)
            )
            other = taken_by if not taken_by.startswith("#") else "a post written in the admin"
            messages.append(
                Message(
                    parsed.source_path,
                    f"the address {Post.address(day, parsed.slug)} is already taken by {other}; "
                    f"this post gets {Post.address(day, slug)} instead",
                    Severity.WARNING,
                )
            )
        self.addresses[(day, slug)] = owner
        return slug

    def _free_path(self, post, parsed, messages):
        """Where the post is served: the address the old site gave it (--keep-addresses), else
        the site's pattern. An address other content holds is never taken from it: the post
        then gets the pattern's address, and a warning says so (as Jekyll reports two files
        written to one place)."""
        pattern_path = self.site_settings.post_path(post)
        wanted = site_path(parsed.url) if self.keep_addresses and parsed.url else pattern_path
        owner = _owner(post)
        for key in [key for key, holder in self.paths.items() if holder == owner]:
            del self.paths[key]
        holder = self._path_holder(address_key(wanted))
        if holder not in (None, owner) and wanted != pattern_path:
            other = holder if not holder.startswith("#") else "content written in the admin"
            messages.append(
                Message(
                    parsed.source_path,
                    f"the address {wanted} is also claimed by {other}; this post gets "
                    f"{pattern_path} instead",
                    Severity.WARNING,
                )
            )
            wanted = pattern_path
        self.paths[address_key(wanted)] = owner
        return wanted

    def _note_shared_old_address(self, parsed, messages):
        """Two files the old site published at one address: Jekyll reports it as a conflict
        (one overwrote the other); so does the import. The address leads to the first."""
        key = address_key(site_path(parsed.url)) if parsed.url else ""
        first = self.old_site_addresses.setdefault(key, parsed.source_path) if key else None
        if first not in (None, parsed.source_path) and not self.keep_addresses:
            messages.append(
                Message(
                    parsed.source_path,
                    f"the old site published this file and {first} at the same address "
                    f"{site_path(parsed.url)}; it leads to {first}",
                    Severity.WARNING,
                )
            )

    def _path_holder(self, key):
        if key not in self.paths:
            self._load_paths([key])
        return self.paths[key]

    def _load_paths(self, keys):
        """Who serves content at each of ``keys``: a source path, "#pk", or None."""
        keys = [key for key in keys if key not in self.paths]
        self.paths.update(dict.fromkeys(keys))
        for start in range(0, len(keys), 500):
            for key, post_id, post_source, page_id, page_source in Address.objects.filter(
                key__in=keys[start : start + 500], is_current=True
            ).values_list("key", "post_id", "post__source_path", "page_id", "page__source_path"):
                self.paths[key] = (
                    (post_source or f"#{post_id}")
                    if post_id
                    else (page_source or f"#page{page_id}")
                )

    def _release(self, owner):
        for key in [key for key, holder in self.addresses.items() if holder == owner]:
            del self.addresses[key]

    # --- Writing --------------------------------------------------------------------------------

    def _write(self, staged):
        if not staged:
            return
        new = [item.post for item in staged if item.is_new]
        changed = [item.post for item in staged if not item.is_new]
        _insert_posts(new)
        if changed:
            Post.objects.bulk_update(changed, IMPORTED_FIELDS)
            for model in (PostAuthor, PostCategory, TaggedPost, KeywordedPost):
                key = "post__in" if model in (PostAuthor, PostCategory) else "content_object__in"
                model.objects.filter(**{key: changed}).delete()
        _insert_links(
            PostAuthor,
            ("post", "author", "position", "spelling"),
            (
                (item.post.pk, author.pk, position, item.spelling_of(author))
                for item in staged
                for position, author in enumerate(item.authors)
            ),
        )
        _insert_links(
            PostCategory,
            ("post", "category", "position", "spelling"),
            (
                (item.post.pk, category.pk, position, item.spelling_of(category))
                for item in staged
                for position, category in enumerate(item.categories)
            ),
        )
        _insert_links(
            TaggedPost,
            ("content_object", "tag", "spelling"),
            ((item.post.pk, tag.pk, item.spelling_of(tag)) for item in staged for tag in item.tags),
        )
        _insert_links(
            KeywordedPost,
            ("content_object", "tag"),
            ((item.post.pk, keyword.pk) for item in staged for keyword in item.keywords),
        )
        self._write_addresses(staged)
        # Each import is a revision too, so that a file's update can be undone in the admin.
        _insert_instances(
            Revision,
            [
                Revision(
                    post_id=item.post.pk,
                    version=item.post.version,
                    source=Revision.Source.IMPORT,
                    note=f"Imported from {item.post.source_path}",
                    snapshot=item.snapshot,
                )
                for item in staged
            ],
        )
        content_changed(
            post_ids=[item.post.pk for item in staged],
            public=any(
                item.post.is_public or (not item.is_new and item.post._was_public)
                for item in staged
            ),
            choose_related=False,  # once for the whole run: choose_related()
        )
        self.written += [item.post.pk for item in staged]

    def choose_related(self):
        """Choose the related posts of every post written, among the site's posts as the run
        left them; the pages of those whose choice changed are rendered again."""
        changed = Post.objects.choose_related(self.written)
        if changed:
            content_changed(keys_changed={keys.post(pk) for pk in changed})

    def _write_addresses(self, staged):
        """Serve each post at its path, keep the path it had as a redirect, and point the old
        site's addresses at it. An address other content holds keeps leading there; one a post
        had once (an alias since removed, the address before a rename) still leads to it."""
        current = {address_key(item.post.path): item.post.pk for item in staged}
        old = {}
        for item in staged:
            for address in item.old_urls:
                key = address_key(address)
                if key and key not in current:
                    old.setdefault(key, item.post.pk)
        posts = [item.post.pk for item in staged]
        Address.objects.filter(post__in=posts, is_current=True).exclude(
            key__in=list(current)
        ).update(is_current=False)
        held = dict(
            Address.objects.filter(key__in=[*current, *old]).values_list("key", "is_current")
        )
        # The content served at an address wins over an old address leading elsewhere.
        for key, pk in current.items():
            if key in held:
                Address.objects.filter(key=key).update(is_current=True, post=pk, page=None)
        _insert_links(
            Address,
            ("key", "post", "is_current"),
            ((key, pk, True) for key, pk in current.items() if key not in held),
        )
        _insert_links(
            Address,
            ("key", "post", "is_current"),
            ((key, pk, False) for key, pk in old.items() if key not in held),
        )

    # --- Lookups, one query each for the whole run or batch -------------------------------------

    def _existing_posts(self, source_paths):
        posts = Post.objects.from_files(source_paths).prefetch_related(*related_for_snapshot())
        return {post.source_path: post for post in posts}

    def _load_addresses(self, days):
        """Who holds each address (day, slug) on ``days``: a source path, or "#pk" without one.

        Read per batch, for the batch's days only, so memory does not grow with the site.
        """
        self.addresses = {
            (published_on, slug): source_path or f"#{pk}"
            for pk, published_on, slug, source_path in Post.objects.filter(
                published_on__in=days
            ).values_list("pk", "published_on", "slug", "source_path")
        }

    def _load_terms(self):
        self.authors = {author.slug: author for author in Author.objects.all()}
        self.categories = {category.slug: category for category in Category.objects.all()}
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.keywords = {keyword.name.casefold(): keyword for keyword in Keyword.objects.all()}

    def _author(self, ref):
        slug = term_slug(ref.name)
        author = self.authors.get(slug)
        if author is None:
            author = Author.objects.create(
                name=ref.name, slug=slug, website=ref.website, email=ref.email
            )
            self.authors[slug] = author
        elif (ref.website and not author.website) or (ref.email and not author.email):
            author.website = author.website or ref.website
            author.email = author.email or ref.email
            author.save(update_fields=["website", "email"])
        return author

    def _category(self, name):
        slug = term_slug(name)
        if slug not in self.categories:
            self.categories[slug] = Category.objects.create(name=name, slug=slug)
        return self.categories[slug]

    def _term(self, cache, model, name):
        """A tag or keyword by name, ignoring case (TAGGIT_CASE_INSENSITIVE); made if missing."""
        key = name.casefold()
        if key not in cache:
            # taggit's save() picks a unique slug ("c" and "c-1" for "C" and "C#"), so new terms
            # are saved one by one; there are few of them compared with posts.
            cache[key] = model.objects.create(name=name)
        return cache[key]


class PageLoader:
    """Loads parsed pages (``ParsedPost`` with kind "page") one by one: sites have few.

    A page is served at the address the old site published it at; a page whose address is one
    of this site's own routes, or another page's or post's, is reported and not imported,
    never shadowed. Section texts (Hugo's ``_index.md``) become a category's description when
    the category exists, and are reported otherwise.
    """

    def __init__(self, *, force=False, site=None):
        self.force = force
        self.site = site

    def load(self, parsed, rendered=None, *, lists_contents=False):
        """Write one page; ``rendered`` is its body rendered by an import worker, if it was."""
        messages = list(parsed.warnings)
        page = Page.objects.from_files([parsed.source_path]).first()
        if page is not None and page.source_hash == parsed.source_hash and not self.force:
            return LoadResult(parsed.source_path, Outcome.UNCHANGED, messages)
        path = site_path(parsed.url)
        problem = page_path_problem(path)
        if problem:
            return _skipped(parsed.source_path, f"not imported as a page: {problem}", messages)
        if page is not None and not self.force and page_edited_since_import(page):
            return LoadResult(
                parsed.source_path,
                Outcome.CONFLICT,
                [
                    *messages,
                    Message(
                        parsed.source_path,
                        "conflict: the page was edited on the site since it was last imported, "
                        "and the file changed too. Kept the site's version (its history has "
                        "both); run again with --force to take the file's.",
                        Severity.WARNING,
                    ),
                ],
            )
        is_new = page is None
        page = page or Page(source_path=parsed.source_path)
        previous_path = page.path
        page.title = parsed.title
        page.path = path
        page.status = Page.Status.PUBLISHED if parsed.published else Page.Status.DRAFT
        page.body = parsed.body
        page.markup = parsed.markup
        page.imported_site = self.site
        if rendered is not None:
            page.apply_rendering(rendered)
        page.description = parsed.description
        page.images = parsed.images
        page.layout = parsed.layout
        page.source_hash = parsed.source_hash
        page.source_file = parsed.source_bytes
        page.source_format = parsed.front_matter_format
        page.front_matter_extra = parsed.extra
        page.lists_contents = lists_contents
        page.redirect_to = parsed.redirect_to
        navigation = (
            parsed.extra.get("menu") or parsed.extra.get("nav") or parsed.extra.get("navigation")
        )
        if navigation and is_new:
            page.show_in_navigation = True  # Hugo's `menu: main`, a theme's `nav: true`
            weight = parsed.extra.get("weight") or parsed.extra.get("nav_order")
            page.menu_order = weight if isinstance(weight, int) and -32768 <= weight < 32768 else 0
        page.import_fingerprint = fingerprint(page.snapshot())
        try:
            with transaction.atomic():
                page.save()
                for address in [previous_path, *parsed.addresses]:
                    if address:
                        Address.remember(page, address)
                PageRevision.objects.create(
                    page=page,
                    version=page.version,
                    source=Revision.Source.IMPORT,
                    note=f"Imported from {page.source_path}",
                    snapshot=page.snapshot(),
                )
        except AddressTaken as error:
            return _skipped(
                parsed.source_path, f"not imported as a page: {error.messages[0]}", messages
            )
        return LoadResult(
            parsed.source_path,
            Outcome.CREATED if is_new else Outcome.UPDATED,
            messages,
            status=page.status,
        )

    def load_section(self, parsed):
        """The text of the home page or a taxonomy's page (``_index.md``): the description of
        the category it is the page of (``content/categories/<name>/_index.md``), else
        reported, as those lists are this site's own."""
        parts = parsed.source_path.split("/")
        if len(parts) == 4 and parts[1] == "categories" and parsed.body.strip():
            category = Category.objects.filter(slug=term_slug(parts[2])).first()
            if category is not None:
                if category.description != parsed.body.strip():
                    category.description = parsed.body.strip()
                    category.save()
                return LoadResult(parsed.source_path, Outcome.UNCHANGED, list(parsed.warnings))
        where = "/" + "/".join(parts[1:-1]) + ("/" if len(parts) > 2 else "")
        return _skipped(
            parsed.source_path,
            f"the text of the list page {where} has no place here: the home page and the "
            "lists of tags and categories are this site's own",
            parsed.warnings,
            severity=Severity.INFO,
        )


def page_edited_since_import(page):
    return bool(page.import_fingerprint) and (
        fingerprint(page.snapshot()) != page.import_fingerprint
    )


def _skipped(source_path, text, messages, *, severity=Severity.WARNING):
    return LoadResult(
        source_path, Outcome.SKIPPED, [*messages, Message(source_path, text, severity)]
    )


def _insert_posts(posts):
    """INSERT new posts (``_insert_instances``) and give each its id, read back by its file's
    path (unique): one query per batch."""
    if not posts:
        return
    _insert_instances(Post, posts)
    ids = dict(
        Post.objects.from_files([post.source_path for post in posts]).values_list(
            "source_path", "pk"
        )
    )
    for post in posts:
        post.pk = ids[post.source_path]
        post._state.adding = False
        post._state.db = connection.alias


def _insert_instances(model, instances):
    """INSERT model instances with one executemany, each value prepared by its field as
    ``bulk_create`` prepares it (defaults, ``auto_now``, JSON). ``bulk_create`` builds the SQL
    of a few rows at a time, and its machinery around each value cost this process, which shares
    the CPU with the workers that render, more than SQLite's writing the rows."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = (
        [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
        for instance in instances
    )
    _insert_links(model, [field.name for field in fields], rows)


def _insert_links(model, field_names, rows):
    """Insert rows of prepared values (for links, plain ids) with one executemany.

    A large import writes about ten link rows per post; building a model instance for each made
    ``bulk_create`` the main cost of this process, which shares the CPU with the workers that
    render. The columns of links are plain integers, so nothing is lost by skipping instances.
    """
    rows = list(rows)
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def credited_authors(parsed):
    """The file's authors; a published post that names none is the site's default author's."""
    if parsed.authors or not parsed.published:
        return parsed.authors
    return [AuthorRef(name=settings.BLOG_DEFAULT_AUTHOR)]


def apply_parsed_fields(post, parsed):
    """Copy what a file says onto ``post`` (rendered fields and links are left to the caller)."""
    post.title = parsed.title
    post.slug = parsed.slug
    post.status = Post.Status.PUBLISHED if parsed.published else Post.Status.DRAFT
    post.published_at = parsed.published_at
    post.published_on = timezone.localtime(parsed.published_at).date()
    post.updated_at = parsed.updated_at
    post.expires_at = parsed.expires_at
    post.layout = parsed.layout
    post.body = parsed.body
    post.description = parsed.description
    post.excerpt = parsed.excerpt
    post.excerpt_separator = parsed.excerpt_separator
    post.excerpt_words = parsed.excerpt_words
    post.excerpt_cjk = parsed.excerpt_cjk
    post.images = parsed.images
    post.permalink = parsed.permalink
    post.aliases = parsed.aliases
    post.front_matter_extra = parsed.extra
    post.source_hash = parsed.source_hash
    post.source_file = parsed.source_bytes
    post.source_format = parsed.front_matter_format
    post.markup = parsed.markup
    post.source_url = site_path(parsed.url) if parsed.url else ""


# --- Knowing whether a post was edited since its import ---------------------------------------


def related_for_snapshot():
    return [
        Prefetch("authors", queryset=Author.objects.order_by("postauthor__position")),
        Prefetch("categories", queryset=Category.objects.order_by("postcategory__position")),
        "tags",
        "keywords",
    ]


def snapshot(post, *, authors, categories, tags, keywords):
    """Everything an import sets on a post, as plain values; equal snapshots, equal posts."""

    def moment(value):
        return value.astimezone(dt.UTC).isoformat() if value else None

    return {
        "title": post.title,
        "slug": post.slug,
        "status": post.status,
        "published_at": moment(post.published_at),
        "updated_at": moment(post.updated_at),
        "expires_at": moment(post.expires_at),
        "authors": list(authors),
        "categories": list(categories),
        # taggit keeps no order, and matches names ignoring case.
        "tags": sorted(name.casefold() for name in tags),
        "keywords": sorted(name.casefold() for name in keywords),
        "description": post.description,
        "excerpt": post.excerpt,
        "excerpt_separator": post.excerpt_separator,
        "excerpt_words": post.excerpt_words,
        "layout": post.layout,
        "images": post.images,
        "permalink": post.permalink,
        "aliases": post.aliases,
        "extra": post.front_matter_extra,
        "body": post.body,
    }


def stored_snapshot(post):
    """The snapshot of a stored post (its relations prefetched with ``related_for_snapshot``)."""
    return snapshot(
        post,
        authors=[author.slug for author in post.authors.all()],
        categories=[category.slug for category in post.categories.all()],
        tags=[tag.name for tag in post.tags.all()],
        keywords=[keyword.name for keyword in post.keywords.all()],
    )


def fingerprint(values):
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def was_edited_since_import(post):
    """True when the post no longer is what its last import wrote (someone edited it here)."""
    return bool(post.import_fingerprint) and (
        fingerprint(stored_snapshot(post)) != post.import_fingerprint
    )


def snapshot_lines(values):
    """A snapshot as readable lines, front matter first, then the body: what a diff shows."""
    lines = [
        f"{key}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"
        for key, value in values.items()
        if key != "body"
    ]
    return [*lines, "", *values["body"].split("\n")]


def _conflict_message(post, parsed):
    incoming = Post(source_path=parsed.source_path)
    apply_parsed_fields(incoming, parsed)
    theirs = snapshot(
        incoming,
        authors=[term_slug(ref.name) for ref in credited_authors(parsed)],
        categories=[term_slug(name) for name in parsed.categories],
        tags=parsed.tags,
        keywords=parsed.keywords,
    )
    diff = "\n".join(
        difflib.unified_diff(
            snapshot_lines(stored_snapshot(post)),
            snapshot_lines(theirs),
            fromfile=f"{post.get_absolute_url()} (edited on the site)",
            tofile=f"{parsed.source_path} (the file)",
            lineterm="",
        )
    )
    return Message(
        parsed.source_path,
        "conflict: the post was edited on the site since it was last imported, and the file "
        "changed too. Kept the site's version; merge the changes below into one side, or run "
        f"again with --force to take the file's version.\n{diff}",
        Severity.WARNING,
    )


def _failed(source_path, text):
    return LoadResult(source_path, Outcome.FAILED, [Message(source_path, text)])


def _owner(post):
    return post.source_path or f"#{post.pk}"


# Folders that say what a file is, not which one it is.
_STRUCTURE_FOLDERS = {"_posts", "_drafts", "content", "posts"}


def _distinguishing_folder(source_path, other):
    """The folder that tells ``source_path`` apart from ``other`` (the file, or "#pk" of the
    post, holding its address): the first folder where their paths differ (``de`` for
    ``de/_posts/news/x.md`` against ``en/_posts/news/x.md``), else its own last folder."""
    mine = _folders(source_path)
    theirs = _folders(other) if not other.startswith("#") else []
    for position, folder in enumerate(mine):
        if position >= len(theirs) or theirs[position] != folder:
            return slugify(folder)
    return slugify(mine[-1]) if mine else ""


def _folders(source_path):
    parts = source_path.split("/")[:-1]
    if source_path.rsplit("/", 1)[-1].split(".")[0] == "index":
        parts = parts[:-1]  # a page bundle's own folder is its slug
    return [part for part in parts if part not in _STRUCTURE_FOLDERS]


def unpublish_missing(seen_source_paths):
    """Turn back to drafts the published posts imported from files that are gone; return them."""
    seen = set(seen_source_paths)
    gone = [
        (pk, source_path)
        for pk, source_path in Post.objects.exclude(source_path="")
        .filter(status=Post.Status.PUBLISHED)
        .values_list("pk", "source_path")
        if source_path not in seen
    ]
    for start in range(0, len(gone), 500):
        chunk = [pk for pk, _ in gone[start : start + 500]]
        # Forget the import's hash and fingerprint: if the file comes back, even unchanged, the
        # next import publishes the post again instead of calling it unchanged or edited.
        Post.objects.filter(pk__in=chunk).update(
            status=Post.Status.DRAFT,
            source_hash="",
            import_fingerprint="",
            modified_at=timezone.now(),
        )
    content_changed(post_ids=[pk for pk, _ in gone], public=bool(gone))
    return [source_path for _, source_path in gone]


# After this many posts written in one import, the database's planner statistics are refreshed.
STATISTICS_AFTER = 500


def refresh_planner_statistics():
    """Tell the query planner what a large import changed (PostgreSQL's autovacuum would, but only
    minutes later: until then a search on 10,000 new posts reads every row instead of the index,
    and counts read the table instead of the index alone)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = [
                model._meta.db_table
                for model in (Post, PostAuthor, PostCategory, TaggedPost, KeywordedPost, Tag)
            ]
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            # VACUUM also marks the pages as all-visible, so that counts and archives are read
            # from the index alone; it cannot run inside a transaction (an atomic import's).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {names}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
