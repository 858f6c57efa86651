"""What the site refuses to print: unsafe URLs, and characters XML cannot hold.

Which URLs the site prints as links and images is one rule for every path that writes them. No
Django here: the parser (files), the models' validators (admin forms) and the templates' output
filter all ask these two functions, so an imported ``author.url: javascript:alert(1)`` is refused
exactly as the admin refuses it, and anything stored before is still never printed as a link.

Browsers ignore ASCII tabs and newlines inside a URL and leading spaces and control characters,
so ``java\tscript:`` and `` JaVaScRiPt:`` are schemes like any other; they are compared as the
browser reads them.
"""

import re

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _as_browsers_read(url):
    return _IGNORED_BY_BROWSERS.sub("", url or "")


def scheme_of(url):
    """The URL's scheme as a browser would see it, lower-cased; "" for a relative URL."""
    match = _SCHEME.match(_as_browsers_read(url))
    return match.group(1).lower() if match else ""


def is_safe_link(url):
    """An absolute http(s) or mailto link, such as an author's website."""
    scheme = scheme_of(url)
    if scheme == "mailto":
        return True
    if scheme not in LINK_SCHEMES:
        return False
    host_and_path = _as_browsers_read(url)[len(scheme) :]
    return host_and_path.startswith("://") and len(host_and_path) > len("://")


def is_safe_image(url):
    """A site-relative path (``/images/a.png``, ``images/a.png``) or an absolute http(s) URL."""
    cleaned = _as_browsers_read(url)
    if not cleaned or cleaned != url.strip():
        return False  # control characters or spaces inside: not a path anyone meant
    scheme = scheme_of(url)
    if scheme:
        rest = cleaned[len(scheme) :]
        return scheme in IMAGE_SCHEMES and rest.startswith("://") and len(rest) > len("://")
    return not cleaned.startswith("//") and not cleaned.startswith("\\")


LINK_RULE = "an http://, https:// or mailto: address"
IMAGE_RULE = "a path on this site (/images/a.png) or an http:// or https:// address"


# XML 1.0 allows tab, newline, carriage return and everything from U+0020 on, except surrogates
# and U+FFFE/U+FFFF. Text pasted from word processors sometimes carries the others, and one of
# them makes a feed unreadable (or Django's RSS writer raise).
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def has_xml_invalid(text):
    return bool(_XML_INVALID.search(text))


def strip_xml_invalid(text):
    """``text`` without the characters XML 1.0 cannot hold."""
    return _XML_INVALID.sub("", text)
