"""Benchmark the render pipeline against bare Python-Markdown, with the cost of each extension.

On the same posts of the generated corpus, in one process, one run:

- the floor: bare Python-Markdown with ``extra``, ``codehilite``, ``toc`` and ``sane_lists``;
- this project's whole rendering (``blog.rendering.render_markdown``: conversion with every
  extension, excerpt, sanitizing, plain text and word count), with and without the inline
  pattern gate (``UsefulPatternsOnly``);
- the conversion alone with each extension left out in turn: what each one costs.

    python bench/bench_render.py [--posts 400] [--rounds 3] [--json bench/render.json]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.bench_import import corpus  # noqa: E402


def bodies(count):
    texts = []
    for path in sorted(corpus(max(count, 1000)).glob("*.md"))[:count]:
        text = path.read_text()
        texts.append(text.split("\n---\n", 1)[1] if text.startswith("---") else text)
    return texts


def ms_per_post(convert, texts, rounds):
    """The fastest over ``rounds`` of the mean time to convert one text: on a shared machine the
    fastest round is the one least disturbed."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            convert(text)
        times.append((time.perf_counter() - started) / len(texts) * 1000)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.test_settings")
    import django

    django.setup()
    import markdown

    from blog import rendering

    texts = bodies(arguments.posts)
    bare = markdown.Markdown(extensions=["extra", "codehilite", "toc", "sane_lists"])

    def bare_convert(text):
        bare.reset()
        return bare.convert(text)

    def ungated(self, root):
        processor = self.md.treeprocessors[self.processor_name]
        if hasattr(processor, "every_pattern"):
            processor.inlinePatterns = [pattern for pattern, _ in processor.every_pattern]

    gated_run = rendering.UsefulPatternsOnly.run
    figures = {"posts": len(texts)}
    figures["bare"] = ms_per_post(bare_convert, texts, arguments.rounds)
    figures["pipeline"] = ms_per_post(rendering.render_markdown, texts, arguments.rounds)
    rendering.UsefulPatternsOnly.run = ungated
    figures["pipeline_without_gate"] = ms_per_post(
        rendering.render_markdown, texts, arguments.rounds
    )
    rendering.UsefulPatternsOnly.run = gated_run
    figures["ratio"] = round(figures["pipeline"] / figures["bare"], 2)
    print(f"bare Python-Markdown          {figures['bare']:6.2f} ms a post")
    print(f"this project's rendering      {figures['pipeline']:6.2f} ms ({figures['ratio']} x)")
    print(f"  without the pattern gate    {figures['pipeline_without_gate']:6.2f} ms")

    def conversion(extensions):
        md = markdown.Markdown(
            extensions=[*extensions, rendering.ExcerptExtension()],
            extension_configs={
                name: config
                for name, config in rendering.EXTENSION_CONFIGS.items()
                if name in extensions
            },
            output_format="html",
        )

        def convert(text):
            md.reset()
            md.capture_excerpt_words = 0
            return md.convert(text)

        return convert

    every_convert = conversion(rendering.EXTENSIONS)
    every = ms_per_post(every_convert, texts, arguments.rounds)
    figures["conversion"] = every
    figures["extensions_ms"] = {}
    print(f"conversion alone, every extension {every:6.2f} ms; each extension costs:")
    for extension in rendering.EXTENSIONS:
        without = [name for name in rendering.EXTENSIONS if name != extension]
        # Measured right after the whole conversion, so that both see the same machine.
        whole = ms_per_post(every_convert, texts, arguments.rounds)
        cost = whole - ms_per_post(conversion(without), texts, arguments.rounds)
        figures["extensions_ms"][extension] = round(cost, 3)
        print(f"  {extension:22} {cost:+6.2f} ms")
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
