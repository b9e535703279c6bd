"""Reading a store to report on it: ``ks list`` and ``ks show``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from keystore_tool.formats import LoadOptions
from keystore_tool.model import Entry, Keystore
from keystore_tool.password import Password
from keystore_tool.storage import load_store


@dataclass(frozen=True)
class StoreView:
    path: str
    keystore: Keystore

    @property
    def storetype(self) -> str:
        return self.keystore.storetype or "unknown"


def open_store(
    path: str | os.PathLike[str],
    password: Password | None,
    *,
    storetype: str | None = None,
    entry_password: Password | None = None,
) -> StoreView:
    keystore = load_store(
        path, password, storetype=storetype, options=LoadOptions(entry_password=entry_password)
    )
    return StoreView(os.fspath(path), keystore)


def find_entry(view: StoreView, alias: str) -> Entry:
    return view.keystore[alias]
