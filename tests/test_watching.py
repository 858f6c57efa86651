"""import_posts --watch: each saved change is imported as it happens, as `jekyll serve` does."""

import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from tests import servers

POST = "---\ntitle: {title}\ndate: 2024-05-0{day} 10:00:00 +0000\n---\n\n{body}\n"


class Watcher:
    """``manage.py import_posts FOLDER --watch`` running on a SQLite file; its output read
    line by line."""

    def __init__(self, folder, database):
        env = servers.production_env(f"sqlite:///{database}")
        servers.manage(env, "migrate", "--noinput", "--verbosity", "0")
        self.database = database
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "import_posts", str(folder), "--watch"],
            cwd=servers.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            # A shell without job control starts background commands with Ctrl-C ignored, and
            # children inherit that: give the watcher the usual Ctrl-C, as in a terminal.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text, seconds=20):
        """The lines printed until one containing ``text``."""
        seen = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return seen
        raise AssertionError(f"no line with {text!r} within {seconds} s; printed: {seen}")

    def body_of(self, title):
        with sqlite3.connect(self.database) as db:
            row = db.execute("SELECT body FROM blog_post WHERE title = ?", (title,)).fetchone()
        return row and row[0].strip()


@pytest.fixture
def watcher(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "2024-05-01-first.md").write_text(POST.format(title="First", day=1, body="One."))
    watcher = Watcher(folder, tmp_path / "blog.sqlite3")
    watcher.folder = folder
    with servers.stopped_at_exit(watcher.process):
        watcher.wait_for("Watching")
        yield watcher


def test_each_saved_change_is_imported_while_watching(watcher):
    assert watcher.body_of("First") == "One."

    saved = time.monotonic()
    (watcher.folder / "2024-05-01-first.md").write_text(
        POST.format(title="First", day=1, body="One, edited.")
    )
    # (A save may reach the watcher half-written, under load: that round fails and the next
    # imports the whole file.)
    watcher.wait_for(" 1 updated")
    assert watcher.body_of("First") == "One, edited."
    assert time.monotonic() - saved < 5

    (watcher.folder / "2024-05-02-second.md").write_text(
        POST.format(title="Second", day=2, body="Two.")
    )
    watcher.wait_for("1 created")
    assert watcher.body_of("Second") == "Two."

    # A file that does not parse is reported, and watching goes on until it is fixed.
    broken = watcher.folder / "2024-05-03-third.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n")
    printed = watcher.wait_for("1 failed")
    assert any("2024-05-03-third.md" in line for line in printed)
    broken.write_text(POST.format(title="Third", day=3, body="Three."))
    watcher.wait_for("1 created")
    assert watcher.body_of("Third") == "Three."

    # A post edited on the site since: the saved file is a conflict, reported, not applied.
    with sqlite3.connect(watcher.database) as db:
        db.execute("UPDATE blog_post SET title = 'Second, on the site' WHERE title = 'Second'")
    (watcher.folder / "2024-05-02-second.md").write_text(
        POST.format(title="Second", day=2, body="Two, edited in the file.")
    )
    printed = watcher.wait_for("1 conflicts")
    assert any("2024-05-02-second.md" in line for line in printed)
    assert watcher.body_of("Second, on the site") == "Two."

    watcher.process.send_signal(signal.SIGINT)
    watcher.wait_for("Stopped watching.")
    assert watcher.process.wait(timeout=10) == 0
