"""Full-text search: PostgreSQL's ranked search where it runs, a plain fallback elsewhere.

On PostgreSQL the title weighs most (A), then the description and tags (B), then the body (D);
the query is read as a web search (``"quoted phrases"``, ``-excluded`` words, ``or``), so junk
never raises. Elsewhere (SQLite) every word must appear in the title, description, body or a tag,
and posts rank by where the words were found. Both highlight the words in a short snippet.
"""

import re

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog.models import TaggedPost

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
SNIPPET_WORDS = 40
# PostgreSQL marks the found words with these; they are swapped for <mark> after escaping.
_START, _STOP = "\u2063\u2063[", "]\u2063\u2063"


def clean_query(text):
    """The query as searched: whitespace collapsed, cut to a sane length."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def search(posts, query):
    """``posts`` matching ``query``, best first, each with ``snippet`` HTML when listed."""
    if connection.vendor == "postgresql":
        return _postgres_search(posts, query)
    return _simple_search(posts, query)


def _tag_names():
    from django.contrib.postgres.aggregates import StringAgg

    return Coalesce(
        Subquery(
            TaggedPost.objects.filter(content_object=OuterRef("pk"))
            .values("content_object")
            .annotate(names=StringAgg("tag__name", delimiter=" "))
            .values("names")
        ),
        Value(""),
        output_field=TextField(),
    )


def _postgres_search(posts, query):
    # Imported here: django.contrib.postgres needs psycopg, which SQLite sites need not install.
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    config = settings.BLOG_SEARCH_CONFIG
    search_query = SearchQuery(query, search_type="websearch", config=config)
    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("description", weight="B", config=config)
        + SearchVector(_tag_names(), weight="B", config=config)
        + SearchVector("body_text", weight="D", config=config)
    )
    return (
        posts.alias(document=vector)
        .filter(document=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline=SearchHeadline(
                "body_text",
                search_query,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=SNIPPET_WORDS,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at")
    )


def _simple_search(posts, query):
    """Every word must start a word of the title, description, text or a tag (SQLite's REGEXP
    is Python's ``re``, which Django registers)."""
    words = _words(query)
    if not words:
        return posts.none()
    score = Value(0)
    for word in words:
        # Words that start with what was typed: "index" finds "indexes"; "go" finds "good" but
        # not "ago" or "django".
        starts = rf"\b{re.escape(word)}"
        in_title = Q(title__iregex=starts)
        in_description = Q(description__iregex=starts)
        in_body = Q(body_text__iregex=starts)
        in_tags = Exists(
            TaggedPost.objects.filter(content_object=OuterRef("pk"), tag__name__iregex=starts)
        )
        posts = posts.filter(in_title | in_description | in_body | in_tags)
        for condition, weight in (
            (in_title, 8),
            (in_description, 4),
            (in_tags, 4),
            (in_body, 1),
        ):
            score = score + Case(When(condition, then=Value(weight)), default=Value(0))
    return posts.annotate(rank=score).order_by("-rank", "-published_at")


def _words(query):
    """Plain words of a query, without web-search operators and quotes."""
    words = re.findall(r"\w[\w'.-]*", query)
    return [word for word in words if word.lower() not in {"or", "and"}][:MAX_WORDS]


def snippet(post, query):
    """A short passage of the post around the words searched for, with them in <mark>."""
    headline = getattr(post, "headline", None)
    if headline:
        marked = (
            escape(headline).replace(escape(_START), "<mark>").replace(escape(_STOP), "</mark>")
        )
        return mark_safe(marked)  # escaped above; only <mark> is added
    return _highlight(post.body_text or post.description, _words(query))


def _highlight(text, words):
    tokens = text.split()
    if not tokens:
        return ""
    pattern = _word_starts(words)
    first = next(
        (index for index, token in enumerate(tokens) if pattern and pattern.search(token)), 0
    )
    start = max(0, first - 10)
    passage = " ".join(tokens[start : start + SNIPPET_WORDS])
    marked = escape(passage)
    escaped = _word_starts([escape(word) for word in words])
    if escaped:
        marked = escaped.sub(lambda match: f"<mark>{match.group(0)}</mark>", marked)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return mark_safe(f"{prefix}{marked}{suffix}")  # escaped above


def _word_starts(words):
    """A pattern for the words where a word starts, ignoring case; None without words."""
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + ")", re.IGNORECASE)
