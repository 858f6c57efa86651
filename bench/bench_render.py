"""Benchmark the render pipeline against bare Python-Markdown, with the cost of each extension.

On the same posts of the generated corpus, in one process, one run:

- the floor: bare Python-Markdown with ``extra``, ``codehilite``, ``toc`` and ``sane_lists``;
- this project's whole rendering (``blog.rendering.render_markdown``: conversion with every
  extension, excerpt, sanitizing, plain text and word count), with and without the inline
  pattern gate (``UsefulPatternsOnly``);
- where its time goes, by extension and library (one profiled rendering).

    python bench/bench_render.py [--posts 400] [--rounds 3] [--json bench/render.json]
"""

import argparse
import collections
import cProfile
import json
import os
import pstats
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
    """The fastest over ``rounds`` of the mean CPU time to convert one text: on a shared machine
    the process's own CPU time, and its fastest round, are the least disturbed."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            convert(text)
        times.append((time.process_time() - started) / len(texts) * 1000)
    return min(times)


def _module_of(filename):
    """The extension, library or part of Python-Markdown a function belongs to."""
    path = filename.replace("\\", "/")
    if "/markdown/extensions/" in path:
        return "markdown: " + path.rsplit("/", 1)[-1].removesuffix(".py")
    if "/pymdownx/" in path:
        return "pymdownx: " + path.rsplit("/", 1)[-1].removesuffix(".py")
    if "/markdown/" in path:
        return "markdown core: " + path.rsplit("/", 1)[-1].removesuffix(".py")
    for library in ("pygments", "nh3", "blog/"):
        if library in path:
            return library.rstrip("/") if library != "blog/" else "blog: " + path.rsplit("/", 1)[-1]
    return "Python (re, str, xml...)" if filename.startswith("~") or "<" in filename else path


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
    # Round by round, one after the other, so that both see the same machine.
    bare_rounds, pipeline_rounds = [], []
    for _ in range(arguments.rounds):
        bare_rounds.append(ms_per_post(bare_convert, texts, 1))
        pipeline_rounds.append(ms_per_post(rendering.render_markdown, texts, 1))
    figures["bare"], figures["pipeline"] = min(bare_rounds), min(pipeline_rounds)
    rendering.UsefulPatternsOnly.run = ungated
    figures["pipeline_without_gate"] = ms_per_post(
        rendering.render_markdown, texts, arguments.rounds
    )
    rendering.UsefulPatternsOnly.run = gated_run
    figures["ratio"] = round(figures["pipeline"] / figures["bare"], 2)
    print(f"bare Python-Markdown          {figures['bare']:6.2f} ms a post")
    print(f"this project's rendering      {figures['pipeline']:6.2f} ms ({figures['ratio']} x)")
    print(f"  without the pattern gate    {figures['pipeline_without_gate']:6.2f} ms")

    # Where the time goes, by module: leaving an extension out to time it does not work (the
    # text it would have handled goes to the inline patterns instead, and costs more), so the
    # rendering is profiled once and each function's own time is charged to its module.
    profile = cProfile.Profile()
    profile.enable()
    for text in texts:
        rendering.render_markdown(text)
    profile.disable()
    charged = collections.Counter()
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profile).stats.items():
        charged[_module_of(filename)] += own
    total = sum(charged.values())
    figures["share_by_module"] = {}
    print("where the time goes (share of a profiled rendering):")
    for module, seconds in charged.most_common(16):
        share = seconds / total
        figures["share_by_module"][module] = round(share, 3)
        print(f"  {module:36} {share:6.1%}  ~{share * figures['pipeline']:5.2f} ms")
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
