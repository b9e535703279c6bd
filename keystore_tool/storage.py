"""The only code that touches store files.

Reading: the file's bytes, its format detected from content, parsed by the adapter.
Writing (the locked read-modify-write and atomic replace) lives here too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from keystore_tool.errors import FormatError, NotFoundError, StorageError, UsageError
from keystore_tool.formats import DumpOptions, LoadOptions, StoreFormat, detect, get_format
from keystore_tool.model import Keystore
from keystore_tool.password import Password

# A keystore larger than this is not a keystore (a 50,000-entry PKCS12 is about 60 MB).
MAX_STORE_BYTES = 1 << 30


def read_file(path: str | os.PathLike[str], what: str = "keystore") -> bytes:
    """The bytes of an input file, with the contract's errors for missing or unreadable ones."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_STORE_BYTES:
            raise FormatError(f"{p} is {size:,} bytes, too large to be a {what}")
        return p.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"{what} file not found: {p}") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{p} is a directory, not a {what} file") from exc
    except PermissionError as exc:
        raise StorageError(f"cannot read {p}: permission denied") from exc
    except OSError as exc:
        raise StorageError(f"cannot read {p}: {exc.strerror or exc}") from exc


def read_prefix(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a file: enough to tell its format without reading it all."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except FileNotFoundError as exc:
        raise NotFoundError(f"file not found: {path}") from exc
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def load_bytes(
    data: bytes,
    password: Password | None = None,
    *,
    storetype: str | None = None,
    options: LoadOptions | None = None,
) -> Keystore:
    """Parses a store; ``storetype`` is only checked against what the content says."""
    fmt = detect(data)
    check_storetype(fmt, storetype)
    return fmt.load(data, password, options)


def check_storetype(fmt: StoreFormat, storetype: str | None) -> None:
    if storetype and get_format(storetype).name != fmt.name:
        raise UsageError(
            f"--storetype {storetype.lower()} contradicts the file, which is {fmt.name}; "
            "drop --storetype or name another file"
        )


def load_store(
    path: str | os.PathLike[str],
    password: Password | None = None,
    *,
    storetype: str | None = None,
    options: LoadOptions | None = None,
) -> Keystore:
    """Reads and parses the store at ``path``."""
    return load_bytes(read_file(path), password, storetype=storetype, options=options)


def dump_bytes(
    keystore: Keystore,
    storetype: str,
    password: Password | None = None,
    options: DumpOptions | None = None,
) -> bytes:
    """Serialises a keystore in ``storetype`` (see :func:`load_bytes` for the way back)."""
    return get_format(storetype).dump(keystore, password, options)


# --- Writing -------------------------------------------------------------------------------

DEFAULT_LOCK_TIMEOUT = 60.0

# Tests make each step of a write reachable: with KS_PAUSE_AT=<point> the writer announces the
# point by creating KS_PAUSE_FILE and then waits there, so a test can SIGKILL it exactly there.
PAUSE_POINTS = ("locked", "temp-written", "temp-synced", "renamed")


def _pause_at(point: str) -> None:
    if os.environ.get("KS_PAUSE_AT") != point:
        return
    import time

    marker = os.environ.get("KS_PAUSE_FILE")
    if marker:
        Path(marker).write_text(point)
    time.sleep(float(os.environ.get("KS_PAUSE_SECONDS", "30")))


def resolve_store_path(path: str | os.PathLike[str]) -> Path:
    """The file a write really changes: symlinks followed, ``..`` removed, so that every
    spelling of one store shares one lock and a symlinked store is updated through its link."""
    return Path(os.path.realpath(os.fspath(path)))


class StoreUpdate:
    """A locked read-modify-write of one store file.

    ``current`` holds the file's bytes as read under the lock (``None`` when it does not
    exist). :meth:`replace` writes new bytes beside it and renames them into place; nothing
    reaches the target unless the whole new content is on disk.
    """

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float) -> None:
        self.requested = Path(path)
        self.target = resolve_store_path(path)
        self.lock_timeout = lock_timeout
        self.current: bytes | None = None
        self.written = False
        self._lock_fd: int | None = None

    def __enter__(self) -> StoreUpdate:
        self._lock()
        try:
            _pause_at("locked")
            self.current = read_file(self.target) if self.target.exists() else None
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._unlock()

    @property
    def lock_path(self) -> Path:
        return self.target.with_name(f".{self.target.name}.ks-lock")

    def _lock(self) -> None:
        import fcntl
        import time

        directory = self.target.parent
        if not directory.is_dir():
            raise NotFoundError(f"directory not found: {directory}")
        _refuse_read_only(directory, "directory")
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except PermissionError as exc:
            raise StorageError(
                f"cannot write in {directory}: permission denied; the store is unchanged"
            ) from exc
        except OSError as exc:
            raise StorageError(f"cannot create a lock file in {directory}: {exc.strerror}") from exc
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StorageError(
                        f"another process has held the lock on {self.target} for "
                        f"{self.lock_timeout:g} s; try again or raise --lock-timeout"
                    ) from None
                time.sleep(0.01)
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def replace(self, data: bytes, *, holds_private_key: bool, wholesale: bool = False) -> None:
        """Atomically puts ``data`` in place of the store: mode and owner kept, except that a
        new file, or one replaced ``wholesale``, that holds a private key is 0600."""
        target = self.target
        directory = target.parent
        try:
            st: os.stat_result | None = target.stat()
        except FileNotFoundError:
            st = None
        if st is not None:
            _refuse_read_only(target, "file")
            mode = 0o600 if wholesale and holds_private_key else st.st_mode & 0o7777
        else:
            mode = 0o600 if holds_private_key else 0o666 & ~_umask()
        import secrets

        temp = directory / f".{target.name}.ks-tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise _write_error(exc, directory) from exc
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                _pause_at("temp-written")
                os.fchmod(fd, mode)
                if st is not None and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                    # Only root can give a file away; the mode is still kept.
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, st.st_uid, st.st_gid)
                os.fsync(fd)
            finally:
                os.close(fd)
            _pause_at("temp-synced")
            os.replace(temp, target)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            if isinstance(exc, OSError):
                raise _write_error(exc, directory) from exc
            raise
        _pause_at("renamed")
        _fsync_directory(directory)
        self.written = True
        self.current = data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _refuse_read_only(path: Path, what: str) -> None:
    # Checked on the mode bits, not os.access: root may write anywhere, but a store or a
    # directory that its owner made read-only says "leave me alone".
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if not mode & 0o222:
        raise StorageError(
            f"the {what} {path} is read-only; make it writable (chmod u+w) or write elsewhere"
        )


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def _write_error(exc: OSError, directory: Path) -> StorageError:
    import errno

    if exc.errno == errno.ENOSPC:
        return StorageError(f"no space left on the device of {directory}; the store is unchanged")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write in {directory}: {exc.strerror}; the store is unchanged")
    return StorageError(
        f"writing in {directory} failed: {exc.strerror or exc}; the store is unchanged"
    )


def set_mode_and_owner(
    path: str | os.PathLike[str], mode: int | None, owner: tuple[int, int] | None
) -> bool:
    """Gives an existing file ``mode`` and ``owner`` (uid, gid) where they differ; True when
    something changed. Only the metadata changes: the content and mtime stay."""
    changed = False
    try:
        st = os.stat(path)
        if mode is not None and st.st_mode & 0o7777 != mode:
            os.chmod(path, mode)
            changed = True
        if owner is not None and (st.st_uid, st.st_gid) != owner:
            os.chown(path, *owner)
            changed = True
    except PermissionError as exc:
        raise StorageError(f"cannot set the mode or owner of {path}: permission denied") from exc
    except FileNotFoundError as exc:
        raise NotFoundError(f"file not found: {path}") from exc
    return changed


def write_new_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    holds_private_key: bool,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Creates or wholly replaces a file (bundle-p12, export --key, convert): same guarantees."""
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
        if update.current is None:
            return False
        target = update.requested
        _refuse_read_only(target.parent, "directory")
        try:
            os.unlink(target)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise _write_error(exc, target.parent) from exc
        _fsync_directory(target.parent)
        update.written = True
        return True
