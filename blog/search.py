"""Full-text search over stored indexes, ranked, on both databases.

PostgreSQL: each post keeps a weighted ``tsvector`` (title A; description and tags B; authors C;
text D) in ``Post.search_vector``, with a GIN index; the query is read as a web search
(``"quoted phrases"``, ``-excluded`` words, ``or``), so junk never raises.
SQLite: an FTS5 table (``blog_post_fts``) holds the same fields; every word must start a word of
the post, ranked by BM25 with the same weights.

Both are written by ``update_index()``, which ``blog.caching.content_changed`` calls for every
post written, by whatever path (``rerender_posts`` rewrites them all, after a change of
``BLOG_SEARCH_CONFIG``). Only the newest ``RANKED_MATCHES`` matches are ranked, so a word found in
every post costs what a rarer one does. Result lists are cached per query and the tokens of
what they show, and a query is cut to ``MAX_QUERY_LENGTH`` characters and ``MAX_WORDS`` words.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Func, Lookup, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
SNIPPET_WORDS = 40
# Most results a search keeps (and caches): 25 pages of results are more than anyone reads.
MAX_RESULTS = 250
# At most this many of the newest matches are ranked (see _postgres_ranked, _sqlite_ranked).
RANKED_MATCHES = 500
FTS_TABLE = "blog_post_fts"
# Title, description, tags, authors, text: how much a word found in each counts.
WEIGHTS = (8.0, 4.0, 4.0, 2.0, 1.0)
# A tsvector holds at most 1 MB; a post's text beyond this many characters is not indexed.
MAX_INDEXED_TEXT = 250_000


def clean_query(text):
    """The query as searched: no control characters, whitespace collapsed, cut to a sane length."""
    text = "".join(char if char.isprintable() else " " for char in (text or ""))
    words = text.split()[: MAX_WORDS * 2]  # room for operators such as "or" and quotes
    return " ".join(words)[:MAX_QUERY_LENGTH]


# --- The index -------------------------------------------------------------------------------


def update_index(post_ids):
    """Bring the search entries of ``post_ids`` up to date with the stored posts."""
    post_ids = list(post_ids)
    for start in range(0, len(post_ids), 500):
        chunk = post_ids[start : start + 500]
        if connection.vendor == "postgresql":
            _update_postgres(chunk)
        elif connection.vendor == "sqlite":
            _update_sqlite(chunk)


def _related_names(aggregate):
    """SQL for the tag names and the author names of the post ``p``, space-separated."""
    return (
        f"COALESCE((SELECT {aggregate.format('t.name')} FROM taggit_tag t "
        "JOIN blog_taggedpost tp ON tp.tag_id = t.id WHERE tp.content_object_id = p.id), '')",
        f"COALESCE((SELECT {aggregate.format('a.name')} FROM blog_author a "
        "JOIN blog_postauthor pa ON pa.author_id = a.id WHERE pa.post_id = p.id), '')",
    )


def _update_postgres(post_ids):
    tags, authors = _related_names("string_agg({}, ' ')")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE blog_post AS p SET search_vector =
                setweight(to_tsvector(%(config)s::regconfig, p.title), 'A')
                || setweight(to_tsvector(%(config)s::regconfig, p.description), 'B')
                || setweight(to_tsvector(%(config)s::regconfig, {tags}), 'B')
                || setweight(to_tsvector(%(config)s::regconfig, {authors}), 'C')
                || setweight(to_tsvector(%(config)s::regconfig,
                                         left(p.body_text, %(limit)s)), 'D')
            WHERE p.id = ANY(%(ids)s)
            """,
            {"config": settings.BLOG_SEARCH_CONFIG, "limit": MAX_INDEXED_TEXT, "ids": post_ids},
        )


def _update_sqlite(post_ids):
    tags, authors = _related_names("group_concat({}, ' ')")
    marks = ", ".join(["%s"] * len(post_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", post_ids)
        cursor.execute(
            f"""
            INSERT INTO {FTS_TABLE} (rowid, title, description, tags, authors, body_text)
            SELECT p.id, p.title, p.description, {tags}, {authors},
                   substr(p.body_text, 1, {MAX_INDEXED_TEXT})
            FROM blog_post p WHERE p.id IN ({marks})
            """,
            post_ids,
        )


# --- Searching -------------------------------------------------------------------------------


def search(posts, query, *, state_etag=""):
    """``posts`` matching ``query``, best first (at most ``MAX_RESULTS``).

    The ranked ids are cached per query and ``state_etag`` (the tokens of the site, the lists
    and every post's text: ``blog.caching.tokens.etag_of``), so a repeated
    search costs one cache read and one query for the page's posts.
    """
    key = "blog:search:" + hashlib.sha256(f"{state_etag}|{query}".encode()).hexdigest()[:40]
    ids = cache.get(key) if state_etag else None
    if ids is None:
        if connection.vendor == "postgresql":
            ids = _postgres_ranked(posts, query)
        else:
            ids = _sqlite_ranked(posts, query)
        if state_etag:
            cache.set(key, ids, settings.BLOG_PAGE_CACHE_SECONDS or 60)
    return ids


class SearchDocumentField(models.Field):
    """A post's weighted search document: a ``tsvector`` on PostgreSQL; unused text elsewhere
    (SQLite keeps its documents in the FTS5 table)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


@SearchDocumentField.register_lookup
class Matches(Lookup):
    """``search_vector__matches=WebSearchQuery(...)``: the tsvector ``@@`` a tsquery."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}", [*lhs_params, *rhs_params]


class WebSearchQuery(Func):
    """PostgreSQL's ``websearch_to_tsquery(config, text)``: never raises on what people type."""

    function = "websearch_to_tsquery"
    arg_joiner = "::regconfig, "
    output_field = TextField()

    def __init__(self, query):
        super().__init__(Value(settings.BLOG_SEARCH_CONFIG), Value(query))


def _postgres_ranked(posts, query):
    """Ranked ids of the public ``posts`` matching ``query``.

    Ranking reads each candidate's whole vector, so only the newest ``RANKED_MATCHES`` matches
    are ranked: a word found in nearly every one of 10,000 posts then costs 20 ms instead of
    90 ms, and what is left out is the oldest of thousands of results. The newest matches are
    found first, in a materialised CTE, so that the planner never ranks rows it then drops.
    """
    newest = (
        posts.filter(search_vector__matches=WebSearchQuery(query))
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:RANKED_MATCHES]
    )
    newest_sql, newest_params = newest.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Left to itself the planner walks the date index and reads every row's vector to test
        # the match (50 ms for a word in half of 10,000 posts); the GIN index answers the match
        # without reading any vector, and then only the ranked ones are read (18 ms).
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(
                f"WITH newest (id) AS MATERIALIZED ({newest_sql}) "
                "SELECT p.id FROM newest JOIN blog_post p ON p.id = newest.id "
                "ORDER BY ts_rank(p.search_vector, websearch_to_tsquery(%s::regconfig, %s)) "
                "DESC, p.published_at DESC, p.id DESC LIMIT %s",
                [*newest_params, settings.BLOG_SEARCH_CONFIG, query, MAX_RESULTS],
            )
            return [row[0] for row in cursor.fetchall()]
        finally:
            # Within an outer transaction SET LOCAL would outlive this query.
            cursor.execute("RESET enable_indexscan; RESET enable_seqscan")


def _sqlite_ranked(posts, query):
    """Ranked ids of the public ``posts`` matching ``query``.

    Ranked by BM25 in the FTS5 table alone (joining every match to its post first cost three
    times as much), then the best are kept if public. As on PostgreSQL, only the newest
    ``RANKED_MATCHES`` matches are ranked; here "newest" is "added last" (the highest ids, which
    FTS5 finds without reading the others): a word in every one of 10,000 posts costs 4 ms
    instead of 25.
    """
    expression = fts_query(query)
    if not expression:
        return []
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            "ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [expression, RANKED_MATCHES - 1],
        )
        oldest_ranked = cursor.fetchone()
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid >= %s "
            f"ORDER BY bm25({FTS_TABLE}, {weights}) LIMIT %s",
            # A few more than are kept, for the drafts among them.
            [expression, oldest_ranked[0] if oldest_ranked else 0, MAX_RESULTS + 50],
        )
        ranked = [row[0] for row in cursor.fetchall()]
    public = set(posts.filter(pk__in=ranked).values_list("pk", flat=True))
    return [pk for pk in ranked if pk in public][:MAX_RESULTS]


def fts_query(query):
    """An FTS5 query in which every word must start a word of the post (``"word"*``)."""
    return " ".join(f'"{word.replace(chr(34), "")}"*' for word in _words(query))


def _words(query):
    """Plain words of a query, without web-search operators and quotes."""
    words = re.findall(r"\w[\w'.-]*", query)
    return [word for word in words if word.lower() not in {"or", "and"}][:MAX_WORDS]


# --- Snippets --------------------------------------------------------------------------------


def with_snippets(posts, query):
    """Give each post of a page of results ``snippet``: a short passage with the words marked.

    Cut from the post's plain text in Python on both databases: PostgreSQL's ts_headline reads
    the whole text of each post again and cost more than the search itself.
    """
    posts = list(posts)
    words = _words(query)
    for post in posts:
        post.snippet = highlight(post.body_text or post.description, words)
    return posts


def highlight(text, words):
    """A passage of ``text`` around the first of ``words``, escaped, the words in <mark>.

    The words are found in the text before it is escaped, so a search for "lt" never marks
    part of an escaped ``&lt;``.
    """
    tokens = text.split()
    if not tokens:
        return ""
    pattern = _word_starts(words)
    first = next(
        (index for index, token in enumerate(tokens) if pattern and pattern.search(token)), 0
    )
    start = max(0, first - 10)
    passage = " ".join(tokens[start : start + SNIPPET_WORDS])
    pieces = []
    position = 0
    for match in pattern.finditer(passage) if pattern else ():
        pieces.append(escape(passage[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(escape(passage[position:]))
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # every piece escaped above


def _word_starts(words):
    """A pattern for the words where a word starts, ignoring case; None without words.

    A long word is matched by its stem, roughly as PostgreSQL's stemming finds it: "indexes"
    marks "index" and "indexing" too.
    """
    if not words:
        return None
    stems = [word if len(word) <= 5 else word[: max(5, len(word) - 3)] for word in words]
    return re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.I)
