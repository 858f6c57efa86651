"""The one normal form of a site address, shared by what writes addresses and what reads them.

A static generator publishes a page as a file: ``/about.html``, ``/about/index.html`` (linked as
``/about/``), sometimes percent-encoded (``/cloud%20computing/``), and web servers answer
``/about`` for either. Every one of those spellings must find the same content here, so every
address is stored and looked up by its *key*: decoded, without ``index.html``, without ``.html``
and without the trailing slash (``/about``). What a reader sees in the address bar is the
content's own path; any other spelling of it answers 301 to that path.

No Django here: the parsers use it too.
"""

import posixpath
import re
from urllib.parse import unquote, urlsplit

# Where an address holds something other than a path.
_SCHEMES = ("http://", "https://", "//")


def address_key(path):
    """The key of a decoded ``path`` (as ``request.path`` and ``site_path`` give it).

    >>> address_key("/Blog/2024/01/cloud computing/index.html")
    '/Blog/2024/01/cloud computing'
    >>> address_key("/about.html")
    '/about'
    """
    path = clean_path(path)
    if not path:
        return ""
    for ending in ("/index.html", "/index.htm"):
        if path.endswith(ending):
            path = path[: -len(ending)] + "/"
    if path.endswith(".html"):
        path = path[: -len(".html")]
    elif path.endswith(".htm"):
        path = path[: -len(".htm")]
    return path.rstrip("/") or "/"


def site_path(address):
    """An address as a generator or an author writes it (a path or full URL, percent-encoded or
    not) as a decoded, absolute, clean path, keeping its ending (``/a/b.html``, ``/a/``); ""
    for an address that holds no path.

    >>> site_path("https://example.com/cloud%20computing/?x=1#top")
    '/cloud computing/'
    """
    address = (address or "").strip()
    if address.lower().startswith(_SCHEMES):
        address = urlsplit(address if "://" in address else "http:" + address).path or "/"
    address = address.split("#", 1)[0].split("?", 1)[0]
    return clean_path(unquote(address))


def clean_path(path):
    """A decoded path made absolute and clean (no ``..``, ``.`` or ``//``), keeping a trailing
    slash; "" for none."""
    path = (path or "").strip()
    if not path:
        return ""
    trailing = path.endswith("/")
    path = posixpath.normpath("/" + path.lstrip("/"))
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if trailing and path != "/":
        path += "/"
    return path


def spellings(path):
    """The paths a generator may have published for the content at ``path``: with and without
    the trailing slash, ``index.html`` and ``.html``."""
    key = address_key(path)
    if key == "/":
        return ["/", "/index.html"]
    return [key, key + "/", key + "/index.html", key + ".html"]


# Keys of the site's own routes (see blog/urls.py and site_config/urls.py): no post or page may
# be served there, as the route would always answer first. The database refuses them
# (``Address``); archive routes such as /2024/05/ are found by resolving the path instead.
RESERVED_ADDRESSES = (
    "/",
    "/admin",
    "/archive",
    "/authors",
    "/categories",
    "/feed.json",
    "/feed.xml",
    "/index.xml",
    "/media",
    "/robots.txt",
    "/search",
    "/sitemap.xml",
    "/static",
    "/tags",
)
RESERVED_PREFIXES = (
    "/-/",  # links to the old site's files (Jekyll's post_url and link)
    "/admin/",
    "/authors/",
    "/categories/",
    "/keywords/",
    "/media/",
    "/search/",
    "/static/",
    "/tags/",
)


# --- The site's post address pattern --------------------------------------------------------

DEFAULT_POST_ADDRESS = "/:year/:month/:day/:slug/"
POST_ADDRESS_TOKENS = {
    "year": lambda moment, slug: f"{moment:%Y}",
    "short_year": lambda moment, slug: f"{moment:%y}",
    "month": lambda moment, slug: f"{moment:%m}",
    "i_month": lambda moment, slug: str(moment.month),
    "day": lambda moment, slug: f"{moment:%d}",
    "i_day": lambda moment, slug: str(moment.day),
    "y_day": lambda moment, slug: f"{moment.timetuple().tm_yday:03d}",
    "hour": lambda moment, slug: f"{moment:%H}",
    "minute": lambda moment, slug: f"{moment:%M}",
    "second": lambda moment, slug: f"{moment:%S}",
    "slug": lambda moment, slug: slug,
    "title": lambda moment, slug: slug,
    "output_ext": lambda moment, slug: ".html",
}
_TOKEN = re.compile(r":([a-z_]+)")


def pattern_problem(pattern):
    """Why ``pattern`` cannot be the site's post address pattern, or "" if it can."""
    if not pattern.startswith("/"):
        return "The pattern must start with '/'."
    unknown = [name for name in _TOKEN.findall(pattern) if name not in POST_ADDRESS_TOKENS]
    if unknown:
        names = ", ".join(f":{name}" for name in POST_ADDRESS_TOKENS)
        return f"Unknown placeholder(s) {', '.join(':' + n for n in unknown)}; use {names}."
    if not {"slug", "title"} & set(_TOKEN.findall(pattern)):
        return "The pattern needs :slug (or :title), or posts would share addresses."
    return ""


def fill_pattern(pattern, *, moment, slug):
    """The path of a post published at ``moment`` (local time) with ``slug``."""
    path = _TOKEN.sub(lambda match: POST_ADDRESS_TOKENS[match[1]](moment, slug), pattern)
    return re.sub(r"/{2,}", "/", path)
