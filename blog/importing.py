"""Import folders of front-matter markdown: find files, parse and render them, load them, report.

The importer wires ``blog.parsing`` (file → data) to ``blog.loading`` (data → models). Files whose
bytes have not changed since the last import are recognised by their SHA-256 alone and never
parsed, rendered or written. The others are parsed and rendered — the expensive part — in a pool
of worker processes when there are many, one per CPU core, while this process writes their results
in batches. One bad file is reported and skipped without leaving partial rows.
"""

import datetime as dt
import gc
import itertools
import multiprocessing
import os
import signal
import threading
import time
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.models.functions import Length

from blog.addresses import site_path
from blog.conversion import page_variables
from blog.conversion.references import point_at_files, references
from blog.files import store_files
from blog.loading import (
    STATISTICS_AFTER,
    Outcome,
    PageLoader,
    PostLoader,
    refresh_planner_statistics,
    unpublish_missing,
)
from blog.models import ImportedSite, Page, Post, SiteSettings, render_post_markdown
from blog.parsing import (
    MAX_FILE_BYTES,
    Message,
    ParseError,
    Severity,
    content_hash,
    find_post_files,
    parse_post,
)
from blog.parsing.assets import SiteFiles
from blog.parsing.sites import Role, Site

# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 40
BATCH_SIZE = 200


@dataclass(frozen=True)
class ImportOptions:
    tz: dt.tzinfo
    drafts: bool = False  # import Jekyll's _drafts/ too
    allow_bare: bool = False  # accept files without front matter
    lenient: bool = False  # import files whose front matter does not parse, from their names
    force: bool = False  # overwrite posts edited on the site since their last import
    prune: bool = False  # unpublish posts whose files are gone
    atomic: bool = False  # all files or none
    dry_run: bool = False  # check everything, write nothing
    workers: int | None = None  # worker processes; None: one per CPU core for many files
    keep_addresses: bool = False  # serve posts where the old site did, and adopt its pattern
    timezone_given: bool = True  # False: dates without a zone are read in the site's


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    failed: int = 0
    drafts: int = 0
    scheduled: int = 0
    skipped: int = 0
    pruned: int = 0
    pages: int = 0  # pages created or updated (counted in created/updated too)
    files_copied: int = 0  # the old site's files copied now (the others were stored already)
    site: str = ""  # what the site's configuration said
    addresses: str = ""  # where posts are served
    messages: list[Message] = field(default_factory=list)
    elapsed: float = 0.0
    dry_run: bool = False
    rolled_back: bool = False  # --atomic undid everything because a file failed
    interrupted: bool = False  # stopped by Ctrl-C: what was written so far stays, whole

    @property
    def warnings(self):
        return sum(message.severity == Severity.WARNING for message in self.messages)

    def about(self, topic):
        return sum(message.topic == topic for message in self.messages)

    @property
    def files_missing(self):
        """References to files the site does not have."""
        return self.about("missing file")

    @property
    def errors(self):
        return [message for message in self.messages if message.severity == Severity.ERROR]

    @property
    def processed(self):
        return self.created + self.updated + self.unchanged + self.conflicts + self.failed

    @property
    def posts_per_second(self):
        return self.processed / self.elapsed if self.elapsed else 0.0

    def counts(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "drafts": self.drafts,
            "scheduled": self.scheduled,
            "warnings": self.warnings,
            "failed": self.failed,
            "skipped": self.skipped,
            "pruned": self.pruned,
            "pages": self.pages,
            "files copied": self.files_copied,
            "files missing": self.files_missing,
            "kept as written": self.about("kept"),
            "removed": self.about("removed"),
        }

    # Counts the summary leaves out when they are zero: most imports have no pages or files.
    QUIET_WHEN_ZERO = ("pages", "files copied", "files missing", "kept as written", "removed")

    def summary(self):
        counts = ", ".join(
            f"{number} {name}"
            for name, number in self.counts().items()
            if number or name not in self.QUIET_WHEN_ZERO
        )
        text = (
            f"{counts} in {self.elapsed:.2f}s ({self.posts_per_second:.0f} posts/s)"
            if self.elapsed
            else counts
        )
        if self.dry_run:
            text = f"Dry run, nothing was written: {text}"
        text = "\n".join(line for line in (self.site, self.addresses, text) if line)
        if self.rolled_back:
            text += f"\n--atomic: {self.failed} file(s) failed, so nothing was written"
        if self.interrupted:
            written = (
                "nothing was written"
                if self.dry_run or self.rolled_back
                else (
                    "the posts counted above were written whole, the batch in progress was undone"
                )
            )
            text += f"\nInterrupted: {written}. Run the same command again to import the rest."
        return text

    def as_dict(self):
        return {
            "summary": {
                **self.counts(),
                "elapsed_seconds": round(self.elapsed, 3),
                "posts_per_second": round(self.posts_per_second, 1),
                "dry_run": self.dry_run,
                "rolled_back": self.rolled_back,
                "interrupted": self.interrupted,
                "site": self.site,
                "addresses": self.addresses,
            },
            "messages": [message.as_dict() for message in self.messages],
        }


@dataclass(frozen=True)
class _Task:
    """One file to parse and render: what a worker process needs, and nothing else."""

    path: str
    source_path: str
    options: ImportOptions
    role: str = Role.POST
    site: Site | None = None


def import_paths(paths, *, options, progress=None, changed=None):
    """Import every post file in ``paths`` (files or folders); return an ``ImportReport``.

    ``progress``, if given, is called as ``progress(done, total)`` while files are loaded.
    ``changed``: the files known to have changed since the last import (``--watch`` is told by
    the operating system), as absolute paths; the others are counted unchanged without being
    read. None reads and hashes every file.
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=options.dry_run)
    files, site = _discover(paths, options, report)
    if site is not None and any(m.severity == Severity.ERROR for m in site.messages):
        # Addresses, dates and defaults all depend on it: import nothing until it is fixed.
        report.site = "The site's configuration does not parse: nothing was imported."
        report.elapsed = time.perf_counter() - started
        return report
    if site is not None:
        report.site = site.describe()
        if not options.timezone_given and site.zone_name():
            options = replace(options, tz=zoneinfo.ZoneInfo(site.zone_name()))
    tasks = _changed_files(files, options, report, site, changed)

    global _template_site, _site_files
    imported_site, _template_site = _remember_site(site)
    _site_files = SiteFiles.of(site) if site is not None else None
    with _prepared(tasks, options) as prepared, _run_transaction(options, report):
        report.addresses = _choose_addresses(site, options)
        imported_site = _stored(imported_site)
        loader = PostLoader(
            force=options.force, keep_addresses=options.keep_addresses, site=imported_site
        )
        page_loader = PageLoader(force=options.force, site=imported_site)
        done = 0
        try:
            for batch in _batches(prepared, BATCH_SIZE):
                loadable = []
                for task, parsed, rendered, problem in batch:
                    if problem is not None:
                        report.failed += 1
                        report.messages.append(problem)
                        continue
                    if not options.dry_run:
                        report.files_copied += store_files(parsed.files)
                    if parsed.kind == "section":  # its page, listing what is below it
                        result = page_loader.load(parsed, rendered, lists_contents=True)
                        report.pages += result.outcome in (Outcome.CREATED, Outcome.UPDATED)
                        _tally(report, result)
                    elif task.role == Role.SECTION:  # the text of the home or a term page
                        _tally(report, page_loader.load_section(parsed))
                    elif parsed.kind == "hidden":
                        report.skipped += 1
                        report.messages.append(
                            Message(
                                parsed.source_path,
                                "skipped: Hugo does not publish it (build: {render: never}, "
                                "or headless)",
                                Severity.INFO,
                            )
                        )
                    elif parsed.kind == "page":
                        result = page_loader.load(parsed, rendered)
                        report.pages += result.outcome in (Outcome.CREATED, Outcome.UPDATED)
                        _tally(report, result)
                    else:
                        loadable.append((parsed, rendered))
                # A batch is one transaction: an interrupt inside it undoes the whole batch.
                for result in loader.load(loadable):
                    _tally(report, result)
                done += len(batch)
                if progress:
                    progress(done, len(tasks))
            loader.choose_related()
        except KeyboardInterrupt:
            report.interrupted = True
            report.rolled_back = options.atomic and not options.dry_run
            report.elapsed = time.perf_counter() - started
            return report
        if options.prune:
            pruned = unpublish_missing(file.source_path for file in files)
            report.pruned = len(pruned)
            report.messages.extend(
                Message(path, "unpublished: its file is gone (--prune)", Severity.INFO)
                for path in pruned
            )
        report.rolled_back = options.atomic and report.failed > 0 and not options.dry_run
    written = report.created + report.updated
    if written >= STATISTICS_AFTER and not (options.dry_run or report.rolled_back):
        refresh_planner_statistics()
    report.elapsed = time.perf_counter() - started
    return report


def _remember_site(site):
    """The site's template material, read once: an unsaved ``ImportedSite`` (saved in the
    import's transaction) and its ``TemplateSite`` for the worker processes."""
    if site is None:
        return None, None
    config, data, includes = site.template_material()
    imported = ImportedSite(
        root=str(site.root), generator=site.generator, config=config, data=data, includes=includes
    )
    return imported, imported.template_site()


def _stored(imported_site):
    if imported_site is None:
        return None
    stored, _ = ImportedSite.objects.update_or_create(
        root=imported_site.root,
        defaults={
            "generator": imported_site.generator,
            "config": imported_site.config,
            "data": imported_site.data,
            "includes": imported_site.includes,
        },
    )
    return stored


def _choose_addresses(site, options):
    """Adopt the old site's post address pattern (--keep-addresses); say where posts are served."""
    settings_row = SiteSettings.load()
    if site is None:
        return ""
    if options.keep_addresses:
        pattern, left_out = site.post_address_pattern()
        note = f" (without {', '.join(left_out)}, which this site cannot fill)" if left_out else ""
        if pattern != settings_row.post_address and not options.dry_run:
            previous = settings_row.post_address
            settings_row.post_address = pattern
            try:
                settings_row.full_clean()
            except ValidationError as error:
                reasons = "; ".join(error.messages[:2])
                return (
                    "Addresses: kept as the old site published them; new posts keep getting "
                    f"{previous}, as {pattern} cannot be this site's pattern: {reasons}"
                )
            settings_row.save()
        return f"Addresses: kept as the old site published them; new posts get {pattern}{note}"
    text = (
        f"Addresses: posts are served at {settings_row.post_address}; every address the old "
        "site published answers 301 (--keep-addresses keeps them instead)"
    )
    zone = site.zone_name()
    if zone and zone != settings.TIME_ZONE and ":day" in settings_row.post_address:
        text += (
            f". The old site's dates are in {zone}, this site's in {settings.TIME_ZONE} "
            "(TIME_ZONE): a post's day may differ by one"
        )
    return text


def _discover(paths, options, report):
    """The content files of every path, each source path once (the first path given wins), and
    the first site configuration found."""
    files = {}
    site = None
    for path in paths:
        discovery = find_post_files(path, drafts=options.drafts)
        site = site or discovery.site
        report.messages.extend(discovery.messages)
        report.skipped += discovery.skipped
        report.failed += sum(m.severity == Severity.ERROR for m in discovery.messages)
        for file in discovery.files:
            first = files.get(file.source_path)
            if first is None:
                files[file.source_path] = file
                continue
            report.failed += 1
            report.messages.append(
                Message(
                    file.path,
                    f"has the same path as {first.path} relative to the folder given "
                    f"({file.source_path}); posts are told apart by that path, so import the "
                    "two folders separately or rename one file",
                )
            )
    return list(files.values()), site


def _changed_files(files, options, report, site, changed=None):
    """Files that are new or changed since the last import; unchanged ones are only counted."""
    told = _told_changed(files, changed) if changed else None
    if told:
        source_paths = [file.source_path for file in told]
        posts, pages = Post.objects.from_files(source_paths), Page.objects.from_files(source_paths)
    else:
        told = files
        posts, pages = Post.objects.exclude(source_path=""), Page.objects.exclude(source_path="")
    # (hash, model, whether the file's bytes are kept) by path. The length of a stored file is
    # read from its header, not by reading it.
    known = {}
    for model, contents in ((Post, posts), (Page, pages)):
        kept = contents.values_list("source_path", "source_hash", Length("source_file"))
        known.update((path, (digest, model, size > 0)) for path, digest, size in kept)
    report.unchanged += len(files) - len(told)
    tasks = []
    unkept = {Post: [], Page: []}  # unchanged files imported before their bytes were kept
    for file in told:
        digest, model, has_bytes = known.get(file.source_path, (None, None, False))
        if digest:
            data, problem = _read(file.path, file.source_path)
            if problem is None and content_hash(data) == digest:
                report.unchanged += 1
                if not has_bytes:
                    unkept[model].append((data, file.source_path))
                continue
        tasks.append(_Task(file.path, file.source_path, options, file.role, site))
    if any(unkept.values()) and not options.dry_run:
        _keep_bytes(unkept)
    return tasks


def _keep_bytes(unkept):
    """Keep the bytes of unchanged files whose content was imported before imports kept them,
    so that it exports byte for byte (``blog.exporting``): once, on the first run after."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in unkept.items():
            if rows:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.executemany(
                    # (The condition lets SQLite use the partial index on the path.)
                    f"UPDATE {table} SET source_file = %s "
                    "WHERE source_path = %s AND NOT source_path = ''",
                    [(memoryview(data), path) for data, path in rows],
                )


def _told_changed(files, changed):
    """The files among ``files`` that ``changed`` names (absolute paths), compared as the
    discovery wrote them (relative to the working folder when the folder given was); none when
    a file it names cannot be placed among them (reached through a symbolic link, say) or it
    names only files that are gone, so that every file is read rather than one missed."""
    told = {}
    for path in changed:
        told[os.path.normpath(path)] = told[os.path.relpath(path)] = path
    found = [file for file in files if os.path.normpath(file.path) in told]
    placed = {told[os.path.normpath(file.path)] for file in found}
    unplaced = [path for path in changed if path not in placed and os.path.isfile(path)]
    return [] if unplaced else found


def _read(path, source_path):
    """The bytes of a file, or a message saying why they cannot be read."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            return None, Message(
                source_path,
                f"the file is {size / 1024 / 1024:.1f} MB; a post may be at most "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB. Is it really a post?",
            )
        # os.read on a descriptor: for a re-import of thousands of unchanged files, reading and
        # hashing is all the work there is, and this is the cheapest way to read.
        descriptor = os.open(path, os.O_RDONLY)
        try:
            return _read_all(descriptor, size), None
        finally:
            os.close(descriptor)
    except OSError as error:
        return None, Message(source_path, f"cannot read the file: {error.strerror or error}")


def _read_all(descriptor, size):
    chunks = []
    while chunk := os.read(descriptor, max(size, 1 << 16) + 1):
        chunks.append(chunk)
    return b"".join(chunks)


# What the site's templates read (``TemplateSite``) and the files it published (``SiteFiles``),
# set before the worker processes are forked, so that each inherits them instead of receiving
# them with every file.
_template_site = None
_site_files = None


def _with_local_files(parsed, rendered):
    """Point the rendering at the copies of the old site's files it refers to, list those files
    for copying, and warn about the ones that are missing."""
    page_url = site_path(parsed.url) if parsed.url else "/"
    found = {}
    missing = []
    written = [*references(rendered.body_html), *references(rendered.excerpt_html), *parsed.images]
    for reference in dict.fromkeys(written):
        local = _site_files.find(reference, page_url=page_url, source_path=parsed.source_path)
        if local is None:
            continue
        if local.disk_path:
            found[local.old_path] = local
        elif local.old_path not in missing:
            missing.append(local.old_path)
    parsed.warnings.extend(
        Message(
            parsed.source_path,
            f"refers to {path}, which is not among the site's files: it will not load",
            Severity.WARNING,
            topic="missing file",
        )
        for path in missing
    )
    parsed.files = list(found.values())
    if not found:
        return rendered
    return point_at_files(
        rendered,
        page_url=page_url,
        new_address=lambda path: (
            default_storage.url(found[path].stored_name) if path in found else None
        ),
    )


def template_page(parsed):
    """The ``page`` variables a post's templates see, from what its file says."""
    return page_variables(
        title=parsed.title,
        url=site_path(parsed.url) if parsed.url else "",
        date=parsed.published_at,
        slug=parsed.slug,
        description=parsed.description,
        authors=[author.name for author in parsed.authors],
        categories=parsed.categories,
        tags=parsed.tags,
        extra=parsed.extra,
    )


def _prepare(task):
    """Parse and render one file (in a worker process): (task, parsed, rendered, problem)."""
    data, problem = _read(task.path, task.source_path)
    if problem is not None:
        return task, None, None, problem
    options = task.options
    try:
        parsed = parse_post(
            data,
            source_path=task.source_path,
            tz=options.tz,
            allow_bare=options.allow_bare,
            lenient=options.lenient,
            fallback_date=_modification_time(task.path, options.tz),
            site=task.site,
            role=task.role,
        )
        if parsed.kind not in ("post", "page", "section"):
            return task, parsed, None, None
        rendered = render_post_markdown(
            body=parsed.body,
            excerpt=parsed.excerpt,
            excerpt_separator=parsed.excerpt_separator,
            excerpt_words=parsed.excerpt_words,
            excerpt_cjk=parsed.excerpt_cjk,
            markup=parsed.markup,
            site=_template_site,
            page=template_page(parsed),
        )
        parsed.warnings.extend(
            Message(
                parsed.source_path,
                text,
                Severity.WARNING,
                line=parsed.body_line + line - 1 if line else None,
                topic=topic,
            )
            for line, text, topic in rendered.warnings
        )
        if _site_files is not None:
            rendered = _with_local_files(parsed, rendered)
    except ParseError as error:
        return task, None, None, error.message
    except Exception as error:  # one odd file must not stop the others
        return task, None, None, Message(task.source_path, f"could not be read: {error!r}")
    return task, parsed, rendered, None


def _modification_time(path, tz):
    try:
        return dt.datetime.fromtimestamp(os.stat(path).st_mtime, tz=tz).replace(microsecond=0)
    except OSError:
        return None


def worker_count(options, files):
    if options.workers is not None:
        return max(1, options.workers)
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, len(os.sched_getaffinity(0)))


def _start_worker():
    # Ctrl-C reaches every process of the terminal's group: the main process stops the import
    # and ends the pool; workers must not each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()


@contextmanager
def _prepared(tasks, options):
    """Yield the prepared files in path order, from a process pool when that pays off."""
    workers = min(worker_count(options, len(tasks)), max(1, len(tasks)))
    if workers == 1:
        yield map(_prepare, tasks)
        return
    # Each worker freezes what it inherits (gc.freeze): the garbage collector then never scans
    # Django's and this process's objects again, which makes rendering about 8% cheaper.
    # Workers never touch the database; close its connections so none is shared across the fork
    # (inside a transaction, as in tests, the connection must stay open and the workers leave it
    # alone).
    if not connection.in_atomic_block:
        connections.close_all()
    chunk = max(1, min(16, len(tasks) // (workers * 8)))
    # At most this many files are being parsed or wait to be written at any time, so memory
    # stays flat however many files there are. (More than a chunk per worker, or imap stalls.)
    slots = threading.Semaphore(4 * chunk * workers)
    stopping = threading.Event()

    def fed():
        for task in tasks:
            slots.acquire()
            if stopping.is_set():
                return
            yield task

    def consumed(results):
        for result in results:
            slots.release()
            yield result

    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
        try:
            yield consumed(pool.imap(_prepare, fed(), chunksize=chunk))
        finally:
            # On an error the pool is terminated, which waits for its feeder thread: wake it
            # if it waits for a slot, and let it stop.
            stopping.set()
            slots.release()


@contextmanager
def _run_transaction(options, report):
    """--atomic and --dry-run run as one transaction, rolled back on failure or when dry."""
    if not (options.atomic or options.dry_run):
        yield
        return
    with transaction.atomic():
        yield
        if options.dry_run or report.failed or report.interrupted:
            transaction.set_rollback(True)


def _batches(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _tally(report, result):
    report.messages.extend(result.messages)
    if result.outcome == Outcome.CREATED:
        report.created += 1
    elif result.outcome == Outcome.UPDATED:
        report.updated += 1
    elif result.outcome == Outcome.UNCHANGED:
        report.unchanged += 1
    elif result.outcome == Outcome.CONFLICT:
        report.conflicts += 1
    elif result.outcome == Outcome.SKIPPED:
        report.skipped += 1
    else:
        report.failed += 1
    if result.outcome in (Outcome.CREATED, Outcome.UPDATED):
        report.drafts += result.status == Post.Status.DRAFT
        report.scheduled += result.scheduled
