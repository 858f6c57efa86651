"""A site's own Hugo shortcodes, where their template is simple enough to render here.

A shortcode template (``layouts/shortcodes/note.html``) is Go's template language, which this
site does not run. Many are simple: HTML around the shortcode's arguments and its inner text.
This module renders exactly that subset: literal text and the actions ``{{ .Get 0 }}``,
``{{ .Get "name" }}``, ``{{ .Inner }}`` (optionally ``| markdownify``, ``| safeHTML``,
``| .Page.RenderString``) and ``{{ .Page.Title }}``, ``{{ .Page.Params.name }}``, with ``{{- -}}``
trimming and comments. A template using anything else (conditions, ranges, variables, functions)
is not simple: ``render`` returns None and the shortcode is kept as written and reported.

No Django here.
"""

import html
import re

import markdown

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)
_GET = re.compile(r'^\.Get\s+(?:(\d+)|"([\w-]+)"|`([\w-]+)`)$')
_PAGE = re.compile(r"^\.Page\.(Title|Params\.(\w+))$")
_INNER = re.compile(r"^\.Inner$")
_PIPES = {"markdownify", "safeHTML", ".Page.RenderString", "safeHTMLAttr", "safeURL"}


def render(template, *, positional, named, inner, page):
    """``template`` rendered for one use of the shortcode, or None when it is not simple."""
    output = []
    position = 0
    trim_next = False
    for match in _ACTION.finditer(template):
        text = template[position : match.start()]
        if trim_next:
            text = text.lstrip()
        if match[1]:
            text = text.rstrip()
        output.append(text)
        position = match.end()
        trim_next = bool(match[3])
        value = _action(match[2], positional=positional, named=named, inner=inner, page=page)
        if value is None:
            return None
        output.append(value)
    tail = template[position:]
    output.append(tail.lstrip() if trim_next else tail)
    return "".join(output).strip()


def _action(action, *, positional, named, inner, page):
    if action.startswith("/*") and action.endswith("*/"):
        return ""  # a comment
    expression, *pipes = [part.strip() for part in action.split("|")]
    if any(pipe not in _PIPES for pipe in pipes):
        return None
    raw = bool(pipes)  # markdownify, safeHTML...: printed as it is, not escaped
    get = _GET.match(expression)
    if get:
        if get[1] is not None:
            index = int(get[1])
            value = positional[index] if index < len(positional) else ""
        else:
            value = named.get(get[2] or get[3], "")
        return value if raw else html.escape(value)
    if _INNER.match(expression):
        if {"markdownify", ".Page.RenderString"} & set(pipes):
            return _markdownify(inner or "")
        return inner or ""  # HTML, or markdown the post's rendering reads (``{{% %}}``)
    page_value = _PAGE.match(expression)
    if page_value:
        key = "title" if page_value[1] == "Title" else page_value[2]
        value = page.get(key) if page.get(key) is not None else page.get(key.lower())
        value = "" if value is None else str(value)
        return value if raw else html.escape(value)
    return None


def _markdownify(text):
    """Hugo's ``markdownify``: markdown to HTML, one paragraph without its ``<p>``."""
    rendered = markdown.markdown(text.strip(), extensions=["extra", "sane_lists"])
    single = re.fullmatch(r"<p>(.*)</p>", rendered, re.DOTALL)
    return single[1] if single and "<p>" not in single[1] else rendered
