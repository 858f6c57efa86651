"""Copies of the files an imported site's posts refer to, in the site's media storage.

Each file is stored once, under its SHA-256 (``StoredFile``); every address the old site had it
at answers 301 to the copy (``FileAddress``). Files are streamed, never read whole.
"""

from django.core.files import File
from django.core.files.storage import default_storage

from blog.models import FileAddress, StoredFile


def store_files(local_files):
    """Store each ``LocalFile`` (``blog.parsing.assets``) not stored yet and remember its old
    address; return how many were copied."""
    local_files = list({file.old_path: file for file in local_files}.values())
    if not local_files:
        return 0
    known = {
        stored.sha256: stored
        for stored in StoredFile.objects.filter(sha256__in={file.sha256 for file in local_files})
    }
    copied = 0
    for local in local_files:
        stored = known.get(local.sha256)
        if stored is None:
            name = local.stored_name
            if not default_storage.exists(name):
                with open(local.disk_path, "rb") as source:
                    name = default_storage.save(name, File(source))
                copied += 1
            stored = StoredFile.objects.create(
                sha256=local.sha256, name=name, size=default_storage.size(name)
            )
            known[local.sha256] = stored
        FileAddress.objects.update_or_create(key=local.old_path, defaults={"file": stored})
    return copied
