"""A store file's type by its content, read from a prefix only: what ``where``, ``doctor`` and
``verify`` report before (or without) reading the store."""

from __future__ import annotations

import os

from keystore_tool.formats import SNIFF_BYTES, StoreFormat, detect


def sniff_format(path: str | os.PathLike[str]) -> StoreFormat:
    """The format of the file at ``path`` by its first bytes.

    Raises :class:`~keystore_tool.errors.FormatError` when the content is no store ks knows,
    and another :class:`~keystore_tool.errors.KsError` when the file cannot be read.
    """
    from keystore_tool.storage import read_prefix

    return detect(read_prefix(path, SNIFF_BYTES))


def sniff_storetype(path: str | os.PathLike[str]) -> str | None:
    """The store type by content, reading only a prefix; None when unknown or unreadable."""
    from keystore_tool.errors import KsError

    try:
        return sniff_format(path).name
    except KsError:
        return None
