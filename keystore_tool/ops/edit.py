"""``ks delete`` and ``ks rename``: change one alias, keep everything else as it was."""

from __future__ import annotations

from dataclasses import dataclass

from keystore_tool.errors import ConflictError
from keystore_tool.model import Keystore, alias_key
from keystore_tool.ops.update import Outcome, StoreTarget, update_store


@dataclass(frozen=True)
class EditResult:
    keystore: str
    alias: str
    new_alias: str | None
    changed: bool
    outcome: Outcome


def delete_entry(target: StoreTarget, alias: str) -> EditResult:
    def change(keystore: Keystore) -> tuple[str, bool]:
        return keystore.remove(alias).alias, True

    removed, outcome = update_store(target, change, create=False)
    return EditResult(target.path, removed, None, True, outcome)


def rename_entry(target: StoreTarget, alias: str, new_alias: str) -> EditResult:
    def change(keystore: Keystore) -> tuple[str, bool]:
        entry = keystore[alias]
        if entry.alias == new_alias:
            return entry.alias, False
        if alias_key(new_alias) != entry.folded_alias and new_alias in keystore:
            raise ConflictError(
                f"alias '{new_alias}' already exists; delete it first or choose another"
            )
        old = entry.alias
        keystore.rename(alias, new_alias)
        return old, True

    old, outcome = update_store(target, change, create=False)
    return EditResult(target.path, old, new_alias, outcome.written, outcome)
