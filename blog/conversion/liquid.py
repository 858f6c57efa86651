"""Jekyll's Liquid, run on a post's markdown before it is rendered, as Jekyll runs it.

python-liquid (a maintained implementation of Shopify's Liquid) does the language: variables,
filters, ``assign``, ``capture``, ``if``, ``for``, ``raw``, ``comment``. This module adds what
Jekyll adds: the ``site`` and ``page`` variables, Jekyll's tags (``highlight``, ``post_url``,
``link``, ``include`` of the site's ``_includes``) and filters (``relative_url``,
``absolute_url``, ``jsonify``...). It runs sandboxed: templates come only from the site's stored
includes (no file access), loops and output are bounded.

What cannot run (a tag of a plugin, an error in the template) stays in the text as it was, and
a warning names the line, so that an owner sees it and nothing is silently lost.

No Django and no database here.
"""

import datetime as dt
import html
import json
import re
from urllib.parse import quote

from liquid import DictLoader, Environment, Undefined
from liquid.ast import Node
from liquid.exceptions import LiquidError, TemplateNotFoundError
from liquid.parser import get_parser
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG

from blog.conversion.results import Converted, verbatim

# Where links to other files of the old site lead: the site answers these addresses with a 301
# to the content imported from that file, wherever it is served now (``blog.views``).
SOURCE_LINK_PREFIX = "/-/source/"
POST_LINK_PREFIX = "/-/post/"


_TEMPLATE_SPAN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)


def uses_liquid(text):
    return "{%" in text or "{{" in text


def render_liquid(text, *, site, page):
    """``text`` with its Liquid run, and what could not run (each kept as written)."""
    if not uses_liquid(text):
        return Converted(text)
    warnings = []
    runnable = _keep_unknown_tags(text, warnings)
    environment = _environment(site, warnings)
    try:
        rendered = environment.from_string(runnable).render(
            site={**site.config, "data": site.data, "url": site.site_url, "baseurl": ""},
            page=page,
            # What a published Jekyll site was built with (JEKYLL_ENV=production).
            jekyll={"environment": "production", "version": "4.3.1"},
        )
    except LiquidError as error:
        line = _line_of(error)
        problem = str(error).split("\n", 1)[0]
        warnings.append((line, f"Liquid could not run, so it is shown as written: {problem}"))
        return Converted(_shown_as_written(text), warnings)
    except Exception as error:  # a fault here must cost a post its Liquid, never its import
        warnings.append((None, f"Liquid could not run, so it is shown as written: {error!r}"))
        return Converted(_shown_as_written(text), warnings)
    return Converted(rendered, warnings)


# --- Tags Jekyll adds -----------------------------------------------------------------------

KNOWN_TAGS = {
    "assign",
    "capture",
    "case",
    "comment",
    "cycle",
    "decrement",
    "echo",
    "for",
    "if",
    "ifchanged",
    "include",
    "increment",
    "liquid",
    "raw",
    "render",
    "tablerow",
    "unless",
    "highlight",
    "post_url",
    "link",
    "when",
    "else",
    "elsif",
    "break",
    "continue",
}
_TAG = re.compile(r"\{%-?\s*(end)?(\w+)(.*?)-?%\}", re.DOTALL)


def _keep_unknown_tags(text, warnings):
    """Tags no one here knows (a plugin's, a theme's) are kept as text, each with a warning."""
    raw_depth = 0

    def keep(match):
        nonlocal raw_depth
        name = match[2]
        if name == "raw":
            raw_depth += -1 if match[1] else 1
        if raw_depth or name in KNOWN_TAGS:
            return match[0]
        line = text.count("\n", 0, match.start()) + 1
        warnings.append((line, f"the Liquid tag '{name}' is not known here: shown as written"))
        return "{% raw %}" + verbatim(match[0]) + "{% endraw %}"

    return _TAG.sub(keep, text)


def _shown_as_written(text):
    """A template that could not run, its tags and outputs shown exactly as typed."""
    return _TEMPLATE_SPAN.sub(lambda match: verbatim(match[0]), text)


class _ExpressionTag(Tag):
    """A Jekyll tag that takes its arguments as text (``{% post_url 2010-07-21-name %}``)."""

    block = False

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        # The parser moves past the tag's last token itself.
        argument = stream.current.value.strip() if stream.current.kind == TOKEN_EXPRESSION else ""
        return _TextNode(token, self.output(argument))

    def output(self, argument):
        raise NotImplementedError


class _TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, token, text):
        super().__init__(token)
        self.text = text
        self.blank = False

    def __str__(self):
        return self.text

    def render_to_output(self, context, buffer):
        return buffer.write(self.text)


class PostUrlTag(_ExpressionTag):
    """``{% post_url 2010-07-21-name %}``: the address of that post, whatever it is now."""

    name = "post_url"

    def output(self, argument):
        return POST_LINK_PREFIX + quote(argument.strip("/"), safe="/")


class LinkTag(_ExpressionTag):
    """``{% link _posts/2016-07-26-name.md %}``: the address of that file's content."""

    name = "link"

    def output(self, argument):
        return SOURCE_LINK_PREFIX + quote(argument.strip("/"), safe="/")


class HighlightTag(Tag):
    """``{% highlight ruby linenos %}…{% endhighlight %}``: a fenced code block, which the
    renderer highlights with Pygments (its text is not read as markdown)."""

    name = "highlight"
    end = "endhighlight"

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        words = []
        if stream.current.kind == TOKEN_EXPRESSION:
            words = stream.current.value.split()
            stream.next_token()
        block = get_parser(self.env).parse_block(stream, frozenset((self.end, TOKEN_EOF)))
        stream.expect(TOKEN_TAG, value=self.end)
        language = re.sub(r"[^\w+#.-]", "", words[0]) if words else ""
        return _HighlightNode(token, language, "linenos" in words[1:], block)


class _HighlightNode(Node):
    __slots__ = ("block", "language", "line_numbers")

    def __init__(self, token, language, line_numbers, block):
        super().__init__(token)
        self.language = language
        self.line_numbers = line_numbers
        self.block = block
        self.blank = False

    def __str__(self):
        return f"{{% highlight {self.language} %}}{self.block}{{% endhighlight %}}"

    def render_to_output(self, context, buffer):
        inner = context.get_buffer(buffer)
        self.block.render(context, inner)
        code = inner.getvalue().strip("\n")
        fence = "~~~~" if "~~~" in code else "~~~"
        header = self.language
        if self.line_numbers:  # {% highlight ruby linenos %}: numbered lines
            header = "{" + (f".{self.language} " if self.language else "") + 'linenums="1"}'
        return buffer.write(f"\n\n{fence} {header}\n{code}\n{fence}\n\n")

    def children(self, static_context, *, include_partials=True):
        yield self.block


class IncludeTag(_ExpressionTag):
    """Jekyll's ``{% include file.html key="value" key2=variable %}``, from the site's stored
    ``_includes``: the file is rendered with ``include.key`` set."""

    name = "include"
    _ARGUMENT = re.compile(r"""(\w+)\s*=\s*("[^"]*"|'[^']*'|[\w.\[\]'"-]+)""")

    def parse(self, stream):
        token = stream.eat(TOKEN_TAG)
        argument = stream.current.value.strip() if stream.current.kind == TOKEN_EXPRESSION else ""
        name, _, rest = argument.partition(" ")
        return _IncludeNode(token, name, self._ARGUMENT.findall(rest), argument)


class _IncludeNode(Node):
    __slots__ = ("arguments", "name", "written")

    def __init__(self, token, name, arguments, written):
        super().__init__(token)
        self.name = name
        self.arguments = arguments
        self.written = written
        self.blank = False

    def __str__(self):
        return f"{{% include {self.written} %}}"

    def render_to_output(self, context, buffer):
        values = {}
        for key, expression in self.arguments:
            if expression[:1] in "'\"":
                values[key] = expression[1:-1]
            else:  # a variable: page.title, include.x
                value = context.get(expression.split("."), token=self.token, default=None)
                values[key] = None if isinstance(value, Undefined) else value
        try:
            template = context.env.get_template(self.name)
        except TemplateNotFoundError:
            context.env.conversion_warnings.append(
                (
                    _line(self.token),
                    f"the include '{self.name}' is not in the site's _includes: shown as written",
                )
            )
            return buffer.write(verbatim(str(self)))
        with context.extend({"include": values}):
            template.render_with_context(context, buffer, partial=True)
        return True


# --- Filters Jekyll adds ----------------------------------------------------------------------


def _filters(site):
    def relative_url(value):
        return str(value or "")

    def absolute_url(value):
        value = str(value or "")
        return value if "://" in value else site.site_url.rstrip("/") + "/" + value.lstrip("/")

    def jsonify(value):
        return json.dumps(value, default=str, ensure_ascii=False)

    def slugify(value, mode="default"):
        from blog.parsing.jekyll import jekyll_slugify

        return jekyll_slugify(str(value), pretty=mode == "pretty")

    def date_to_xmlschema(value):
        moment = _as_datetime(value)
        return moment.isoformat() if moment else ""

    def date_to_string(value, *_):
        moment = _as_datetime(value)
        return f"{moment.day:02d} {moment:%b %Y}" if moment else ""

    def date_to_long_string(value, *_):
        moment = _as_datetime(value)
        return f"{moment.day:02d} {moment:%B %Y}" if moment else ""

    def where(items, key, value):
        return [item for item in items or [] if _get(item, key) == value]

    def group_by(items, key):
        groups = {}
        for item in items or []:
            groups.setdefault(str(_get(item, key) or ""), []).append(item)
        return [
            {"name": name, "items": members, "size": len(members)}
            for name, members in groups.items()
        ]

    def number_of_words(value):
        return len(str(value or "").split())

    def array_to_sentence_string(items, connector="and"):
        items = [str(item) for item in items or []]
        if len(items) <= 2:
            return f" {connector} ".join(items)
        return ", ".join(items[:-1]) + f", {connector} {items[-1]}"

    return {
        "relative_url": relative_url,
        "absolute_url": absolute_url,
        "jsonify": jsonify,
        "slugify": slugify,
        "xml_escape": lambda value: html.escape(str(value or "")),
        "cgi_escape": lambda value: quote(str(value or ""), safe=""),
        "uri_escape": lambda value: quote(str(value or ""), safe="/:?&=#"),
        "markdownify": lambda value: str(value or ""),  # the post is markdown: it is rendered
        "smartify": lambda value: str(value or ""),
        "normalize_whitespace": lambda value: " ".join(str(value or "").split()),
        "date_to_xmlschema": date_to_xmlschema,
        "date_to_rfc822": lambda value: (
            _as_datetime(value).strftime("%a, %d %b %Y %H:%M:%S %z") if _as_datetime(value) else ""
        ),
        "date_to_string": date_to_string,
        "date_to_long_string": date_to_long_string,
        "where": where,
        "group_by": group_by,
        "number_of_words": number_of_words,
        "array_to_sentence_string": array_to_sentence_string,
        "inspect": lambda value: repr(value),
    }


def _get(item, key):
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _as_datetime(value):
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


# --- The sandboxed environment -------------------------------------------------------------------


class _Sandboxed(Environment):
    loop_iteration_limit = 100_000
    output_stream_limit = 5 * 1024 * 1024
    local_namespace_limit = 10 * 1024 * 1024


def _environment(site, warnings):
    environment = _Sandboxed(loader=DictLoader(site.includes), undefined=Undefined)
    environment.conversion_warnings = warnings  # what tags could not do, (line, text)
    for tag in (PostUrlTag, LinkTag, HighlightTag, IncludeTag):
        environment.add_tag(tag)
    for name, function in _filters(site).items():
        environment.add_filter(name, function)
    return environment


def _line_of(error):
    token = getattr(error, "token", None)
    return _line(token) if token is not None else None


def _line(token):
    if getattr(token, "source", None) is None:
        return None
    return token.source.count("\n", 0, token.start_index) + 1
