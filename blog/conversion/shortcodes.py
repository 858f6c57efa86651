"""Hugo's shortcodes, converted to the markdown and HTML they stand for, as Hugo 0.168 renders
its built-in ones.

``{{< name args >}}`` shortcodes give HTML, ``{{% name args %}}`` ones give markdown, and either
may enclose text up to ``{{< /name >}}``. The built-ins (``figure``, ``highlight``, ``ref``,
``relref``, ``param``, ``youtube``, ``vimeo``, ``gist``, ``x``/``tweet``, ``instagram``,
``details``) are converted here, and so are a site's own (``layouts/shortcodes/``) whose template
is simple enough (``go_templates``); any other is kept as written and reported, with its line.
``{{</* name */>}}`` is Hugo's way to write a shortcode as text, and stays text.

No Django and no database here.
"""

import html
import re
import shlex
from urllib.parse import quote

from blog.conversion import go_templates
from blog.conversion.results import Converted, verbatim

# Where a `ref` or `relref` leads: the site answers these addresses with a 301 to the content
# imported from that file, wherever it is served (``blog.views``).
REF_LINK_PREFIX = "/-/ref/"

_SHORTCODE = re.compile(
    r"\{\{(?P<open>[<%])\s*(?P<comment>/\*)?\s*(?P<closing>/)?\s*(?P<name>[\w./-]+)"
    r"(?P<arguments>(?:\"[^\"]*\"|`[^`]*`|[^>%\"`])*?)\s*(?P<self>/)?\s*(?P<endcomment>\*/)?"
    r"\s*(?P<close>[>%])\}\}",
    re.DOTALL,
)


def render_shortcodes(text, *, site, page):
    """``text`` with Hugo's built-in shortcodes converted, and (line, text) warnings for the
    ones kept as written."""
    if "{{<" not in text and "{{%" not in text:
        return Converted(text)
    warnings = []
    converter = _Converter(text, site=site, page=page, warnings=warnings)
    return Converted(converter.convert(), warnings)


class _Converter:
    def __init__(self, text, *, site, page, warnings):
        self.text = text
        self.site = site
        self.page = page
        self.warnings = warnings

    def convert(self):
        output = []
        position = 0
        for match in _SHORTCODE.finditer(self.text):
            if match.start() < position:
                continue  # inside an enclosing shortcode already converted
            output.append(self.text[position : match.start()])
            position = match.end()
            if match["comment"]:  # {{</* name */>}}: the shortcode as text
                written = re.sub(r"^\{\{([<%])\s*/\*\s*", r"{{\1 ", match[0])
                output.append(re.sub(r"\s*\*/\s*([>%])\}\}$", r" \1}}", written))
                continue
            if match["closing"]:
                output.append(match[0])
                self.warn(match, f"a closing '{match['name']}' shortcode without its opening")
                continue
            inner = None
            if not match["self"]:
                end = re.compile(
                    r"\{\{[<%]\s*/\s*" + re.escape(match["name"]) + r"\s*[>%]\}\}"
                ).search(self.text, match.end())
                if end is not None and self._encloses(match["name"]):
                    inner = self.text[match.end() : end.start()]
                    position = end.end()
            converted = self.shortcode(match, inner)
            if converted is None:
                output.append(_kept(match, inner))
                self.warn(
                    match,
                    f"the shortcode '{match['name']}' is neither Hugo's nor in the site's "
                    "layouts/shortcodes/: shown as written",
                )
            else:
                output.append(converted)
        output.append(self.text[position:])
        return "".join(output)

    def _encloses(self, name):
        template = self.site.includes.get(name)
        if template is not None:
            return ".Inner" in template
        return name in ENCLOSING or name not in BUILT_INS

    def warn(self, match, text):
        self.warnings.append((self.text.count("\n", 0, match.start()) + 1, text))

    def shortcode(self, match, inner):
        name = match["name"]
        positional, named = _arguments(match["arguments"])
        template = self.site.includes.get(name)  # the site's own, which Hugo prefers
        if template is not None:
            rendered = go_templates.render(
                template, positional=positional, named=named, inner=inner, page=self.page
            )
            if rendered is None:
                self.warn(
                    match,
                    f"the site's shortcode '{name}' uses more of Go's templates than this site "
                    "runs: shown as written",
                )
                return _kept(match, inner)
            return _block(rendered) if _BLOCK_START.match(rendered) else rendered
        function = BUILT_INS.get(name)
        if function is None:
            return None
        try:
            return function(self, positional, named, inner)
        except (IndexError, KeyError):
            return None


_BLOCK_START = re.compile(
    r"<(?:div|figure|aside|section|table|blockquote|details|p|ul|ol|pre|iframe|video|audio)\b"
)


def _closing(match):
    return "{{" + match["open"] + " /" + match["name"] + " " + match["close"] + "}}"


def _kept(match, inner):
    """A shortcode shown as written: its tags exactly as typed (never read as HTML, never given
    curly quotes), and the text it encloses, which is the post's own."""
    if inner is None:
        return verbatim(match[0])
    return verbatim(match[0]) + inner + verbatim(_closing(match))


def _arguments(text):
    """Positional and named arguments: ``"a b" c`` or ``src="x" alt="y"``."""
    positional, named = [], {}
    try:
        words = shlex.split(text.replace("`", '"'), posix=True)
    except ValueError:
        words = text.split()
    for word in words:
        key, equals, value = word.partition("=")
        if equals and re.fullmatch(r"[\w-]+", key):
            named[key] = value
        else:
            positional.append(word)
    return positional, named


def _attribute(value):
    return html.escape(str(value), quote=True)


def _block(html_text):
    """HTML that markdown keeps as a block: blank lines around it."""
    return f"\n\n{html_text}\n\n"


def figure(converter, positional, named, inner):
    source = named.get("src") or positional[0]
    image = f'<img src="{_attribute(source)}"'
    for key in ("alt", "width", "height", "loading"):
        if named.get(key):
            image += f' {key}="{_attribute(named[key])}"'
    image += ">"
    if named.get("link"):
        image = f'<a href="{_attribute(named["link"])}">{image}</a>'
    caption = ""
    if named.get("title") or named.get("caption"):
        title = f"<h4>{html.escape(named['title'])}</h4>" if named.get("title") else ""
        text = f"<p>{html.escape(named['caption'])}</p>" if named.get("caption") else ""
        caption = f"<figcaption>{title}{text}</figcaption>"
    css = f' class="{_attribute(named["class"])}"' if named.get("class") else ""
    return _block(f"<figure{css}>{image}{caption}</figure>")


def highlight(converter, positional, named, inner):
    language = re.sub(r"[^\w+#.-]", "", positional[0]) if positional else ""
    code = (inner or "").strip("\n")
    fence = "~~~~" if "~~~" in code else "~~~"
    return f"\n\n{fence} {language}\n{code}\n{fence}\n\n"


def ref(converter, positional, named, inner):
    target = (named.get("path") or positional[0]).strip()
    path, _, anchor = target.partition("#")
    link = REF_LINK_PREFIX + quote(path.strip("/"), safe="/")
    return link + (f"#{anchor}" if anchor else "")


def param(converter, positional, named, inner):
    name = positional[0]
    value = converter.page.get(name)
    if value is None:
        params = converter.site.config.get("params") or {}
        value = params.get(name.lower()) if isinstance(params, dict) else None
    return "" if value is None else str(value)


def _embed(source, title):
    return _block(
        f'<iframe src="{_attribute(source)}" title="{_attribute(title)}" loading="lazy" '
        'allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )


def youtube(converter, positional, named, inner):
    video = named.get("id") or positional[0]
    title = named.get("title") or "YouTube video"
    return _embed(f"https://www.youtube-nocookie.com/embed/{quote(video)}", title)


def vimeo(converter, positional, named, inner):
    video = named.get("id") or positional[0]
    title = named.get("title") or "Vimeo video"
    return _embed(f"https://player.vimeo.com/video/{quote(video)}?dnt=1", title)


def gist(converter, positional, named, inner):
    user, gist_id = positional[0], positional[1]
    address = f"https://gist.github.com/{quote(user)}/{quote(gist_id)}"
    return f"[{address}]({address})"


def post_on(site_name, address_format):
    def shortcode(converter, positional, named, inner):
        user = named.get("user") or positional[0]
        post_id = named.get("id") or positional[-1]
        address = address_format.format(user=quote(user), id=quote(post_id))
        return f"[A post on {site_name}]({address})"

    return shortcode


def instagram(converter, positional, named, inner):
    address = f"https://www.instagram.com/p/{quote(named.get('id') or positional[0])}/"
    return f"[A post on Instagram]({address})"


def details(converter, positional, named, inner):
    summary = html.escape(named.get("summary") or "Details")
    opened = " open" if named.get("open") in ("true", "1") else ""
    return _block(
        f'<details{opened} markdown="1">\n<summary>{summary}</summary>\n\n{inner or ""}\n\n'
        "</details>"
    )


BUILT_INS = {
    "figure": figure,
    "highlight": highlight,
    "ref": ref,
    "relref": ref,
    "param": param,
    "youtube": youtube,
    "vimeo": vimeo,
    "gist": gist,
    "x": post_on("X", "https://x.com/{user}/status/{id}"),
    "tweet": post_on("X", "https://x.com/{user}/status/{id}"),
    "instagram": instagram,
    "details": details,
}
ENCLOSING = {"highlight", "details"}
