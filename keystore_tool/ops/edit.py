"""``ks delete`` and ``ks rename``: change one alias, keep everything else as it was."""

from __future__ import annotations

from dataclasses import dataclass, field

from keystore_tool.errors import ConflictError
from keystore_tool.model import alias_key
from keystore_tool.ops.update import Outcome, StoreChange, StoreTarget, update_store


@dataclass(frozen=True)
class EditResult:
    keystore: str
    alias: str
    new_alias: str | None
    changed: bool
    outcome: Outcome
    # Why the new alias could be mistaken for another (mixed scripts, a lookalike).
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The JSON document of ``ks delete`` (no ``new_alias``) or ``ks rename``."""
        if self.new_alias is None:
            return {"keystore": self.keystore, "changed": self.changed, "deleted": self.alias}
        return {
            "keystore": self.keystore,
            "changed": self.changed,
            "alias": self.alias,
            "to": self.new_alias,
        }


def delete_entry(target: StoreTarget, alias: str) -> EditResult:
    """Removes the entry ``alias`` (a :class:`~keystore_tool.errors.NotFoundError` when there
    is none); the rest of the store is written back as it was read."""

    def change(store: StoreChange) -> tuple[str, bool]:
        return store.keystore.remove(alias).alias, True

    removed, outcome = update_store(target, change)
    return EditResult(target.path, removed, None, True, outcome)


def rename_entry(target: StoreTarget, alias: str, new_alias: str) -> EditResult:
    """Gives the entry ``alias`` the name ``new_alias`` (a change of case alone included); a
    name another entry holds is a :class:`~keystore_tool.errors.ConflictError`."""
    from keystore_tool.aliases import Lookalikes

    warnings: list[str] = []

    def change(store: StoreChange) -> tuple[str, bool]:
        keystore = store.keystore
        entry = keystore[alias]
        if entry.alias == new_alias:
            return entry.alias, False
        if alias_key(new_alias) != entry.folded_alias and new_alias in keystore:
            raise ConflictError(
                f"alias '{new_alias}' already exists; delete it first or choose another"
            )
        old = entry.alias
        others = (e.alias for e in keystore if e.folded_alias != entry.folded_alias)
        warning = Lookalikes(others).warning(new_alias)
        if warning is not None:
            warnings.append(warning)
        keystore.rename(alias, new_alias)
        return old, True

    old, outcome = update_store(target, change)
    return EditResult(target.path, old, new_alias, outcome.written, outcome, warnings)
