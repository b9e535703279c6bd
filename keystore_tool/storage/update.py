"""The locked read-modify-write of one store file and the atomic replace, and the writes built
on it (a new file, mode and owner, a whole store, a removal)."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from keystore_tool.errors import NotFoundError, StorageError
from keystore_tool.formats import DumpOptions, get_format
from keystore_tool.model import Keystore
from keystore_tool.password import Password
from keystore_tool.storage import locking
from keystore_tool.storage.files import (
    TEMP_MARK,
    fsync_directory,
    give_away,
    keep_owner,
    new_mode,
    pause_at,
    process_alive,
    read_only_problem,
    refuse_hard_links,
    write_error,
)
from keystore_tool.storage.locking import DEFAULT_LOCK_TIMEOUT, LockUnavailable
from keystore_tool.storage.paths import (
    CLOEXEC,
    Resolved,
    is_shared,
    open_regular,
    refuse_special,
    resolve,
    resolve_store_path,
    user,
)
from keystore_tool.storage.reading import read_fd


class StoreUpdate:
    """A locked read-modify-write of one store file.

    ``current`` holds the file's bytes as read under the lock (``None`` when it does not
    exist). :meth:`replace` writes new bytes beside it and renames them into place; nothing
    reaches the target unless the whole new content is on disk.

    A store in a place the caller cannot write (a read-only directory or file system) is
    still read, without the lock, so that a command with nothing to change succeeds there:
    nobody can be writing it through ks without that lock, and :meth:`replace` then fails
    with the reason the lock could not be taken.
    """

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float) -> None:
        self.requested = Path(path)
        self.target = resolve_store_path(path)
        self.lock_timeout = lock_timeout
        self.current: bytes | None = None
        self.written = False
        self._lock_fd: int | None = None
        self._lock_problem: StorageError | None = None
        self._locked_at = 0.0
        self._resolved: Resolved | None = None
        self._stat: os.stat_result | None = None

    def __enter__(self) -> StoreUpdate:
        resolved = resolve(self.requested)
        self._resolved = resolved
        try:
            self.target = resolved.path
            existing = resolved.lstat()
            if existing is not None:
                refuse_special(existing, self.target, "keystore")
            self._lock(existing)
            pause_at("locked")
            self.current = self._read_current()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None
        if self._resolved is not None:
            self._resolved.close()
            self._resolved = None

    @property
    def lock_path(self) -> Path:
        """The lock file beside the store."""
        return locking.lock_path(self.target)

    def _dir(self) -> Resolved:
        assert self._resolved is not None, "StoreUpdate used outside its with-block"
        return self._resolved

    def _read_current(self) -> bytes | None:
        resolved = self._dir()
        if resolved.lstat() is None:
            self._stat = None
            return None
        fd, st = open_regular(resolved, self.target, "keystore")
        try:
            self._stat = st
            return read_fd(fd, st, self.target, "keystore")
        finally:
            os.close(fd)

    def _lock(self, existing: os.stat_result | None) -> None:
        import time

        try:
            fd = locking.open_lock(self._dir(), self.target, existing)
        except LockUnavailable as unavailable:
            self._lock_problem = unavailable.problem
            return
        locking.take(fd, self.target, self.lock_timeout)
        self._lock_fd = fd
        self._locked_at = time.time()

    def _require_lock(self) -> None:
        if self._lock_fd is None:
            raise self._lock_problem or StorageError(f"cannot lock {self.target}")

    # -- writing

    def replace(
        self,
        data: bytes,
        *,
        holds_private_key: bool,
        wholesale: bool = False,
        mode: int | None = None,
        owner: tuple[int, int] | None = None,
        unencrypted_key: bool = False,
    ) -> None:
        """Atomically puts ``data`` in place of the store: mode and owner kept, except that a
        new file, or one replaced ``wholesale``, that holds a private key is 0600, and a file
        others could read that now holds an ``unencrypted_key`` becomes 0600 (with a
        warning). ``mode`` and ``owner`` (uid, gid), when given, are what the file gets.
        Both are set on the temporary file's descriptor before the rename."""
        resolved = self._dir()
        self._require_lock()
        st = self._check_replaceable()
        if mode is None:
            mode = new_mode(
                st,
                self.target,
                holds_private_key=holds_private_key,
                wholesale=wholesale,
                unencrypted_key=unencrypted_key,
            )
        self._remove_stale_temps()
        temp = self._write_temp(data, st, mode, owner)
        try:
            pause_at("temp-synced")
            os.replace(
                temp, self.target.name, src_dir_fd=resolved.dir_fd, dst_dir_fd=resolved.dir_fd
            )
        except BaseException as exc:
            self._discard(temp)
            if isinstance(exc, OSError):
                raise write_error(exc, resolved.directory) from exc
            raise
        pause_at("renamed")
        fsync_directory(resolved.dir_fd)
        self.written = True
        self.current = data

    def _check_replaceable(self) -> os.stat_result | None:
        """The store's status, after refusing what must not be replaced: a special, planted,
        read-only or hard-linked file, or a read-only directory."""
        resolved = self._dir()
        st = resolved.lstat()
        if st is not None:
            refuse_special(st, self.target, "keystore")
            self._refuse_shared_file(st)
            problem = read_only_problem(None, self.target, "file", st)
            if problem is not None:
                raise problem
            refuse_hard_links(st, self.target)
        problem = read_only_problem(resolved.dir_fd, resolved.directory, "directory")
        if problem is not None:
            raise problem
        return st

    def _write_temp(
        self, data: bytes, st: os.stat_result | None, mode: int, owner: tuple[int, int] | None
    ) -> str:
        """A temporary file beside the store holding ``data``, synced, with its final owner
        and mode; its name."""
        import secrets

        resolved = self._dir()
        temp = f".{self.target.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            fd = os.open(
                temp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | CLOEXEC,
                0o600,
                dir_fd=resolved.dir_fd,
            )
        except OSError as exc:
            raise write_error(exc, resolved.directory) from exc
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                pause_at("temp-written")
                # Owner first: chown clears the set-id bits a mode may carry.
                if owner is not None:
                    give_away(fd, owner, self.target)
                elif st is not None:
                    keep_owner(fd, st, self.target)
                os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException as exc:
            self._discard(temp)
            if isinstance(exc, OSError):
                raise write_error(exc, resolved.directory) from exc
            raise
        return temp

    def _discard(self, temp: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=self._dir().dir_fd)

    def set_metadata(self, mode: int | None, owner: tuple[int, int] | None) -> bool:
        """Gives the existing store ``mode`` and ``owner`` where they differ, on a descriptor
        opened without following a link (the content, inode and mtime stay); True when
        something changed."""
        resolved = self._dir()
        if self.current is None:
            raise NotFoundError(f"file not found: {self.target}")
        fd, st = open_regular(resolved, self.target, "keystore")
        try:
            if self._stat is not None and (st.st_dev, st.st_ino) != (
                self._stat.st_dev,
                self._stat.st_ino,
            ):
                raise StorageError(f"{self.target} was replaced while ks held its lock")
            changed = False
            if owner is not None and (st.st_uid, st.st_gid) != owner:
                self._refuse_shared_file(st)
                give_away(fd, owner, self.target)
                changed = True
            if mode is not None and (changed or stat.S_IMODE(st.st_mode) != mode):
                self._refuse_shared_file(st)
                try:
                    os.fchmod(fd, mode)
                except PermissionError as exc:
                    raise StorageError(
                        f"cannot set the mode of {self.target}: permission denied"
                    ) from exc
                changed = changed or stat.S_IMODE(st.st_mode) != mode
            return changed
        finally:
            os.close(fd)

    def remove(self) -> bool:
        """Deletes the store's name (a link loses only itself); True when a file was removed."""
        if self.current is None:
            return False
        self._require_lock()
        name = resolve(self.requested, follow_final=False)
        try:
            problem = read_only_problem(name.dir_fd, name.directory, "directory")
            if problem is not None:
                raise problem
            try:
                os.unlink(name.name, dir_fd=name.dir_fd)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise write_error(exc, name.directory) from exc
            fsync_directory(name.dir_fd)
        finally:
            name.close()
        self.written = True
        return True

    def _refuse_shared_file(self, st: os.stat_result) -> None:
        """fs.protected_regular in user space: in a sticky world-writable directory, a file
        that belongs to neither the caller nor the directory's owner was put there by someone
        else, who would keep owning (and reading) what ks writes into it."""
        directory = os.fstat(self._dir().dir_fd)
        if not is_shared(directory) or st.st_uid in (os.geteuid(), directory.st_uid):
            return
        raise StorageError(
            f"refusing to replace {self.target}: it is in the shared directory "
            f"{self.target.parent} (sticky and world-writable) and belongs to "
            f"{user(st.st_uid)}, neither you nor the directory's owner; another user may have "
            "put it there. Write to a private directory"
        )

    def _remove_stale_temps(self) -> None:
        """Removes the temporary files of writers of this store that were killed mid-write.
        Called under the lock, where no live writer of this store can have one; a temp file is
        removed only when its process is gone and it is older than this lock."""
        import re

        resolved = self._dir()
        pattern = re.compile(re.escape(f".{self.target.name}{TEMP_MARK}") + r"(\d+)-[0-9a-f]+")
        try:
            names = os.listdir(resolved.dir_fd)
        except OSError:
            return  # an O_PATH descriptor (a directory we may search but not list)
        for name in names:
            match = pattern.fullmatch(name)
            if match is None or int(match.group(1)) == os.getpid():
                continue
            if process_alive(int(match.group(1))):
                continue
            try:
                st = os.stat(name, dir_fd=resolved.dir_fd, follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_mtime < self._locked_at:
                    os.unlink(name, dir_fd=resolved.dir_fd)
            except OSError:
                continue


def set_mode_and_owner(
    path: str | os.PathLike[str],
    mode: int | None,
    owner: tuple[int, int] | None,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> bool:
    """Gives an existing file ``mode`` and ``owner`` (uid, gid) where they differ; True when
    something changed. Only the metadata changes: the content and mtime stay. Set under the
    store's lock on a descriptor opened without following a link, never on the path."""
    with StoreUpdate(path, lock_timeout) as update:
        return update.set_metadata(mode, owner)


def write_new_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    holds_private_key: bool,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Creates or wholly replaces a file (a bundle, an export, a fetched chain, a conversion):
    the same guarantees as a store update, and the same refusals (special files, planted
    links)."""
    with StoreUpdate(path, lock_timeout) as update:
        update.replace(data, holds_private_key=holds_private_key, wholesale=True)


def save_store(
    path: str | os.PathLike[str],
    keystore: Keystore,
    password: Password | None,
    *,
    storetype: str | None = None,
    options: DumpOptions | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Writes ``keystore`` to ``path`` whole, with the lock and atomic replace of every write
    (0600 when it holds keys). The type is ``storetype``, else the keystore's own, else the
    file name's (CLI.md's rule for a new file)."""
    from keystore_tool.formats import format_for_new_file

    name = storetype or keystore.storetype
    fmt = get_format(name) if name else format_for_new_file(os.fspath(path), None)
    data = fmt.dump(keystore, password, options)
    write_new_file(path, data, holds_private_key=keystore.holds_keys(), lock_timeout=lock_timeout)


def remove_store(path: str | os.PathLike[str], lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> bool:
    """Deletes a store under its lock (a writer holding it finishes first); True when a file
    was removed, False when there was none. A store reached through a symlink loses only the
    link: the file it points to (perhaps one the system manages) stays."""
    with StoreUpdate(path, lock_timeout) as update:
        return update.remove()
