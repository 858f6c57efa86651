"""The proof an owner runs before switching DNS: does every address of the old site answer here?

``verify_migration(old_build)`` reads the old generator's build output (Jekyll's ``_site/``,
Hugo's ``public/``) or its ``sitemap.xml``, requests every page and feed it holds from this site,
in-process, and says what each one answers: 200, 301 to the same content (the titles match),
404, or something else. Content pages that are lost fail the check; list pages (the home page,
sections, tags, numbered pages) and feeds are reported, as this site has lists of its own.
"""

import html
import logging
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.test import Client

from blog.addresses import address_key
from blog.middleware import OLD_FEED_NAMES

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_REFRESH = re.compile(r'<meta[^>]+http-equiv=["\']?refresh', re.IGNORECASE)
_NUMBERED_LIST = re.compile(r"/page/?\d+/?$")
MAX_REDIRECTS = 5


class Verdict:
    SERVED = "200"  # the same content, at the same address
    MOVED = "301"  # a redirect to the same content
    WRONG = "wrong content"  # answers, but with other content (the titles differ)
    LOST = "404"
    OTHER = "other"  # any other status


class Kind:
    CONTENT = "content"  # a post or page
    LIST = "list"  # the home page, a section, a tag, a numbered page
    FEED = "feed"
    REDIRECT = "redirect"  # the old site's own redirect page (an alias)


@dataclass
class OldAddress:
    path: str  # decoded, as the old site published it
    kind: str
    title: str = ""  # the old page's <title>


@dataclass
class Check:
    path: str
    kind: str
    verdict: str
    status: int
    location: str = ""
    old_title: str = ""
    title: str = ""


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)

    def of_kind(self, kind):
        return [check for check in self.checks if check.kind == kind]

    @property
    def lost_content(self):
        return [
            check
            for check in self.of_kind(Kind.CONTENT)
            if check.verdict not in (Verdict.SERVED, Verdict.MOVED)
        ]

    def answering(self, kind):
        checks = self.of_kind(kind)
        good = [check for check in checks if check.verdict in (Verdict.SERVED, Verdict.MOVED)]
        return len(good), len(checks)

    def summary(self):
        lines = []
        names = {
            Kind.CONTENT: "posts and pages",
            Kind.REDIRECT: "old redirects",
            Kind.LIST: "list pages",
            Kind.FEED: "feeds",
        }
        for kind in (Kind.CONTENT, Kind.REDIRECT, Kind.LIST, Kind.FEED):
            checks = self.of_kind(kind)
            if not checks:
                continue
            good, total = self.answering(kind)
            counts = {}
            for check in checks:
                counts[check.verdict] = counts.get(check.verdict, 0) + 1
            detail = ", ".join(f"{number} {verdict}" for verdict, number in sorted(counts.items()))
            lines.append(f"{names[kind]}: {good} of {total} answer ({detail})")
        good = sum(self.answering(kind)[0] for kind in (Kind.CONTENT, Kind.REDIRECT))
        total = sum(self.answering(kind)[1] for kind in (Kind.CONTENT, Kind.REDIRECT))
        if total:
            lines.append(f"content addresses: {good} of {total} ({100 * good / total:.1f} %)")
        return "\n".join(lines)

    def as_dict(self):
        return {"summary": self.summary(), "checks": [asdict(check) for check in self.checks]}


def old_addresses(source, *, base_path=""):
    """The addresses an old build (a folder) or a ``sitemap.xml`` holds, with their titles."""
    source = Path(source)
    if source.is_file():
        return _from_sitemap(source, base_path)
    found = []
    with_feeds = set()  # folders with a feed of their own: Hugo's home, sections and terms
    for file in sorted(source.rglob("*")):
        if not file.is_file():
            continue
        relative = file.relative_to(source).as_posix()
        name = file.name
        if name in OLD_FEED_NAMES:
            found.append(OldAddress(_with_base(base_path, "/" + relative), Kind.FEED))
            with_feeds.add(_with_base(base_path, "/" + relative[: -len(name)]))
            continue
        if not name.endswith((".html", ".htm")) or name in ("404.html", "404.htm"):
            continue
        path = "/" + relative
        if name in ("index.html", "index.htm"):
            path = path[: -len(name)]
        text = file.read_text(encoding="utf-8", errors="replace")
        kind = Kind.REDIRECT if _REFRESH.search(text[:2000]) else Kind.CONTENT
        found.append(OldAddress(_with_base(base_path, path), kind, _title_of(text)))
    for address in found:
        if address.kind == Kind.CONTENT and address.path in with_feeds:
            address.kind = Kind.LIST
    return _mark_lists(found)


def _from_sitemap(path, base_path):
    tree = ElementTree.parse(path)
    found = []
    for element in tree.iter():
        if element.tag.endswith("loc") and element.text:
            found.append(OldAddress(unquote(urlsplit(element.text.strip()).path), Kind.CONTENT))
    return _mark_lists(found)


def _with_base(base_path, path):
    return (base_path.rstrip("/") + path) if base_path else path


def _mark_lists(found):
    """List pages: the home page, numbered pages, and any address that other content addresses
    sit below (a section: /posts/ above /posts/a/ and /posts/b/)."""
    keys = sorted(address_key(address.path) for address in found if address.kind == Kind.CONTENT)
    below = {}
    for key in keys:
        parts = key.rstrip("/").split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth]) or "/"
            below[parent] = below.get(parent, 0) + 1
    for address in found:
        if address.kind != Kind.CONTENT:
            continue
        key = address_key(address.path)
        if key == "/" or _NUMBERED_LIST.search(key) or below.get(key, 0) >= 2:
            address.kind = Kind.LIST
    return found


def _title_of(text):
    match = _TITLE.search(text)
    return " ".join(html.unescape(match[1]).split()) if match else ""


def verify(addresses):
    """Request every address from this site and judge the answer."""
    client = Client(HTTP_HOST=_host(), SERVER_NAME=_host())
    report = VerificationReport()
    # The report says which addresses are lost; Django's "Not Found" log line for each would
    # only repeat it.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        for address in addresses:
            report.checks.append(_check(client, address))
    finally:
        request_log.setLevel(level)
    return report


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _check(client, address):
    response = client.get(quote(address.path, safe="/-._~!$&'()*+,;=:@"), secure=_secure())
    location = ""
    hops = 0
    while response.status_code in (301, 302, 307, 308) and hops < MAX_REDIRECTS:
        location = response["Location"]
        hops += 1
        if urlsplit(location).netloc not in ("", _host()):
            # Sent to another site, as the old page sent readers (redirect_to).
            return Check(address.path, address.kind, Verdict.MOVED, 301, location, address.title)
        response = client.get(urlsplit(location).path, secure=_secure())
    status = response.status_code
    title = ""
    if status == 200 and "html" in response.get("Content-Type", ""):
        title = _own_title(response.content.decode("utf-8", "replace"))
    if status != 200:
        verdict = Verdict.LOST if status == 404 else Verdict.OTHER
    elif address.kind == Kind.CONTENT and not _same_title(address.title, title):
        verdict = Verdict.WRONG
    else:
        verdict = Verdict.MOVED if hops else Verdict.SERVED
    return Check(
        path=address.path,
        kind=address.kind,
        verdict=verdict,
        status=status if not hops else 301,
        location=location,
        old_title=address.title,
        title=title,
    )


def _secure():
    return settings.SITE_URL.startswith("https://")


def _own_title(text):
    title = _title_of(text)
    suffix = f" · {settings.SITE_TITLE}"
    return title[: -len(suffix)] if title.endswith(suffix) else title


def _same_title(old, new):
    """The old page's <title> names the same content: one holds the other, ignoring case and
    spacing (old sites add their name: "Hello | My Blog"). Without an old title, any answer
    counts."""
    old, new = _comparable(old), _comparable(new)
    if not old or old.startswith("redirecting"):
        return True
    return bool(new) and (new in old or old in new)


# What Jekyll's `smartify` (jekyll-seo-tag's titles) and Hugo's typographer make of plain text.
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _comparable(text):
    text = html.unescape(text or "").translate(_TYPOGRAPHY).replace("\u2026", "...")
    return " ".join(text.casefold().split())
