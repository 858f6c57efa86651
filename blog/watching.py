"""Import again whenever the files change: ``import_posts PATH --watch``.

Authors who write in their editor and keep the files as the source get what ``jekyll serve``
and ``hugo server`` give them: save a file, and the site shows it. Each change runs the whole
import again in this process, told which files changed, so that the others are not even read:
a new file, an edit or a deletion (with ``--prune``) is handled as a one-off import would
handle it, and in a site of 10,000 posts the changed post is live about a quarter of a second
after it is saved (bench/README.md).
"""

import watchfiles

# How long to wait for more events after one before importing: an editor that saves through
# a temporary file and a rename writes several in a few milliseconds.
SETTLE_MS = 50
# The most a burst of changes delays an import.
LONGEST_WAIT_MS = 1600
# How often the watcher wakes when nothing happens; its first waking says it is watching.
IDLE_MS = 500


def watch(paths, import_once, *, stop=None, on_ready=None, on_change=None):
    """Call ``import_once(changed)`` each time files under ``paths`` change, with the set of
    paths that changed, until ``stop`` (a ``threading.Event``) is set or the process is
    interrupted; ``on_change(result)`` gets what each call returned. ``on_ready()`` is called
    once the operating system watches the files and an import of every file (``changed``
    None) has caught up with changes saved before that. Version-control folders and editors' swap
    and backup files are ignored (watchfiles' default filter)."""
    ready = False
    for changes in watchfiles.watch(
        *paths,
        watch_filter=watchfiles.DefaultFilter(),
        debounce=LONGEST_WAIT_MS,
        step=SETTLE_MS,
        rust_timeout=IDLE_MS,
        yield_on_timeout=True,
        stop_event=stop,
        raise_interrupt=False,
    ):
        if ready and not changes:
            continue
        result = import_once({path for _change, path in changes} if ready else None)
        if on_change is not None:
            on_change(result)
        if not ready:
            ready = True
            if on_ready is not None:
                on_ready()
