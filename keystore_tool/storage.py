"""The only code that touches store files.

Reading: the file's bytes, its format detected from content, parsed by the adapter.
Writing (the locked read-modify-write and atomic replace) lives here too.

``ks`` runs as root in shared directories, so every path is treated as something an attacker
may have prepared (DESIGN.md, fact 15):

- A path is resolved one component at a time from directory descriptors, never with
  ``realpath``: a symbolic link in a sticky world-writable directory (``/tmp``) is followed
  only when its owner is the caller or the directory's owner, the rule the kernel applies
  with ``fs.protected_symlinks`` (which may be off, as it is on many containers). A link whose
  target does not exist is never followed to create a file.
- Only regular files are read or replaced. The type is decided from ``fstat`` of a descriptor
  opened ``O_NONBLOCK | O_NOFOLLOW``: a FIFO never blocks, a device is never read or replaced.
- Every later step works relative to the descriptor of the resolved directory, so swapping a
  path component after the check changes nothing; mode and owner are set on the temporary
  file's descriptor before the rename, never on a path afterwards.
- A file with several hard links is refused rather than split by the rename.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

from keystore_tool.errors import (
    FormatError,
    KsWarning,
    NotFoundError,
    StorageError,
    UsageError,
)
from keystore_tool.formats import DumpOptions, LoadOptions, StoreFormat, detect, get_format
from keystore_tool.model import Keystore
from keystore_tool.password import Password

# A keystore larger than this is not a keystore (a 50,000-entry PKCS12 is about 60 MB).
MAX_STORE_BYTES = 1 << 30

# Linux's own limit on symbolic links followed while resolving one path.
_MAX_LINKS = 40

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_PATH = getattr(os, "O_PATH", os.O_RDONLY)
_OPEN_DIRECTORY = _PATH | os.O_DIRECTORY | _CLOEXEC
_OPEN_EXISTING = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC


# --- Paths ---------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, name in (
        (stat.S_ISDIR, "directory"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO (named pipe)"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISLNK, "symbolic link"),
    ):
        if test(mode):
            return name
    return "special file"


def _user(uid: int) -> str:
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, OverflowError):
        return f"uid {uid}"


def _group(gid: int) -> str:
    import grp

    try:
        return f"{grp.getgrgid(gid).gr_name} (gid {gid})"
    except (KeyError, OverflowError):
        return f"gid {gid}"


def _is_shared(directory_stat: os.stat_result) -> bool:
    """A sticky, world-writable directory: everyone may create names there (/tmp)."""
    mode = directory_stat.st_mode
    return bool(mode & stat.S_ISVTX and mode & stat.S_IWOTH)


def _join(parts: list[str], name: str = "") -> Path:
    return Path("/" + "/".join([*parts, name] if name else parts))


class _Resolved:
    """A path resolved to a directory descriptor and a final name (which may not exist).

    ``directory`` is the directory's path without symbolic links, for messages and for the
    lock's name; every operation uses ``dir_fd``. Close it with :meth:`close`.
    """

    def __init__(self, dir_fd: int, directory: Path, name: str) -> None:
        self.dir_fd = dir_fd
        self.directory = directory
        self.name = name

    @property
    def path(self) -> Path:
        return self.directory / self.name

    def lstat(self) -> os.stat_result | None:
        try:
            return os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def close(self) -> None:
        if self.dir_fd >= 0:
            os.close(self.dir_fd)
            self.dir_fd = -1


def _resolve(
    path: str | os.PathLike[str], *, writing: bool = True, follow_final: bool = True
) -> _Resolved:
    """Resolves ``path`` as the kernel would, one component at a time from directory
    descriptors, applying the protected-symlinks rule to every link on the way (and, for a
    write as root, refusing links of other users). The final component is followed when it
    is a link; a link to nothing is refused."""
    text = os.fspath(path)
    if not text:
        raise UsageError("an empty path names no file")
    if "\0" in text:
        raise UsageError("a path cannot contain a NUL character")
    absolute = text if text.startswith("/") else os.path.join(os.getcwd(), text)
    pending = [c for c in absolute.split("/") if c not in ("", ".")]
    pending.reverse()  # a stack: the next component is pending[-1]
    parts: list[str] = []
    fd = os.open("/", _OPEN_DIRECTORY)
    links = 0
    final_link: Path | None = None  # the link the final name came from, if any
    try:
        while pending:
            component = pending.pop()
            if component in ("", "."):
                continue
            if component == "..":
                parent = os.open("..", _OPEN_DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = parent
                if parts:
                    parts.pop()
                continue
            last = not pending
            try:
                st = os.stat(component, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                if last:
                    if final_link is not None:
                        raise StorageError(
                            f"{text} is a symbolic link ({final_link}) to "
                            f"{_join(parts, component)}, which does not exist; ks does not "
                            "create a file through a dangling link: create the target first "
                            "or remove the link"
                        ) from None
                    return _finish(fd, parts, component)
                raise NotFoundError(f"directory not found: {_join(parts, component)}") from None
            except PermissionError as exc:
                raise StorageError(
                    f"cannot look up {_join(parts, component)}: permission denied"
                ) from exc
            if stat.S_ISLNK(st.st_mode) and (follow_final or not last):
                link = _join(parts, component)
                _check_protected_symlink(fd, link, st, text, writing)
                links += 1
                if links > _MAX_LINKS:
                    raise StorageError(f"{text}: too many levels of symbolic links")
                try:
                    target = os.readlink(component, dir_fd=fd)
                except OSError as exc:  # replaced by a file since the lstat
                    raise StorageError(
                        f"{link} changed while ks resolved {text}: {exc.strerror}"
                    ) from exc
                if target.startswith("/"):
                    root = os.open("/", _OPEN_DIRECTORY)
                    os.close(fd)
                    fd = root
                    parts = []
                expansion = [c for c in target.split("/") if c not in ("", ".")]
                pending.extend(reversed(expansion))
                if last:
                    final_link = link
                continue
            if last:
                return _finish(fd, parts, component)
            if not stat.S_ISDIR(st.st_mode):
                raise UsageError(f"{text}: {_join(parts, component)} is not a directory")
            try:
                child = os.open(component, _OPEN_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                raise StorageError(
                    f"cannot open the directory {_join(parts, component)}: {exc.strerror}"
                ) from exc
            os.close(fd)
            fd = child
            parts.append(component)
        # The path ended on "..", "." or "/": it names a directory.
        raise UsageError(f"{text} is a directory, not a file")
    except OSError as exc:  # e.g. a directory removed or replaced during the walk
        os.close(fd)
        raise StorageError(f"cannot resolve {text}: {exc.strerror or exc}") from exc
    except BaseException:
        os.close(fd)
        raise


def _finish(fd: int, parts: list[str], name: str) -> _Resolved:
    """The walk's last directory, reopened for reading where allowed (an ``O_PATH``
    descriptor can name files but cannot be listed or synced)."""
    try:
        readable = os.open(".", os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC, dir_fd=fd)
    except OSError:
        return _Resolved(fd, _join(parts), name)
    os.close(fd)
    return _Resolved(readable, _join(parts), name)


def _check_protected_symlink(
    dir_fd: int, link: Path, link_stat: os.stat_result, text: str, writing: bool
) -> None:
    """fs.protected_symlinks in user space: in a sticky world-writable directory, a link is
    followed only when it belongs to the caller or to the directory's owner. Root, to write,
    also follows no link of another user wherever it is: its owner could point it at any file
    (``/etc/shadow``) and have root replace, chmod or chown that file."""
    owner = link_stat.st_uid
    euid = os.geteuid()
    if owner == euid:
        return
    directory = os.fstat(dir_fd)
    if _is_shared(directory) and owner != directory.st_uid:
        raise StorageError(
            f"refusing to follow the symbolic link {link} (for {text}): it is in the shared "
            f"directory {link.parent} (sticky and world-writable) and belongs to "
            f"{_user(owner)}, neither you nor the directory's owner; another user may have "
            "planted it. Name the real file, or move the store out of the shared directory"
        )
    if writing and euid == 0 and owner != 0:
        raise StorageError(
            f"refusing to write through the symbolic link {link} (for {text}) as root: it "
            f"belongs to {_user(owner)}, who could point it at any file. Name the real file"
        )


def resolve_store_path(path: str | os.PathLike[str]) -> Path:
    """The file a write really changes: symlinks followed (under the protected-symlinks rule),
    ``..`` applied as the kernel does, so that every spelling of one store shares one lock and
    a symlinked store is updated through its link."""
    resolved = _resolve(path)
    try:
        return resolved.path
    finally:
        resolved.close()


def _refuse_special(st: os.stat_result, shown: str | os.PathLike[str], what: str) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown} is a directory, not a {what} file")
    raise StorageError(
        f"{shown} is a {_kind(st.st_mode)}, not a regular file; ks reads and writes only "
        "regular files"
    )


def _open_regular(
    resolved: _Resolved, shown: str | os.PathLike[str], what: str, flags: int = os.O_RDONLY
) -> tuple[int, os.stat_result]:
    """A descriptor of the existing regular file ``resolved`` names, and its fstat. Opened
    without following a link and without blocking; anything but a regular file is refused
    (checked first on the name, so that a device is not even opened, then on the descriptor,
    which is what counts)."""
    before = resolved.lstat()
    if before is None:
        raise NotFoundError(f"{what} file not found: {shown}")
    _refuse_special(before, shown, what)
    try:
        fd = os.open(resolved.name, flags | _OPEN_EXISTING, dir_fd=resolved.dir_fd)
    except FileNotFoundError as exc:
        raise NotFoundError(f"{what} file not found: {shown}") from exc
    except PermissionError as exc:
        raise StorageError(f"cannot read {shown}: permission denied") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StorageError(
                f"{shown} was replaced by a symbolic link while ks opened it; nothing was read"
            ) from exc
        raise StorageError(f"cannot open {shown}: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        _refuse_special(st, shown, what)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _read_fd(fd: int, st: os.stat_result, shown: str | os.PathLike[str], what: str) -> bytes:
    if st.st_size > MAX_STORE_BYTES:
        raise FormatError(f"{shown} is {st.st_size:,} bytes, too large to be a {what}")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, max(st.st_size - total, 0) + 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_STORE_BYTES:  # it grew while being read
            raise FormatError(f"{shown} is more than {MAX_STORE_BYTES:,} bytes, not a {what}")


@contextlib.contextmanager
def _opened_input(path: str | os.PathLike[str], what: str) -> Iterator[tuple[int, os.stat_result]]:
    try:
        resolved = _resolve(path, writing=False)
    except NotFoundError:
        raise NotFoundError(f"{what} file not found: {path}") from None
    try:
        fd, st = _open_regular(resolved, path, what)
        try:
            yield fd, st
        finally:
            os.close(fd)
    finally:
        resolved.close()


def read_file(path: str | os.PathLike[str], what: str = "keystore") -> bytes:
    """The bytes of an input file, with the contract's errors for missing, unreadable or
    special ones (a FIFO, device, socket or directory is refused, never read)."""
    try:
        with _opened_input(path, what) as (fd, st):
            return _read_fd(fd, st, path, what)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_prefix(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a file: enough to tell its format without reading it all."""
    try:
        with _opened_input(path, "input") as (fd, _):
            return os.read(fd, size)
    except NotFoundError as exc:
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

_TEMP_MARK = ".ks-tmp-"


def _pause_at(point: str) -> None:
    if os.environ.get("KS_PAUSE_AT") != point:
        return
    import time

    marker = os.environ.get("KS_PAUSE_FILE")
    if marker:
        Path(marker).write_text(point)
    # A test that removes the marker lets the writer go on at once.
    deadline = time.monotonic() + float(os.environ.get("KS_PAUSE_SECONDS", "30"))
    while time.monotonic() < deadline and (not marker or os.path.exists(marker)):
        time.sleep(0.01)


def _warn(message: str) -> None:
    warnings.warn(message, KsWarning, stacklevel=3)


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
        self._resolved: _Resolved | None = None
        self._stat: os.stat_result | None = None

    def __enter__(self) -> StoreUpdate:
        resolved = _resolve(self.requested)
        self._resolved = resolved
        try:
            self.target = resolved.path
            existing = resolved.lstat()
            if existing is not None:
                _refuse_special(existing, self.target, "keystore")
            self._lock(existing)
            _pause_at("locked")
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
        return self.target.with_name(f".{self.target.name}.ks-lock")

    def _dir(self) -> _Resolved:
        assert self._resolved is not None, "StoreUpdate used outside its with-block"
        return self._resolved

    def _read_current(self) -> bytes | None:
        resolved = self._dir()
        if resolved.lstat() is None:
            self._stat = None
            return None
        fd, st = _open_regular(resolved, self.target, "keystore")
        try:
            self._stat = st
            return _read_fd(fd, st, self.target, "keystore")
        finally:
            os.close(fd)

    # -- the lock

    def _lock(self, existing: os.stat_result | None) -> None:
        import fcntl
        import time

        fd = self._open_lock(existing)
        if fd is None:
            return
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
        self._locked_at = time.time()

    def _open_lock(self, existing: os.stat_result | None) -> int | None:
        """The lock file's descriptor, never through a link; ``None`` (with the reason kept
        for :meth:`replace`) where it can neither be created nor opened."""
        resolved = self._dir()
        directory = resolved.directory
        name = self.lock_path.name
        group_shared = existing is not None and bool(existing.st_mode & stat.S_IWGRP)
        read_only = _read_only_problem(resolved.dir_fd, directory, "directory")
        fd: int | None = None
        created = False
        if read_only is None:
            try:
                fd = os.open(
                    name,
                    os.O_RDWR | os.O_CREAT | os.O_EXCL | _OPEN_EXISTING,
                    0o600,
                    dir_fd=resolved.dir_fd,
                )
                created = True
            except FileExistsError:
                pass
            except OSError as exc:
                self._lock_problem = _write_error(exc, directory)
                return None
        if fd is None:
            for flags in (os.O_RDWR, os.O_RDONLY):  # flock works on a read-only descriptor
                try:
                    fd = os.open(name, flags | _OPEN_EXISTING, dir_fd=resolved.dir_fd)
                    break
                except FileNotFoundError:
                    self._lock_problem = read_only or StorageError(
                        f"cannot create a lock file in {directory}; the store is unchanged"
                    )
                    return None
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        raise StorageError(
                            f"the lock file {self.lock_path} is a symbolic link; ks never "
                            "follows one (another user may have planted it to redirect the "
                            "write): remove it"
                        ) from exc
                    if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                        raise StorageError(
                            f"cannot open the lock file {self.lock_path}: {exc.strerror}"
                        ) from exc
            if fd is None:
                self._lock_problem = StorageError(
                    f"cannot open the lock file {self.lock_path}: permission denied; "
                    "the store is unchanged"
                )
                return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise StorageError(
                    f"the lock file {self.lock_path} is a {_kind(st.st_mode)}, not a regular "
                    "file: remove it"
                )
            if group_shared and existing is not None:
                self._share_lock(fd, st, existing, created)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _share_lock(fd: int, lock: os.stat_result, store: os.stat_result, created: bool) -> None:
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
        directory = resolved.directory
        target = self.target
        if self._lock_fd is None:
            raise self._lock_problem or StorageError(f"cannot lock {target}")
        st = resolved.lstat()
        if st is not None:
            _refuse_special(st, target, "keystore")
            self._refuse_shared_file(st)
            problem = _read_only_problem(None, target, "file", st)
            if problem is not None:
                raise problem
            _refuse_hard_links(st, target)
        problem = _read_only_problem(resolved.dir_fd, directory, "directory")
        if problem is not None:
            raise problem
        if mode is None:
            if st is None:
                mode = 0o600 if holds_private_key else 0o666 & ~_umask()
            elif wholesale and holds_private_key:
                mode = 0o600
            else:
                mode = stat.S_IMODE(st.st_mode)
                if unencrypted_key and mode & 0o004:
                    _warn(
                        f"{target} holds an unencrypted private key and was readable by "
                        f"everyone (mode {mode:04o}); it is now 0600"
                    )
                    mode = 0o600
        self._remove_stale_temps()
        import secrets

        temp = f".{target.name}{_TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            fd = os.open(
                temp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC,
                0o600,
                dir_fd=resolved.dir_fd,
            )
        except OSError as exc:
            raise _write_error(exc, directory) from exc
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                _pause_at("temp-written")
                # Owner first: chown clears the set-id bits a mode may carry.
                if owner is not None:
                    _give_away(fd, owner, target)
                elif st is not None:
                    _keep_owner(fd, st, target)
                os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
            _pause_at("temp-synced")
            os.replace(temp, target.name, src_dir_fd=resolved.dir_fd, dst_dir_fd=resolved.dir_fd)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=resolved.dir_fd)
            if isinstance(exc, OSError):
                raise _write_error(exc, directory) from exc
            raise
        _pause_at("renamed")
        _fsync_directory(resolved.dir_fd)
        self.written = True
        self.current = data

    def set_metadata(self, mode: int | None, owner: tuple[int, int] | None) -> bool:
        """Gives the existing store ``mode`` and ``owner`` where they differ, on a descriptor
        opened without following a link (the content, inode and mtime stay); True when
        something changed."""
        resolved = self._dir()
        if self.current is None:
            raise NotFoundError(f"file not found: {self.target}")
        fd, st = _open_regular(resolved, self.target, "keystore")
        try:
            if self._stat is not None and (st.st_dev, st.st_ino) != (
                self._stat.st_dev,
                self._stat.st_ino,
            ):
                raise StorageError(f"{self.target} was replaced while ks held its lock")
            changed = False
            if owner is not None and (st.st_uid, st.st_gid) != owner:
                self._refuse_shared_file(st)
                _give_away(fd, owner, self.target)
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

    def _refuse_shared_file(self, st: os.stat_result) -> None:
        """fs.protected_regular in user space: in a sticky world-writable directory, a file
        that belongs to neither the caller nor the directory's owner was put there by someone
        else, who would keep owning (and reading) what ks writes into it."""
        directory = os.fstat(self._dir().dir_fd)
        if not _is_shared(directory) or st.st_uid in (os.geteuid(), directory.st_uid):
            return
        raise StorageError(
            f"refusing to replace {self.target}: it is in the shared directory "
            f"{self.target.parent} (sticky and world-writable) and belongs to "
            f"{_user(st.st_uid)}, neither you nor the directory's owner; another user may have "
            "put it there. Write to a private directory"
        )

    def _remove_stale_temps(self) -> None:
        """Removes the temporary files of writers of this store that were killed mid-write.
        Called under the lock, where no live writer of this store can have one; a temp file is
        removed only when its process is gone and it is older than this lock."""
        import re

        resolved = self._dir()
        pattern = re.compile(re.escape(f".{self.target.name}{_TEMP_MARK}") + r"(\d+)-[0-9a-f]+")
        try:
            names = os.listdir(resolved.dir_fd)
        except OSError:
            return  # an O_PATH descriptor (a directory we may search but not list)
        for name in names:
            match = pattern.fullmatch(name)
            if match is None or int(match.group(1)) == os.getpid():
                continue
            if _process_alive(int(match.group(1))):
                continue
            try:
                st = os.stat(name, dir_fd=resolved.dir_fd, follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_mtime < self._locked_at:
                    os.unlink(name, dir_fd=resolved.dir_fd)
            except OSError:
                continue


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _give_away(fd: int, owner: tuple[int, int], target: Path) -> None:
    try:
        os.fchown(fd, *owner)
    except PermissionError as exc:
        raise StorageError(
            f"cannot make {target} owned by {owner[0]}:{owner[1]}: permission denied "
            "(only root can give a file away); the store is unchanged"
        ) from exc
    except OverflowError as exc:
        raise UsageError(f"owner {owner[0]}:{owner[1]} is out of range") from exc


def _keep_owner(fd: int, old: os.stat_result, target: Path) -> None:
    """The replacement keeps the old file's owner and group. A writer who is not root cannot
    keep another user's ownership, but keeps the group when it is one of theirs; what could
    not be kept is said once."""
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
        return
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
        return
    except PermissionError:
        pass
    group_kept = new.st_gid == old.st_gid
    if not group_kept:
        try:
            os.fchown(fd, -1, old.st_gid)
            group_kept = True
        except PermissionError:
            pass
    lost = []
    if new.st_uid != old.st_uid:
        lost.append(f"it now belongs to {_user(new.st_uid)} instead of {_user(old.st_uid)}")
    if group_kept:
        lost.append(f"its group {_group(old.st_gid)} is kept")
    else:
        lost.append(
            f"its group is now {_group(new.st_gid)} instead of {_group(old.st_gid)} (you are not "
            "a member), so members of the old group may lose access"
        )
    _warn(f"only root can give a file away: {target} was rewritten, {'; '.join(lost)}")


def _refuse_hard_links(st: os.stat_result, target: Path) -> None:
    """A rename would leave the other names on the old content: refused rather than split."""
    if st.st_nlink > 1:
        raise StorageError(
            f"{target} has {st.st_nlink} hard links; ks replaces a store by renaming a new file "
            "over it, which would leave the other names with the old content, so it refuses "
            "to write: keep one name (use a symbolic link for the others) or copy the file"
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_only_problem(
    dir_fd: int | None, path: Path, what: str, st: os.stat_result | None = None
) -> StorageError | None:
    # Checked on the mode bits, not os.access: root may write anywhere, but a store or a
    # directory that its owner made read-only says "leave me alone".
    if st is None:
        if dir_fd is None:
            return None
        try:
            st = os.fstat(dir_fd)
        except OSError:
            return None
    if st.st_mode & 0o222:
        return None
    return StorageError(
        f"the {what} {path} is read-only; make it writable (chmod u+w) or write elsewhere"
    )


def _fsync_directory(dir_fd: int) -> None:
    # Some file systems cannot sync a directory (and a directory we may only search gives
    # an O_PATH descriptor); the rename is atomic all the same.
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)


def _write_error(exc: OSError, directory: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(f"no space left on the device of {directory}; the store is unchanged")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write in {directory}: {exc.strerror}; the store is unchanged")
    return StorageError(
        f"writing in {directory} failed: {exc.strerror or exc}; the store is unchanged"
    )


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
    """Creates or wholly replaces a file (bundle-p12, export, fetch --out, convert): same
    guarantees as a store update, and the same refusals (special files, planted links)."""
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
        if update._lock_fd is None:
            raise update._lock_problem or StorageError(f"cannot lock {update.target}")
        name = _resolve(update.requested, follow_final=False)
        try:
            problem = _read_only_problem(name.dir_fd, name.directory, "directory")
            if problem is not None:
                raise problem
            try:
                os.unlink(name.name, dir_fd=name.dir_fd)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise _write_error(exc, name.directory) from exc
            _fsync_directory(name.dir_fd)
        finally:
            name.close()
        update.written = True
        return True
