import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from blog.exporting import FORMATS, export_site


class Command(BaseCommand):
    help = (
        "Write every post and page as a markdown file with front matter into DIR, for Jekyll or "
        "Hugo: what was imported and not edited since comes back byte for byte, at its path; "
        "the rest in the generator's own form. A second export of an unchanged site changes no "
        "file."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="Where to write (made if missing).")
        parser.add_argument("--format", choices=FORMATS, default="jekyll")
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="Only what changed on this day (in the site's time zone) or later.",
        )

    def handle(self, *, folder, format, since, **options):
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since {since!r}: give a day as YYYY-MM-DD") from None
            since = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            report = export_site(folder, format=format, since=since)
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.summary())
