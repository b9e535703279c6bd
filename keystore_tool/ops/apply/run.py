"""The run: every store of a spec validated, then the changed ones written.

Two phases. First every store is validated: passwords resolved, every input file read, every
pin checked, the current store opened, the change planned and the new bytes produced. Only
when all stores pass are the changed ones written, each under its lock with the atomic
replace of :mod:`keystore_tool.storage` (the plan is computed again under the lock, so a
concurrent writer is never overwritten). Checking stops after the first phase.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keystore_tool.errors import KsError, NotFoundError, UsageError
from keystore_tool.formats import StoreFormat, detect, format_for_new_file
from keystore_tool.model import Keystore
from keystore_tool.ops.apply.gather import (
    DefaultCas,
    ServerChain,
    WantedStore,
    default_truststore,
    fetch_server_chain,
    gather,
)
from keystore_tool.ops.apply.jdks import jdk_store_specs
from keystore_tool.ops.apply.plan import StoreDiff, diff_for, plan
from keystore_tool.ops.apply.spec import Spec, StoreSpec
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT, check_storetype, read_file

if TYPE_CHECKING:
    from keystore_tool.jdks import HostRoots

# uid_t and gid_t are 32 bits and (uid_t) -1 means "leave unchanged" to chown.
_MAX_ID = 2**32 - 2


@dataclass
class ApplyReport:
    """What applying (or checking) a spec did to each of its stores."""

    spec: str
    check: bool
    stores: list[StoreDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any store changed (checking: would change)."""
        return any(s.changed for s in self.stores)

    def as_json(self) -> dict[str, object]:
        return {
            "spec": self.spec,
            "check": self.check,
            "changed": self.changed,
            "stores": [s.as_json() for s in self.stores],
        }


@dataclass(frozen=True)
class _Sources:
    """Where the inputs that are not files come from."""

    server_chain: ServerChain
    default_cas: DefaultCas


def apply_spec(
    spec: Spec,
    *,
    check: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    server_chain: ServerChain = fetch_server_chain,
    default_cas: DefaultCas = default_truststore,
    jdk_roots: HostRoots | None = None,
) -> ApplyReport:
    """Validates every store of ``spec``, then (unless ``check``) writes those that differ.
    A failure in the first phase raises before any file is written. Certificates of items
    with ``all_jdks = true`` also go into each JDK truststore found below ``jdk_roots``."""
    report = ApplyReport(str(spec.path), check)
    sources = _Sources(server_chain, default_cas)
    jdk_stores, not_writable = jdk_store_specs(spec, jdk_roots)
    prepared = [_prepare(store, sources) for store in (*spec.stores, *jdk_stores)]
    report.stores.extend(diff for _, diff in prepared)
    report.stores.extend(not_writable)
    if not check:
        _write_all(prepared, report, lock_timeout)
    return report


def apply_store(
    store: StoreSpec,
    *,
    check: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    server_chain: ServerChain = fetch_server_chain,
    default_cas: DefaultCas = default_truststore,
) -> StoreDiff:
    """Makes one store hold what ``store`` says: :func:`apply_spec` of a spec with this store
    alone, so it is validated before anything is written and written atomically under its
    lock, matched by fingerprint. With ``check`` nothing is written."""
    report = apply_spec(
        Spec(store.path, (store,)),
        check=check,
        lock_timeout=lock_timeout,
        server_chain=server_chain,
        default_cas=default_cas,
    )
    return report.stores[0]


def _prepare(store: StoreSpec, sources: _Sources) -> tuple[WantedStore, StoreDiff]:
    """The first phase for one store: what it must hold, and its plan."""
    try:
        wanted = gather(store, sources.server_chain, sources.default_cas)
        fmt, current, opened = _open_current(wanted)
        diff, model = diff_for(wanted, fmt, current, opened)
        if diff.created and not store.path.parent.is_dir():
            # Found while validating, so a check says what the run would hit (and the run
            # stops before writing any store, not after writing the ones before it).
            raise NotFoundError(f"directory not found: {store.path.parent}")
        if diff.content_changed:
            _check_writable(fmt, wanted, model)
        _metadata_changes(store, diff, model.holds_keys())
    except KsError as exc:
        raise _in_store(exc, f"{store.where}: {exc.message}; no store was written") from exc
    return wanted, diff


def _write_all(
    prepared: list[tuple[WantedStore, StoreDiff]], report: ApplyReport, lock_timeout: float
) -> None:
    """The second phase: each changed store written, in the spec's order."""
    for wanted, diff in prepared:
        if not diff.changed:
            continue
        try:
            _write(wanted, diff, lock_timeout)
        except KsError as exc:
            done = [s.keystore for s in report.stores if s.written]
            already = f"; already written: {', '.join(done)}" if done else ""
            raise _in_store(exc, f"{wanted.spec.where}: {exc.message}{already}") from exc


def _in_store(exc: KsError, message: str) -> KsError:
    """``exc`` re-said as ``message`` (naming the spec's store), of its class and with its
    store, alias and password. Its parameter and remedy go: they name what the caller of a
    command gives (a store type, a password), while a spec is fixed in the spec's words."""
    said = exc.reworded(message)
    said.parameter = None
    said.remedy = None
    return said


def _open_current(
    wanted: WantedStore,
) -> tuple[StoreFormat, Keystore | None, Password | None]:
    """The store as it is now (read without the lock: the plan is made again under it)."""
    from keystore_tool.ops.update import load_with_any

    spec = wanted.spec
    if not spec.path.exists():
        fmt = format_for_new_file(str(spec.path), spec.storetype)
        return fmt, None, None
    data = read_file(spec.path)
    fmt = detect(data)
    check_storetype(fmt, spec.storetype)
    keystore, opened_with = load_with_any(fmt, data, wanted.read_passwords(), None)
    return fmt, keystore, opened_with


def _check_writable(fmt: StoreFormat, wanted: WantedStore, model: Keystore) -> None:
    """Produces the new bytes once, so that a store that cannot be written (a JKS without a
    password, a key in a password-less PKCS12) fails in the first phase."""
    from keystore_tool.compat import target_options
    from keystore_tool.formats import DumpOptions

    if fmt.needs_password and wanted.password is None:
        raise UsageError(
            f"a {fmt.name.upper()} store needs a password; give password = {{ env = … }}"
        )
    options = target_options(
        wanted.spec.targets, model, fmt.name, wanted.password, DumpOptions(iterations=1)
    )
    fmt.dump(model, wanted.password, options)


def _metadata_changes(spec: StoreSpec, diff: StoreDiff, holds_keys: bool) -> None:
    """Mode and owner the file has (or a new file will get) against what the spec wants."""
    try:
        st: os.stat_result | None = os.stat(spec.path)
    except FileNotFoundError:
        st = None
    if spec.mode is not None:
        if st is None:
            current = 0o600 if holds_keys else 0o666 & ~_umask()
        else:
            current = stat.S_IMODE(st.st_mode)
        if current != spec.mode:
            diff.mode = (current, spec.mode)
    if spec.owner is not None:
        uid, gid = _owner_ids(spec.owner)
        have = (os.getuid(), os.getgid()) if st is None else (st.st_uid, st.st_gid)
        if have != (uid, gid):
            diff.owner = (f"{have[0]}:{have[1]}", f"{uid}:{gid}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _owner_ids(owner: str) -> tuple[int, int]:
    """``user[:group]`` (names or numbers) as the uid and gid to give the file."""
    import grp
    import pwd

    user, _, group = owner.partition(":")
    try:
        record = pwd.getpwuid(_id_in_range(user, "owner")) if user.isdigit() else pwd.getpwnam(user)
    except KeyError as exc:
        raise UsageError(f"owner '{user}' is not a user on this machine") from exc
    gid = record.pw_gid
    if group:
        try:
            gid = _id_in_range(group, "group") if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError as exc:
            raise UsageError(f"group '{group}' is not a group on this machine") from exc
    return record.pw_uid, gid


def _id_in_range(text: str, what: str) -> int:
    """A numeric uid or gid, checked before anything is written (chown would refuse it only
    after the store's content had been replaced)."""
    value = int(text)
    if value > _MAX_ID:
        raise UsageError(f"{what} {text} is out of range (at most {_MAX_ID})")
    return value


def _write(wanted: WantedStore, diff: StoreDiff, lock_timeout: float) -> None:
    """Writes one store under its lock, planning again on what the lock holder reads."""
    spec = wanted.spec
    # Mode and owner travel with the write: set on the new file's descriptor before its
    # rename, or (nothing else changing) on a descriptor of the file under its lock.
    owner = _owner_ids(spec.owner) if spec.owner is not None else None
    if diff.content_changed:
        _rewrite(wanted, diff, lock_timeout, owner)
    elif spec.mode is not None or spec.owner is not None:
        from keystore_tool.storage import set_mode_and_owner

        if set_mode_and_owner(spec.path, spec.mode, owner, lock_timeout=lock_timeout):
            diff.written = True


def _rewrite(
    wanted: WantedStore, diff: StoreDiff, lock_timeout: float, owner: tuple[int, int] | None
) -> None:
    from keystore_tool.ops.update import StoreChange, StoreTarget, update_store

    spec = wanted.spec
    target = StoreTarget(
        str(spec.path),
        wanted.password,
        storetype=spec.storetype,
        lock_timeout=lock_timeout,
        targets=spec.targets,
        current_passwords=tuple(wanted.read_passwords()),
        # No password in the spec means a password-less store, new or not.
        passwordless=wanted.password is None,
        mode=spec.mode,
        owner=owner,
    )

    def change(store: StoreChange) -> tuple[StoreDiff, bool]:
        keystore = store.keystore
        fresh = StoreDiff(diff.keystore, storetype=keystore.storetype or diff.storetype)
        plan(keystore, wanted, fresh)
        fresh.password_changed = store.password_changes
        fresh.protection_changed = store.protection_outdated()
        return fresh, fresh.content_changed

    fresh, outcome = update_store(target, change, create=True)
    # What happened under the lock is the truth (another writer may have been first).
    diff.added, diff.replaced, diff.removed = fresh.added, fresh.replaced, fresh.removed
    diff.unchanged, diff.password_changed = fresh.unchanged, fresh.password_changed
    diff.protection_changed = fresh.protection_changed
    diff.created = outcome.created
    diff.written = outcome.written
