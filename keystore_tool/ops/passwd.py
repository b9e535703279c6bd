"""``ks passwd``: a store under a new password (or none), and the locked rewrite that reads a
store with one password and writes it with another, which ``apply`` shares.

Unlike ``keytool -storepasswd``, JKS/JCEKS key entries follow the store password unless a
separate entry password is asked for: a JVM's KeyManagerFactory opens keys with the store
password, and a key left under the old one is the classic "Cannot recover key" outage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from keystore_tool.errors import NotFoundError, PasswordError, UsageError
from keystore_tool.formats import LoadOptions, StoreFormat, detect
from keystore_tool.model import Keystore, PrivateKeyEntry, SecretKeyEntry
from keystore_tool.ops.update import Outcome, kept_options
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, StoreUpdate, check_storetype

if TYPE_CHECKING:
    from keystore_tool.compat import Target

T = TypeVar("T")


def load_with_any(
    fmt: StoreFormat,
    data: bytes,
    passwords: list[Password | None],
    entry_password: Password | None,
) -> tuple[Keystore, Password | None]:
    """The store opened with the first password that fits, and that password. Only a wrong
    password moves on to the next; any other error stops."""
    last: PasswordError | None = None
    for password in passwords:
        try:
            keystore = fmt.load(data, password, LoadOptions(entry_password=entry_password))
        except PasswordError as exc:
            last = exc
            continue
        if fmt.name in ("jks", "jceks") and password is None and len(passwords) > 1:
            continue  # read, but unverified: a later password may be the right one
        return keystore, password
    raise last or PasswordError("no password given opens the store")


def rewrite_store(
    path: str,
    read_passwords: list[Password | None],
    write_password: Password | None,
    change: Callable[[Keystore, Password | None], tuple[T, bool]],
    *,
    create_as: StoreFormat | None = None,
    storetype: str | None = None,
    entry_password: Password | None = None,
    new_entry_password: Password | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    targets: Sequence[Target] = (),
) -> tuple[T, Outcome]:
    """A locked read-modify-write (as :func:`~keystore_tool.ops.update.update_store`) that
    may read with one password and write with another. ``change`` gets the model and the
    password that opened it, and says whether it changed anything; a password change is a
    change it must report. A missing file is created as ``create_as`` (or is not found).
    ``mode`` and ``owner`` (apply's) are set with the write, or alone under the same lock when
    nothing else changed."""
    with StoreUpdate(path, lock_timeout) as update:
        current = update.current
        created = current is None
        if current is None:
            if create_as is None:
                raise NotFoundError(f"keystore file not found: {path}")
            fmt = create_as
            keystore = Keystore(storetype=fmt.name)
            opened_with: Password | None = write_password  # a new file has no old password
        else:
            fmt = detect(current)
            check_storetype(fmt, storetype)
            keystore, opened_with = load_with_any(fmt, current, read_passwords, entry_password)
        result, changed = change(keystore, opened_with)
        if changed or created:
            from keystore_tool.compat import target_options

            kept = kept_options(keystore, entry_password=new_entry_password)
            if write_password is None or keystore.read_info is None:
                kept = replace(kept, protection=None)  # password-less, or a new file
            options = target_options(targets, keystore, fmt.name, write_password, kept)
            data = fmt.dump(keystore, write_password, options)
            update.replace(
                data,
                holds_private_key=keystore.holds_keys(),
                mode=mode,
                owner=owner,
                unencrypted_key=write_password is None and keystore.holds_keys(),
            )
        elif mode is not None or owner is not None:
            update.written = update.set_metadata(mode, owner)
        return result, Outcome(fmt.name, created, update.written)


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
    path: str | os.PathLike[str],
    old: Password | None,
    new: Password | None,
    *,
    old_entry: Password | None = None,
    new_entry: Password | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    targets: Sequence[Target] = (),
) -> PasswdResult:
    """Rewrites the store under ``new`` (``None``: password-less, where the format allows it:
    a PKCS12 or PEM store without keys, or a PEM store whose keys are then unencrypted).

    JKS/JCEKS keys are opened with ``old_entry`` (else ``old``) and protected with
    ``new_entry`` (else ``new``). A store already under ``new`` is left alone.
    """
    location = os.fspath(path)
    result = PasswdResult(location, "unknown", False)

    from keystore_tool.compat import protection_satisfies

    def change(keystore: Keystore, opened_with: Password | None) -> tuple[None, bool]:
        fmt = keystore.storetype or "unknown"
        result.storetype = fmt
        java = fmt in ("jks", "jceks")
        if java and old is None:
            raise UsageError(
                f"a {fmt.upper()} store's current password is needed to check it; "
                "give --storepass, --storepass-env or --storepass-file"
            )
        if new is None and java:
            raise UsageError(f"a {fmt.upper()} store must have a password; give --new-storepass")
        sealed = [
            e.alias for e in keystore if isinstance(e, PrivateKeyEntry) and e.private_key is None
        ]
        if sealed:
            raise PasswordError(
                f"the key of entry '{sealed[0]}' does not open with the current password; "
                "give its password with --entry-pass"
            )
        keys = [e.alias for e in keystore if isinstance(e, PrivateKeyEntry)]
        for entry in keystore:
            if isinstance(entry, SecretKeyEntry) and entry.sealed is not None and java:
                result.warnings.append(
                    f"secret key '{entry.alias}' keeps its old password (ks rewrites JCEKS "
                    "secret keys only as they were read)"
                )
        old_key_password = (old_entry or old) if java else None
        new_key_password = (new_entry or new) if java else None
        same = opened_with == new and (not keys or old_key_password == new_key_password)
        if same and targets:
            same = protection_satisfies(keystore, targets, new)
        if same:
            result.warnings.clear()
            return None, False
        result.keys_rewrapped = keys
        result.changed = True
        return None, True

    rewrite_store(
        location,
        [old],
        new,
        change,
        entry_password=old_entry,
        new_entry_password=new_entry,
        lock_timeout=lock_timeout,
        targets=targets,
    )
    return result
