#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
    # A shell without the production variables is a developer's: commands such as import_posts
    # run against the local SQLite site, as `make run` does. Production sets DJANGO_SECRET_KEY
    # (the settings refuse to start without it), so this never applies there.
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
