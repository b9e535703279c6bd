"""Reading a store to report on it: ``ks list`` and ``ks show``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from keystore_tool.formats import LoadOptions
from keystore_tool.model import Entry, Keystore
from keystore_tool.password import Password
from keystore_tool.storage import load_store


@dataclass(frozen=True)
class StoreView:
    """A store read to be reported on, and the path it was read from."""

    path: str
    keystore: Keystore

    @property
    def storetype(self) -> str:
        return self.keystore.storetype or "unknown"

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``ks list``: every entry, sorted by alias."""
        from keystore_tool.x509util import describe_entry

        return {
            "keystore": self.path,
            "storetype": self.storetype,
            "entries": [describe_entry(entry) for entry in self.keystore.sorted_entries()],
        }


@dataclass(frozen=True)
class EntryView:
    """One entry of a store read to be shown."""

    store: StoreView
    entry: Entry

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``ks show``: the entry with its whole chain."""
        from keystore_tool.x509util import describe_entry

        return {
            "keystore": self.store.path,
            "storetype": self.store.storetype,
            "entry": describe_entry(self.entry),
        }


def open_store(
    path: str | os.PathLike[str],
    password: Password | None,
    *,
    storetype: str | None = None,
    entry_password: Password | None = None,
) -> StoreView:
    """The store at ``path``, read with ``password`` (and ``entry_password`` for entries
    under their own), as ``storetype`` when one is named."""
    keystore = load_store(
        path, password, storetype=storetype, options=LoadOptions(entry_password=entry_password)
    )
    return StoreView(os.fspath(path), keystore)


def find_entry(view: StoreView, alias: str) -> Entry:
    """The entry ``alias`` of ``view`` (NotFoundError when there is none)."""
    return view.keystore[alias]


def show_entry(view: StoreView, alias: str) -> EntryView:
    """The entry ``alias`` of ``view``, to be shown."""
    return EntryView(view, find_entry(view, alias))
