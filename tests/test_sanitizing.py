"""XSS payloads through the renderer must come out harmless.

"Harmless" is checked structurally: the output is parsed as HTML and every element, attribute
and URL must be on the allow-list. Payloads come from our own list below and, when present, the
public lists in ../shared/xss/.
"""

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    _markdown,
    render_markdown,
    sanitize_html,
)

URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "background", "poster", "srcset"}
SAFE_SCHEMES = {"http:", "https:", "mailto:", "tel:", "ftp:", "ftps:", "irc:", "ircs:", "xmpp:"}

OUR_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background-image:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![img](javascript:alert(1))",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<form action="https://evil.example"><input name="q"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    '<p onmouseover="alert(1)">hover</p>',
    "Paragraph\n{: onclick=alert(1) }",
    'Paragraph\n{: style="background:url(javascript:alert(1))" }',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<<script>script>alert(1)<</script>/script>",
    '<video><source onerror="alert(1)"></video>',
    '<a href=" javascript:alert(1)">space</a>',
    "<marquee onstart=alert(1)>x</marquee>",
]


# Payloads that markdown itself already defuses (a quote inside a link target, backticks as
# attribute quotes): kept, so that a change of markdown engine or options is caught.
MARKDOWN_PAYLOADS = [
    '![img](x" onerror="alert(1))',
    "<img src=`x` onerror=alert(1)>",
    '[x](https://ok.example "title" onclick="alert(1)")',
]


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        for name, value in attrs:
            if name == "class":
                unknown = set((value or "").split()) - ALLOWED_CLASSES.get(tag, set())
                if unknown:
                    self.problems.append(f"classes {sorted(unknown)} on <{tag}>")
            elif name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                # What a browser's URL parser does first: drop tabs and newlines anywhere, and
                # control characters and spaces at both ends.
                url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33)))).lower()
                scheme = re.match(r"[a-z][a-z0-9+.-]*:", url)
                if scheme and scheme.group(0) not in SAFE_SCHEMES:
                    self.problems.append(f"URL {value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def problems_in(html):
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def assert_harmless(payload):
    rendered = render_markdown(payload, excerpt=payload)
    for html in (rendered.body_html, rendered.excerpt_html, rendered.toc_html):
        assert problems_in(html) == [], f"payload {payload!r} gave {html!r}"
        lowered = html.lower()
        assert "<script" not in lowered
        assert "<style" not in lowered


@pytest.mark.parametrize("payload", OUR_PAYLOADS)
def test_each_of_our_payloads_is_dangerous_without_the_sanitizer(payload):
    """Markdown alone lets every payload through: each one tests the sanitizer, not nothing."""
    unsanitized = _markdown().convert(payload)
    lowered = unsanitized.lower()
    assert problems_in(unsanitized) or "<script" in lowered or "<style" in lowered


@pytest.mark.parametrize("payload", OUR_PAYLOADS + MARKDOWN_PAYLOADS)
def test_our_payloads_come_out_harmless(payload):
    assert_harmless(payload)


def _shared_payloads(shared_dir, name):
    path = shared_dir / "xss" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return [json.loads(line)["payload"] for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["owasp-xss-filter-evasion.jsonl", "markdown-xss-payloads.jsonl"])
def test_public_payload_lists_come_out_harmless(shared_dir, name):
    payloads = _shared_payloads(shared_dir, name)
    assert len(payloads) > 30
    for payload in payloads:
        assert_harmless(payload)


def test_what_the_extensions_produce_survives_sanitizing():
    text = (
        "## Head\n\nText[^1] with HTML.\n\n| a |\n|--:|\n| 1 |\n\n```python\nx = 1\n```\n\n"
        "Term\n:   Def\n\n!!! note\n    Hi\n\n*[HTML]: Markup\n\n[^1]: Note."
    )
    import markdown

    from blog.rendering import EXTENSION_CONFIGS, EXTENSIONS

    raw = markdown.markdown(
        text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    # Entities may be spelled differently (&#160; or &nbsp;); the markup must be the same.
    assert unescape(sanitize_html(raw)) == unescape(raw)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                '"',
                "'",
                "=",
                "script",
                "img",
                "on",
                "error",
                "javascript:",
                "&#",
                "x",
                " ",
                "\n",
                "[",
                "]",
                "(",
                ")",
                "!",
                "`",
                "/",
                "svg",
                "a href",
                "data:",
                "{:",
                "}",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_fuzzed_fragments_come_out_harmless(payload):
    assert_harmless(payload)
