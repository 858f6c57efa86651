"""Write a corpus of Jekyll-style posts shaped like the sample posts in fixtures/posts.

Every post has YAML front matter (title, date with time and offset, layout, authors, categories,
tags, keywords, description) and a body that mixes what real posts hold: headings, paragraphs
with emphasis and links, lists, a quote, fenced code in Python or Go, a table, and footnotes.
Lengths vary from about 250 to 1,100 words. The output depends only on the count and the seed.

    python bench/generate_corpus.py 10000 bench/.corpus-10000
"""

import argparse
import random
from pathlib import Path

WORDS = (  # noqa: SIM905 - a paragraph of words reads better than a list of strings
    "the a database query index page cache server reader writer post archive feed search "
    "request response template render markdown python django postgres sqlite redis latency "
    "throughput memory disk network user author editor draft publish schedule review deploy "
    "release migrate backup restore monitor alert metric log trace error warning test build "
    "design layout font colour contrast mobile phone browser screen link image table list "
    "simple fast clear small large careful quiet steady honest useful better worse first last "
    "is are was were has have will would can could should may might does did makes keeps "
    "with without from into over under after before between through because while when where"
).split()
AUTHORS = ["Maya Okafor", "Daniel Brandt", "Priya Raman", "Tomás Herrera", "Lena Fischer"]
CATEGORIES = ["notes", "engineering", "databases", "writing", "product", "operations"]
TAGS = [
    "Python", "Django", "PostgreSQL", "SQLite", "Performance", "Testing", "Markdown", "Writing",
    "Design", "Accessibility", "Caching", "Search", "Deployment", "Go", "Security", "Tooling",
]  # fmt: skip
PYTHON = '''def {name}(items, *, limit=10):
    """Return the first {{limit}} items that pass the check."""
    kept = []
    for item in items:
        if item.score > {number} and item.visible:
            kept.append(item)
        if len(kept) >= limit:
            break
    return kept
'''
GO = """func {name}(ctx context.Context, rows []Row) (int, error) {{
\ttotal := 0
\tfor _, row := range rows {{
\t\tif err := ctx.Err(); err != nil {{
\t\t\treturn total, err
\t\t}}
\t\ttotal += row.Size * {number}
\t}}
\treturn total, nil
}}
"""


def sentence(rng, low=8, high=22):
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        words[index] = f"*{words[index]}*"
    if rng.random() < 0.2:
        index = rng.randrange(len(words))
        words[index] = f"[{words[index]}](https://example.org/{words[index].strip('*')})"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng, footnotes):
    sentences = [sentence(rng) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.25:
        footnotes.append(sentence(rng, 6, 14))
        sentences[-1] += f"[^{len(footnotes)}]"
    return " ".join(sentences)


def body(rng):
    footnotes = []
    blocks = [paragraph(rng, footnotes) for _ in range(rng.randint(1, 2))]
    for section in range(rng.randint(2, 6)):
        blocks.append(f"## {' '.join(rng.choices(WORDS, k=rng.randint(2, 5))).capitalize()}")
        blocks.extend(paragraph(rng, footnotes) for _ in range(rng.randint(1, 3)))
        kind = rng.random()
        if kind < 0.2:
            blocks.append("\n".join(f"- {sentence(rng, 3, 9)}" for _ in range(rng.randint(2, 5))))
        elif kind < 0.35:
            language, template = rng.choice([("python", PYTHON), ("go", GO)])
            code = template.format(name=f"step_{section}", number=rng.randint(1, 99))
            blocks.append(f"```{language}\n{code}```")
        elif kind < 0.45:
            rows = "\n".join(
                f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {rng.choice(WORDS)} |"
                for _ in range(rng.randint(2, 5))
            )
            blocks.append(f"| Name | Count | Note |\n|:-----|------:|------|\n{rows}")
        elif kind < 0.5:
            blocks.append(f"> {sentence(rng)}")
    blocks.extend(f"[^{number}]: {text}" for number, text in enumerate(footnotes, start=1))
    return "\n\n".join(blocks) + "\n"


def post(rng, number):
    year = 2010 + number % 15
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    words = rng.choices(WORDS, k=rng.randint(3, 8))
    title = " ".join(words).capitalize()
    slug = "-".join(words[:6]) + f"-{number}"
    authors = rng.sample(AUTHORS, k=1 if rng.random() < 0.85 else 2)
    tags = rng.sample(TAGS, k=rng.randint(1, 5))
    keywords = rng.sample(WORDS, k=rng.randint(3, 8))
    front_matter = "\n".join(
        [
            "---",
            "layout: post",
            f'title: "{title}"',
            f"date: {year}-{month:02d}-{day:02d} {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}"
            ":00 +0100",
            f"author: [{', '.join(authors)}]" if len(authors) > 1 else f'author: "{authors[0]}"',
            f"categories: [{', '.join(rng.sample(CATEGORIES, k=rng.randint(1, 2)))}]",
            f"tags: [{', '.join(tags)}]",
            f"keywords: [{', '.join(keywords)}]",
            f'description: "{sentence(rng, 10, 18)}"',
            "---",
        ]
    )
    name = f"{year}-{month:02d}-{day:02d}-{slug}.md"
    return name, f"{front_matter}\n\n{body(rng)}"


def generate(out_dir, count, *, seed=2026):
    """Write ``count`` posts into ``out_dir``; return the folder."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for number in range(count):
        name, text = post(rng, number)
        (out_dir / name).write_text(text, encoding="utf-8")
    return out_dir


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    generate(arguments.out_dir, arguments.count, seed=arguments.seed)


if __name__ == "__main__":
    main()
