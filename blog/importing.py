"""Import folders of front-matter markdown: find files, parse each, load each, report.

The importer wires ``blog.parsing`` (file → data) to ``blog.loading`` (data → models). Every file
is its own transaction, so one bad file is reported and skipped without leaving partial rows.
"""

import time
from dataclasses import dataclass, field

from django.db import DatabaseError

from blog.loading import LoadError, Outcome, load_post
from blog.models import Post
from blog.parsing import ParseError, content_hash, find_post_files, parse_post


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def failed(self):
        return len(self.errors)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged + self.failed

    def summary(self):
        rate = self.total / self.elapsed if self.elapsed else 0
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed in {self.elapsed:.2f}s ({rate:.0f} files/s)"
        )


def import_paths(paths, *, tz):
    """Import every markdown file in ``paths`` (files or folders).

    Naive dates in front matter are read in the time zone ``tz``.
    """
    started = time.perf_counter()
    report = ImportReport()
    known_hashes = dict(
        Post.objects.exclude(source_path="").values_list("source_path", "source_hash")
    )
    for path in paths:
        for root, file in find_post_files(path):
            source_path = file.relative_to(root).as_posix()
            outcome = _import_file(file, source_path, known_hashes, tz, report)
            if outcome is not None:
                setattr(report, outcome.value, getattr(report, outcome.value) + 1)
    report.elapsed = time.perf_counter() - started
    return report


def _import_file(file, source_path, known_hashes, tz, report):
    try:
        data = file.read_bytes()
    except OSError as error:
        report.errors.append(f"{source_path}: cannot read the file: {error.strerror}")
        return None
    # Unchanged files are recognised by their hash alone: no parsing, no rendering, no writes.
    if known_hashes.get(source_path) == content_hash(data):
        return Outcome.UNCHANGED
    try:
        parsed = parse_post(data, source_path=source_path, tz=tz)
        _post, outcome = load_post(data=parsed)
    except ParseError as error:
        report.errors.append(str(error))
    except LoadError as error:
        report.errors.append(f"{source_path}: {error}")
    except DatabaseError as error:
        report.errors.append(f"{source_path}: the database refused this post: {error}")
    else:
        return outcome
    return None
