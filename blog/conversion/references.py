"""The addresses rendered HTML refers to (``src``, ``href``, ``poster``), found and rewritten.

Used to point a moved post at the copies of its old site's files. No Django here.
"""

import html
import re

# A start tag, as Ammonia writes it: attributes in double quotes, `"` escaped inside them. Only
# attributes of tags count: text that reads `src="a.png"` (a shortcode shown as written) does not.
_START_TAG = re.compile(r'<[a-zA-Z][\w-]*(?:\s+[\w:-]+(?:="[^"]*")?)*\s*/?>')
_REFERENCE = re.compile(r'(\s(?:src|href|poster)=")([^"]*)(")')


def references(markup):
    """Every address ``markup``'s tags refer to, decoded from HTML, in order, once each."""
    found = (
        html.unescape(match[2])
        for tag in _START_TAG.finditer(markup)
        for match in _REFERENCE.finditer(tag[0])
    )
    return list(dict.fromkeys(found))


def rewrite_references(markup, new_address):
    """``markup`` with each address of its tags that ``new_address(address)`` gives a
    replacement for replaced."""

    def replace(match):
        replacement = new_address(html.unescape(match[2]))
        if replacement is None:
            return match[0]
        return match[1] + html.escape(replacement, quote=True) + match[3]

    return _START_TAG.sub(lambda tag: _REFERENCE.sub(replace, tag[0]), markup)


def point_at_files(rendered, *, page_url, new_address):
    """``rendered`` (a ``RenderedMarkdown``) with its references to the old site's files
    pointed at their copies: ``new_address(old path)`` gives the copy's address, or None."""
    from dataclasses import replace

    from blog.parsing.assets import resolve

    def rewrite(reference):
        old_path = resolve(reference, page_url)
        return new_address(old_path) if old_path else None

    return replace(
        rendered,
        body_html=rewrite_references(rendered.body_html, rewrite),
        excerpt_html=rewrite_references(rendered.excerpt_html, rewrite),
    )


def file_references(rendered, *, page_url):
    """The old paths of the files ``rendered`` refers to, resolved against ``page_url``."""
    from blog.parsing.assets import resolve

    found = []
    for markup in (rendered.body_html, rendered.excerpt_html):
        found += [resolve(reference, page_url) for reference in references(markup)]
    return [path for path in dict.fromkeys(found) if path]
