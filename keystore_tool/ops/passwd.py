"""``ks passwd``: a store under a new password (or none).

Unlike ``keytool -storepasswd``, JKS/JCEKS key entries follow the store password unless a
separate entry password is asked for: a JVM's KeyManagerFactory opens keys with the store
password, and a key left under the old one is the classic "Cannot recover key" outage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keystore_tool.errors import PasswordError, Remedy, UsageError
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.ops.update import StoreChange, StoreTarget, update_store
from keystore_tool.password import Password

if TYPE_CHECKING:
    pass

__all__ = ["PasswdResult", "change_password"]


@dataclass
class PasswdResult:
    keystore: str
    storetype: str
    changed: bool
    keys_rewrapped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "keystore": self.keystore,
            "storetype": self.storetype,
            "changed": self.changed,
            "keys_rewrapped": self.keys_rewrapped,
            "warnings": self.warnings,
        }


def change_password(
    store: StoreTarget,
    new: Password | None,
    *,
    new_entry: Password | None = None,
) -> PasswdResult:
    """Rewrites the store ``store`` names, opened with ``store.password``, under ``new``
    (``None``: password-less, where the format allows it: a PKCS12 or PEM store without
    keys, or a PEM store whose keys are then unencrypted).

    JKS/JCEKS keys are opened with ``store.entry_password`` (else the old password) and
    protected with ``new_entry`` (else ``new``). A store already under ``new`` is left alone.
    """
    old, old_entry = store.password, store.entry_password
    result = PasswdResult(store.path, "unknown", False)
    target = StoreTarget(
        store.path,
        new,
        storetype=store.storetype,
        entry_password=new_entry,
        lock_timeout=store.lock_timeout,
        targets=store.targets,
        current_passwords=(old,),
        current_entry_password=old_entry,
        passwordless=new is None,
    )

    def change(store: StoreChange) -> tuple[None, bool]:
        keystore = store.keystore
        result.storetype = keystore.storetype or "unknown"
        java = result.storetype in ("jks", "jceks")
        _check_rewritable(keystore, old, new, java=java)
        keys = [e.alias for e in keystore if isinstance(e, PrivateKeyEntry)]
        old_key_password = (old_entry or old) if java else None
        new_key_password = (new_entry or new) if java else None
        same = not store.password_changes and (not keys or old_key_password == new_key_password)
        if not same or store.protection_outdated():
            result.keys_rewrapped = keys
            result.changed = True
            if java:
                result.warnings.extend(_kept_secret_keys(keystore))
        return None, result.changed

    update_store(target, change)
    return result


def _check_rewritable(
    keystore: Keystore, old: Password | None, new: Password | None, *, java: bool
) -> None:
    """Refuses what cannot be rewritten as asked: a JKS/JCEKS store needs its password both to
    be checked and to be written, and a key nobody could open cannot be re-protected."""
    kind = (keystore.storetype or "unknown").upper()
    if java and old is None:
        raise UsageError(
            f"a {kind} store's current password is needed to check it",
            remedy=Remedy.WRITE_STORE_PASSWORD,
            password="store",
        )
    if java and new is None:
        raise UsageError(
            f"a {kind} store must have a password",
            remedy=Remedy.NEW_STORE_PASSWORD,
            password="new store",
        )
    sealed = [e.alias for e in keystore if isinstance(e, PrivateKeyEntry) and e.private_key is None]
    if sealed:
        raise PasswordError(
            f"the key of entry '{sealed[0]}' does not open with the current password",
            remedy=Remedy.ENTRY_PASSWORD,
            alias=sealed[0],
            password="entry",
        )


def _kept_secret_keys(keystore: Keystore) -> list[str]:
    return [
        f"secret key '{entry.alias}' keeps its old password (ks rewrites JCEKS "
        "secret keys only as they were read)"
        for entry in keystore
        if isinstance(entry, SecretKeyEntry) and entry.sealed is not None
    ]
