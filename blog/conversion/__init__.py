"""A post's source, as its old generator wrote it, converted to the markdown this site renders.

The stored markdown stays what the file held; conversion runs when the post is rendered, so a
better converter is one ``rerender_posts`` away. ``liquid`` runs Jekyll's Liquid; ``shortcodes``
converts Hugo's. No Django here.
"""

from blog.conversion.results import Converted, TemplateSite
from blog.conversion.shortcodes import render_shortcodes


def page_variables(
    *, title, url, date, slug, description="", authors=(), categories=(), tags=(), extra=None
):
    """Jekyll's ``page`` for a post: its front matter as the file gave it (the keys without a
    field of their own are in ``extra``), and what Jekyll computes (``url``, ``date``)."""
    authors = list(authors)
    return {
        **(extra or {}),
        "title": title,
        "url": url,
        "date": date,
        "slug": slug,
        "description": description,
        "author": authors[0] if len(authors) == 1 else authors or None,
        "authors": authors,
        "categories": list(categories),
        "tags": list(tags),
    }


def convert(text, *, markup, site, page):
    """``text`` (markdown in the dialect ``markup``) as this site's markdown: a ``Converted``
    with what could not be converted, each kept as written, as (line, text) warnings."""
    if markup == "jekyll":
        from blog.conversion.liquid import render_liquid  # loaded by the first post that needs it

        return render_liquid(text, site=site, page=page)
    if markup == "hugo":
        return render_shortcodes(text, site=site, page=page)
    return Converted(text)


__all__ = ["Converted", "TemplateSite", "convert", "page_variables"]
