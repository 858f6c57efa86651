import contextlib
import json
import sys
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog.importing import ImportOptions, import_paths
from blog.parsing import Severity
from blog.watching import watch


class Command(BaseCommand):
    help = (
        "Import front-matter markdown files (Jekyll and Hugo conventions: YAML, TOML or JSON front "
        "matter) as posts. Re-running it on the same files changes nothing; changed files update "
        "their posts, unless the post was edited on the site since (a conflict, see --force). "
        "Exit status: 0 when every file imported, 1 when any failed, 2 for bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files or folders of them.")
        parser.add_argument(
            "--drafts", action="store_true", help="Also import Jekyll's _drafts/ folders."
        )
        parser.add_argument(
            "--allow-bare",
            action="store_true",
            help="Accept files without front matter (title from the first heading or file name).",
        )
        parser.add_argument(
            "--lenient-front-matter",
            action="store_true",
            dest="lenient",
            help="Import a file whose front matter does not parse from its file name alone, "
            "with a warning (Jekyll without strict_front_matter).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite posts edited on the site since their last import.",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Unpublish (turn into drafts) imported posts whose files are gone.",
        )
        parser.add_argument(
            "--atomic",
            action="store_true",
            help="One transaction for the whole run: if any file fails, nothing is written.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse, check and report; write nothing."
        )
        parser.add_argument(
            "--keep-addresses",
            action="store_true",
            help="Serve each post at the address the old site published it at, and make the old "
            "site's permalink pattern this site's for new posts (without it, posts move to this "
            "site's pattern and every old address answers 301).",
        )
        parser.add_argument(
            "--timezone",
            help="Time zone for dates without one (default: the site configuration's, else "
            f"this site's, {settings.TIME_ZONE}).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes that parse and render (default: one per CPU core for many files).",
        )
        parser.add_argument(
            "--watch",
            action="store_true",
            help="After importing, keep watching the files and import each change as it is "
            "saved, until Ctrl-C.",
        )
        parser.add_argument(
            "--report",
            metavar="FILE.json",
            help="Also write the summary and every message, as JSON, to this file.",
        )

    def handle(self, *, paths, verbosity, **options):
        missing = [path for path in paths if not Path(path).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}", returncode=2)
        timezone_given = options["timezone"] is not None
        options["timezone"] = options["timezone"] or settings.TIME_ZONE
        try:
            tz = zoneinfo.ZoneInfo(options["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(
                f"unknown time zone {options['timezone']!r}: use a name such as Europe/Berlin "
                "or UTC",
                returncode=2,
            ) from None
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be 1 or more", returncode=2)

        try:
            report = self._import(paths, tz, timezone_given, options, verbosity)
        except KeyboardInterrupt:
            # Stopped before any file was loaded (while finding or reading files).
            self.stderr.write("\nInterrupted before anything was written.")
            sys.exit(130)
        self._tell(report, options, verbosity)
        if options["watch"] and not report.interrupted:
            # Ctrl-C during an import undoes its batch, as without --watch, and stops.
            with contextlib.suppress(KeyboardInterrupt):
                watch(
                    paths,
                    lambda changed: self._import(
                        paths, tz, timezone_given, options, verbosity=0, changed=changed
                    ),
                    on_change=lambda report: self._tell(report, options, verbosity, changes=True),
                    on_ready=lambda: self._say(
                        f"Watching {', '.join(paths)} for changes; Ctrl-C stops."
                    ),
                )
            self.stdout.write("Stopped watching.")
            return
        if report.interrupted:
            sys.exit(130)
        if report.failed:
            raise CommandError(f"{report.failed} file(s) could not be imported", returncode=1)

    def _say(self, text):
        self.stdout.write(text)
        self.stdout.flush()

    def _tell(self, report, options, verbosity, *, changes=False):
        """Print the report's messages and summary (in --watch, only when something changed)."""
        if changes and report.interrupted:
            raise KeyboardInterrupt
        said = report.created or report.updated or report.conflicts or report.failed
        if changes and not (said or report.pruned):
            return
        if report.interrupted:
            self.stderr.write("")  # end the progress bar's line
        for message in report.messages:
            if message.severity != Severity.INFO or verbosity >= 2:
                self.stderr.write(f"{message.severity}: {message}")
        if verbosity or report.interrupted or changes:
            self.stdout.write(report.summary())
        if options["report"]:
            Path(options["report"]).write_text(
                json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
            )
        self.stdout.flush()

    def _import(self, paths, tz, timezone_given, options, verbosity, changed=None):
        return import_paths(
            paths,
            changed=changed,
            options=ImportOptions(
                tz=tz,
                timezone_given=timezone_given,
                **{
                    name: options[name]
                    for name in (
                        "drafts",
                        "allow_bare",
                        "lenient",
                        "force",
                        "prune",
                        "atomic",
                        "dry_run",
                        "workers",
                        "keep_addresses",
                    )
                },
            ),
            progress=self._progress_bar() if verbosity and self._is_terminal() else None,
        )

    def _is_terminal(self):
        return getattr(self.stderr._out, "isatty", lambda: False)()

    def _progress_bar(self):
        width = 30

        def show(done, total):
            filled = width * done // total if total else width
            end = "\n" if done >= total else ""
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files{end}"
            )
            sys.stderr.flush()

        return show
