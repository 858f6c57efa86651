import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.verification import old_addresses, verify


class Command(BaseCommand):
    help = (
        "Request every page and feed of the old site's build (Jekyll's _site/, Hugo's public/) "
        "or sitemap.xml from this site, and report what each answers: 200, 301 to the same "
        "content, 404 or other. Exit status 1 when a post or page of the old site is lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("old_site_build", help="The old site's build folder or sitemap.xml.")
        parser.add_argument(
            "--base-path",
            default="",
            help="The path the old site was served under (Jekyll's baseurl, the path of Hugo's "
            "baseURL), when the build folder does not include it: /blog",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print every address and its answer as JSON."
        )

    def handle(self, *, old_site_build, base_path, verbosity, **options):
        source = Path(old_site_build)
        if not source.exists():
            raise CommandError(f"no such file or folder: {old_site_build}", returncode=2)
        addresses = old_addresses(source, base_path=base_path)
        if not addresses:
            raise CommandError(
                f"{old_site_build} holds no pages: give the folder the old generator built "
                "(_site/ or public/) or its sitemap.xml",
                returncode=2,
            )
        report = verify(addresses)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            for check in report.checks:
                if check.verdict in ("200", "301") and verbosity < 2:
                    continue
                target = f" → {check.location}" if check.location else ""
                titles = (
                    f" (was {check.old_title!r}, now {check.title!r})"
                    if check.verdict == "wrong content"
                    else ""
                )
                self.stdout.write(
                    f"{check.verdict:>13}  {check.kind:<8} {check.path}{target}{titles}"
                )
            self.stdout.write(report.summary())
        lost = report.lost_content
        if lost:
            raise CommandError(
                f"{len(lost)} post(s) or page(s) of the old site are lost", returncode=1
            )
