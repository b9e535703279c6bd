"""The lock beside a store (``.NAME.ks-lock``): created or opened without following a link,
shared with the store's group when the store is, taken with ``flock`` within a timeout."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from keystore_tool.errors import Remedy, StorageError
from keystore_tool.storage.files import read_only_problem, write_error
from keystore_tool.storage.paths import OPEN_EXISTING, Resolved, kind

DEFAULT_LOCK_TIMEOUT = 60.0


class LockUnavailable(Exception):
    """No lock file can be created or opened here; ``problem`` is the error a write gets."""

    def __init__(self, problem: StorageError) -> None:
        super().__init__(problem.message)
        self.problem = problem


def lock_path(target: Path) -> Path:
    """The lock file of the store ``target``."""
    return target.with_name(f".{target.name}.ks-lock")


def open_lock(resolved: Resolved, target: Path, existing: os.stat_result | None) -> int:
    """The descriptor of the store's lock file, never through a link; raises
    :class:`LockUnavailable` where it can neither be created nor opened (a read-only place)."""
    read_only = read_only_problem(resolved.dir_fd, resolved.directory, "directory")
    fd = _create(resolved, target) if read_only is None else None
    created = fd is not None
    if fd is None:
        fd = _open_existing(resolved, target, read_only)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StorageError(
                f"the lock file {lock_path(target)} is a {kind(st.st_mode)}, not a regular "
                "file: remove it"
            )
        if existing is not None and existing.st_mode & stat.S_IWGRP:
            _share(fd, st, existing, created)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _create(resolved: Resolved, target: Path) -> int | None:
    """A new lock file, or None when one exists."""
    try:
        return os.open(
            lock_path(target).name,
            os.O_RDWR | os.O_CREAT | os.O_EXCL | OPEN_EXISTING,
            0o600,
            dir_fd=resolved.dir_fd,
        )
    except FileExistsError:
        return None
    except OSError as exc:
        raise LockUnavailable(write_error(exc, resolved.directory)) from exc


def _open_existing(resolved: Resolved, target: Path, read_only: StorageError | None) -> int:
    path = lock_path(target)
    for flags in (os.O_RDWR, os.O_RDONLY):  # flock works on a read-only descriptor
        try:
            return os.open(path.name, flags | OPEN_EXISTING, dir_fd=resolved.dir_fd)
        except FileNotFoundError:
            raise LockUnavailable(
                read_only
                or StorageError(
                    f"cannot create a lock file in {resolved.directory}; the store is unchanged"
                )
            ) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StorageError(
                    f"the lock file {path} is a symbolic link; ks never "
                    "follows one (another user may have planted it to redirect the "
                    "write): remove it"
                ) from exc
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise StorageError(f"cannot open the lock file {path}: {exc.strerror}") from exc
    raise LockUnavailable(
        StorageError(f"cannot open the lock file {path}: permission denied; the store is unchanged")
    )


def _share(fd: int, lock: os.stat_result, store: os.stat_result, created: bool) -> None:
    """The lock of a group-writable store is group-writable, in the store's group, so
    that every member can take it. An old lock is fixed only when it is ours and has one
    name (a hard link to some other file is never changed)."""
    if not created and (lock.st_uid != os.geteuid() or lock.st_nlink != 1):
        return
    if lock.st_gid != store.st_gid:
        with contextlib.suppress(PermissionError):
            os.fchown(fd, -1, store.st_gid)
    if stat.S_IMODE(lock.st_mode) & 0o060 != 0o060 or created:
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, 0o660)


def take(fd: int, target: Path, timeout: float) -> None:
    """``flock`` on ``fd``, waiting at most ``timeout`` seconds; the descriptor is closed
    when the lock is not had."""
    import fcntl
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StorageError(
                    f"another process has held the lock on {target} for {timeout:g} s",
                    store=str(target),
                    remedy=Remedy.RAISE_LOCK_TIMEOUT,
                ) from None
            time.sleep(0.01)
