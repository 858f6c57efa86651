import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog.importing import import_paths


class Command(BaseCommand):
    help = (
        "Import front-matter markdown files (Jekyll and Hugo style) as posts. Re-running it on the "
        "same files changes nothing; changed files update their posts."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files or folders of them.")

    def handle(self, *, paths, verbosity, **options):
        missing = [path for path in paths if not Path(path).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}", returncode=2)

        report = import_paths(paths, tz=zoneinfo.ZoneInfo(settings.TIME_ZONE))

        for error in report.errors:
            self.stderr.write(error)
        if verbosity:
            self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{report.failed} file(s) could not be imported", returncode=1)
