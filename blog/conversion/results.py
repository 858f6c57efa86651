"""What conversion works with and gives back, apart from the converters: importing this does
not load python-liquid (60 ms of every command's start-up), which only posts that use Liquid
need. No Django here."""

from dataclasses import dataclass, field


@dataclass
class TemplateSite:
    """What a Jekyll site gives its templates: ``site.*`` (the configuration, ``site.data``),
    and the ``_includes`` that ``include`` may read."""

    config: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    includes: dict = field(default_factory=dict)  # path below _includes/ → text
    site_url: str = ""  # this site's address, for absolute_url


@dataclass
class Converted:
    text: str
    warnings: list = field(default_factory=list)  # (line, message)


# What Markdown, its smart quotes or an HTML reader would change in template text kept as
# written: as character references, the text reaches the reader as it was typed.
_VERBATIM = str.maketrans({char: f"&#{ord(char)};" for char in "&<>\"'*_`[]\\|~"})


def verbatim(text):
    """``text`` as Markdown source that shows exactly ``text``."""
    return text.translate(_VERBATIM)
