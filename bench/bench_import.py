"""Benchmark the importer against the single-threaded cost of parsing and rendering.

Measured in one run, on one machine, so the figures can be compared as ratios:

1. baseline: parse and render every file of the corpus in one process, one after another (what
   any importer must at least spend, divided by the CPU cores it can use);
2. first import: ``manage.py import_posts`` into an empty SQLite database, wall time including
   start-up; the target is at most 1.3 x baseline ÷ cores;
3. re-import of the unchanged corpus, wall time including start-up; the target is under 2 s;
4. peak memory (largest resident set of any one process) of first imports of 1/10th of the
   corpus and of all of it; the target is that it does not grow with the number of files.

    python bench/bench_import.py [--posts 10000] [--json bench/results.json]
"""

import argparse
import json
import os
import platform
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench import generators  # noqa: E402
from bench.generate_corpus import generate  # noqa: E402


def corpus(count):
    """The generated corpus of ``count`` posts, made once and kept (git-ignored)."""
    folder = BENCH / f".corpus-{count}"
    done = folder / ".complete"
    if not done.exists():
        generate(folder, count)
        done.touch()
    return folder


def production_environment(database_url, *, host="localhost", **extra):
    """The environment a benchmark runs in: production settings (debug off) on ``database_url``,
    without Redis, plus ``extra`` variables."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-not-secret",
        DJANGO_ALLOWED_HOSTS=host,
        SITE_URL=f"http://{host}",
        DATABASE_URL=database_url,
        **extra,
    )
    return env


def environment(database):
    return production_environment(f"sqlite:///{database}")


def measured(command, env):
    """Run ``command`` in a fresh process; return (wall seconds, peak RSS MB, output)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(done.returncode, wall, peak)\n"
        "sys.stderr.write(done.stdout + done.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True
    )
    returncode, wall, peak = result.stdout.split()
    if returncode != "0":
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return float(wall), float(peak), result.stderr.strip()


def baseline(folder):
    """Seconds to parse and render every file of ``folder`` in this one process."""
    os.environ.update(environment(":memory:"))
    import django

    django.setup()
    import zoneinfo

    from blog.models import render_post_markdown
    from blog.parsing import find_post_files, parse_post

    tz = zoneinfo.ZoneInfo("UTC")
    files = find_post_files(folder).files
    started = time.perf_counter()
    for file in files:
        parsed = parse_post(Path(file.path).read_bytes(), source_path=file.source_path, tz=tz)
        render_post_markdown(
            body=parsed.body,
            excerpt=parsed.excerpt,
            excerpt_separator=parsed.excerpt_separator,
            excerpt_words=parsed.excerpt_words,
        )
    return time.perf_counter() - started, len(files)


def bare_floor(folder):
    """Seconds to convert every file's body with bare Python-Markdown (extra, codehilite, toc,
    sane_lists) in this one process: the least any Python importer of these files spends."""
    import markdown

    md = markdown.Markdown(extensions=["extra", "codehilite", "toc", "sane_lists"])
    bodies = []
    for path in sorted(Path(folder).glob("*.md")):
        text = path.read_text()
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---") else text)
    started = time.perf_counter()
    for body in bodies:
        md.reset()
        md.convert(body)
    return time.perf_counter() - started


def one_change(folder, manage, env):
    """Wall seconds of an import after one file of ``folder`` changed: until the change is
    live (pages that show it are rendered again on their next request)."""
    path = sorted(Path(folder).glob("*.md"))[len(list(Path(folder).glob("*.md"))) // 2]
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n\nOne more paragraph, changed for the benchmark.\n")
        wall, _, output = measured([*manage, "import_posts", str(folder)], env)
    finally:
        path.write_bytes(original)
    return wall, output


def watched_change(folder, manage, env, database):
    """Seconds from saving one changed file to the change being in the database (live), with
    ``import_posts --watch`` already running: no start-up, as with ``hugo server``."""
    path = sorted(Path(folder).glob("*.md"))[len(list(Path(folder).glob("*.md"))) // 3]
    original = path.read_bytes()
    marker = f"Changed while watching, {time.time()}."
    watcher = subprocess.Popen(
        [*manage, "import_posts", str(folder), "--watch"],
        env=env,
        stdout=subprocess.PIPE,
        # A shell without job control starts background commands with Ctrl-C ignored, and
        # children inherit that: give the watcher the usual Ctrl-C, as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in watcher.stdout:
            if line.startswith("Watching"):
                break
        with sqlite3.connect(database) as db:
            saved = time.perf_counter()
            path.write_bytes(original + f"\n\n{marker}\n".encode())
            # Through the source path's index (it leaves out posts without a file).
            query = "SELECT body FROM blog_post WHERE source_path = ? AND NOT source_path = ''"
            while marker not in db.execute(query, (path.name,)).fetchone()[0]:
                if time.perf_counter() - saved > 30:
                    raise RuntimeError("the change was not imported within 30 s")
                time.sleep(0.005)
            return time.perf_counter() - saved
    finally:
        path.write_bytes(original)
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=60)


def other_generators(folder, workdir):
    """Pelican and Hugo building the same posts (bench/generators.py): wall seconds and peak
    memory of a build, and Hugo's build again after one post changed."""
    hugo = generators.hugo_site(folder, workdir)
    hugo_wall, hugo_peak, _ = measured(generators.hugo_command(hugo), os.environ.copy())
    report(f"Hugo builds the corpus: {hugo_wall:.1f}s wall, peak {hugo_peak:.0f} MB")
    undo = generators.change_one(hugo)
    try:
        hugo_change, _, _ = measured(generators.hugo_command(hugo), os.environ.copy())
    finally:
        undo()
    report(f"Hugo builds it again after one post changed: {hugo_change:.1f}s wall")
    pelican = generators.pelican_site(folder, workdir)
    pelican_wall, pelican_peak, _ = measured(generators.pelican_command(pelican), os.environ.copy())
    report(f"Pelican builds the corpus: {pelican_wall:.1f}s wall, peak {pelican_peak:.0f} MB")
    return {
        "hugo_seconds": round(hugo_wall, 2),
        "hugo_peak_rss_mb": round(hugo_peak),
        "hugo_one_change_seconds": round(hugo_change, 2),
        "pelican_seconds": round(pelican_wall, 2),
        "pelican_peak_rss_mb": round(pelican_peak),
    }


def first_import(folder, workdir, name):
    database = workdir / f"{name}.sqlite3"
    env = environment(database)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    wall, peak, output = measured([*manage, "import_posts", str(folder)], env)
    return database, wall, peak, output


def report(text):
    print(text, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    arguments = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    big, small = corpus(arguments.posts), corpus(arguments.posts // 10)
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        report(f"corpus: {arguments.posts} posts in {big}; {cores} CPU cores")

        single, files = baseline(big)
        per_post = single / files * 1000
        report(f"baseline: parse + render, one process: {single:.1f}s ({per_post:.2f} ms/post)")
        floor = bare_floor(big)
        report(
            f"bare Python-Markdown, one process: {floor:.1f}s ({floor / files * 1000:.2f} ms/post)"
        )

        database, import_wall, import_peak, output = first_import(big, workdir, "big")
        report(f"first import: {import_wall:.1f}s wall, peak {import_peak:.0f} MB\n  {output}")

        env = environment(database)
        manage = [sys.executable, str(ROOT / "manage.py")]
        reimport_wall, reimport_peak, output = measured([*manage, "import_posts", str(big)], env)
        report(f"re-import unchanged: {reimport_wall:.2f}s wall, peak {reimport_peak:.0f} MB")
        report(f"  {output}")
        change_wall, output = one_change(big, manage, env)
        report(f"re-import with one file changed: {change_wall:.2f}s wall\n  {output}")
        watched = watched_change(big, manage, env, database)
        report(f"one file changed, import_posts --watch running: live after {watched:.2f}s")

        others = other_generators(big, workdir)

        _, small_wall, small_peak, _ = first_import(small, workdir, "small")
        report(
            f"first import of {arguments.posts // 10}: {small_wall:.1f}s wall, "
            f"peak {small_peak:.0f} MB"
        )

    target = 1.3 * single / cores
    figures = {
        "posts": files,
        "cores": cores,
        "python": platform.python_version(),
        "baseline_seconds": round(single, 2),
        "baseline_ms_per_post": round(single / files * 1000, 2),
        "first_import_seconds": round(import_wall, 2),
        "first_import_ratio_to_baseline_per_core": round(import_wall / (single / cores), 3),
        "first_import_target_seconds": round(target, 2),
        "reimport_unchanged_seconds": round(reimport_wall, 2),
        "bare_floor_seconds": round(floor, 2),
        "first_import_ratio_to_bare_floor_per_core": round(import_wall / (floor / cores), 3),
        "one_change_seconds": round(change_wall, 2),
        "one_change_watching_seconds": round(watched, 3),
        **others,
        "peak_rss_mb_first_import": round(import_peak),
        "peak_rss_mb_first_import_tenth": round(small_peak),
        "peak_rss_ratio_full_to_tenth": round(import_peak / small_peak, 2),
    }
    print(json.dumps(figures, indent=2))
    verdicts = {
        f"first import ≤ 1.3 x baseline ÷ {cores} cores ({target:.1f}s)": import_wall <= target,
        "re-import of unchanged files < 2 s": reimport_wall < 2.0,
        "one changed file live < 1 s": change_wall < 1.0,
        "first import ≥ 3 x faster than Pelican": others["pelican_seconds"] >= 3 * import_wall,
        "one change ≥ 25 x faster than Hugo publishes it (--watch running)": (
            others["hugo_one_change_seconds"] >= 25 * watched
        ),
        "peak memory ≤ 1/10 of Hugo's": import_peak <= others["hugo_peak_rss_mb"] / 10,
        f"first import ≤ 2.0 x bare floor ÷ {cores} cores": import_wall <= 2.0 * floor / cores,
        "peak memory flat (full ≤ 1.25 x tenth)": import_peak <= 1.25 * small_peak,
    }
    for name, ok in verdicts.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if arguments.json:
        arguments.json.write_text(json.dumps({**figures, "passed": verdicts}, indent=2) + "\n")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    del resource  # used by the probe process, imported here only to fail early where missing
    sys.exit(main())
