"""Every address content has had, and the files an imported site's content refers to."""

import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q

from blog.addresses import (
    RESERVED_ADDRESSES,
    RESERVED_PREFIXES,
    address_key,
)


class Address(models.Model):
    """One address of the site's content, by its key (``blog.addresses.address_key``).

    The *current* address of a post or page is where it is served; every other address it has
    had (on the old site: a permalink, an alias, ``redirect_from``, the generator's own address;
    here: before its slug, date or the site's address pattern changed) answers 301 to it. One
    table for both kinds and both posts and pages, so that two pieces of content can never claim
    one address: the key is unique. An address some content already holds keeps leading there.
    """

    key = models.CharField(max_length=500, unique=True, help_text="Such as /2019/05/hello")
    post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    page = models.ForeignKey(
        "Page", null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    is_current = models.BooleanField(
        default=False, help_text="Where the content is served; other addresses redirect there."
    )

    class Meta:
        ordering = ["key"]
        verbose_name = "address"
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, page__isnull=True)
                | Q(post__isnull=True, page__isnull=False),
                name="address_of_one_post_or_page",
            ),
            # The site's own routes come first: content there would never be seen.
            models.CheckConstraint(
                condition=~Q(is_current=True, key__in=RESERVED_ADDRESSES)
                & ~reduce(
                    operator.or_,
                    (Q(is_current=True, key__startswith=prefix) for prefix in RESERVED_PREFIXES),
                ),
                name="address_not_a_site_route",
            ),
        ]

    def __str__(self):
        return f"{self.key} → {self.content}"

    @property
    def content(self):
        return self.post if self.post_id else self.page

    @classmethod
    def remember(cls, content, old_path):
        """Keep ``old_path`` leading to ``content`` (a post or page whose address changed).

        An address other content already holds keeps leading there.
        """
        key = address_key(old_path)
        if key and key != address_key(content.path):
            owner = {content._meta.model_name: content}  # {"post": ...} or {"page": ...}
            cls.objects.get_or_create(key=key, defaults=owner)

    @classmethod
    def claim(cls, content):
        """Make ``content``'s path its current address; the address it had before becomes a
        redirect to it. Raises ``AddressTaken`` if other content is served there."""
        owner = {content._meta.model_name: content}  # {"post": ...} or {"page": ...}
        key = address_key(content.path)
        holder = cls.objects.filter(key=key).first()
        if holder is not None and holder.is_current and holder.content != content:
            raise AddressTaken(content.path, holder.content)
        cls.objects.filter(is_current=True, **owner).exclude(key=key).update(is_current=False)
        if holder is None:
            cls.objects.create(key=key, is_current=True, **owner)
        else:  # an old address of this or other content: the content served there wins
            cls.objects.filter(pk=holder.pk).update(
                is_current=True, post=owner.get("post"), page=owner.get("page")
            )


class AddressTaken(ValidationError):
    def __init__(self, path, holder):
        kind = holder._meta.model_name  # "post" or "page"
        super().__init__(
            f"The address {path} is already the address of the {kind} “{holder}”.",
            code="address_taken",
        )
        self.holder = holder


class StoredFile(models.Model):
    """A file an imported post or page refers to (an image, a PDF, a video), copied into the
    site's storage under its SHA-256: the same bytes are one file, and a re-import copies
    nothing."""

    sha256 = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, help_text="Its name in the media storage.")
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    @property
    def url(self):
        return default_storage.url(self.name)


class FileAddress(models.Model):
    """An address the old site published a file at; it answers 301 to the stored copy."""

    key = models.CharField(max_length=500, unique=True, help_text="Such as /assets/a.png")
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="addresses")

    class Meta:
        verbose_name_plural = "file addresses"

    def __str__(self):
        return f"{self.key} → {self.file}"

    @classmethod
    def new_addresses(cls, keys):
        """{old address: the stored copy's address} for those of ``keys`` that have one."""
        rows = cls.objects.filter(key__in=list(keys)).select_related("file")
        return {row.key: row.file.url for row in rows}
