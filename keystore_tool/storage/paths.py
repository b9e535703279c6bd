"""Resolving a path as the kernel would, from directory descriptors, and opening only regular
files (the rules are in the package's docstring)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from keystore_tool.errors import NotFoundError, StorageError, UsageError

# Linux's own limit on symbolic links followed while resolving one path.
_MAX_LINKS = 40

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_PATH = getattr(os, "O_PATH", os.O_RDONLY)
OPEN_DIRECTORY = _PATH | os.O_DIRECTORY | _CLOEXEC
OPEN_EXISTING = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC
CLOEXEC = _CLOEXEC


def kind(mode: int) -> str:
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


def user(uid: int) -> str:
    """A user for messages: name and uid, or the uid alone."""
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, OverflowError):
        return f"uid {uid}"


def group(gid: int) -> str:
    """A group for messages: name and gid, or the gid alone."""
    import grp

    try:
        return f"{grp.getgrgid(gid).gr_name} (gid {gid})"
    except (KeyError, OverflowError):
        return f"gid {gid}"


def is_shared(directory_stat: os.stat_result) -> bool:
    """A sticky, world-writable directory: everyone may create names there (/tmp)."""
    mode = directory_stat.st_mode
    return bool(mode & stat.S_ISVTX and mode & stat.S_IWOTH)


def _join(parts: list[str], name: str = "") -> Path:
    return Path("/" + "/".join([*parts, name] if name else parts))


def _components(path: str) -> list[str]:
    """The names of ``path`` as a stack: the next one to walk is the last."""
    names = [c for c in path.split("/") if c not in ("", ".")]
    names.reverse()
    return names


class Resolved:
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
        """The resolved path of the final name."""
        return self.directory / self.name

    def lstat(self) -> os.stat_result | None:
        """The final name's own status (a link is not followed); None when it does not exist."""
        try:
            return os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def close(self) -> None:
        """Closes the directory descriptor (again: nothing)."""
        if self.dir_fd >= 0:
            os.close(self.dir_fd)
            self.dir_fd = -1


class _Walk:
    """One resolution in progress: the directory reached (``fd``, ``parts``) and the names
    still to walk (``pending``, links expanded into it as they are met)."""

    def __init__(self, text: str, absolute: str, writing: bool, follow_final: bool) -> None:
        self.text = text
        self.writing = writing
        self.follow_final = follow_final
        self.pending = _components(absolute)
        self.parts: list[str] = []
        self.links = 0
        self.final_link: Path | None = None  # the link the final name came from, if any
        self.fd = os.open("/", OPEN_DIRECTORY)

    def run(self) -> Resolved:
        """Walks every pending name; the result owns the walk's descriptor."""
        while self.pending:
            component = self.pending.pop()
            if component == "..":
                self._move_to(os.open("..", OPEN_DIRECTORY, dir_fd=self.fd))
                if self.parts:
                    self.parts.pop()
                continue
            resolved = self._step(component, last=not self.pending)
            if resolved is not None:
                return resolved
        # The path ended on "..", "." or "/": it names a directory.
        raise UsageError(f"{self.text} is a directory, not a file")

    def close(self) -> None:
        os.close(self.fd)

    def _move_to(self, fd: int) -> None:
        os.close(self.fd)
        self.fd = fd

    def _step(self, component: str, *, last: bool) -> Resolved | None:
        """One name: a link is expanded, a directory entered; the last name ends the walk."""
        st = self._lstat(component, last=last)
        if st is None:
            return self._missing_final(component)
        if stat.S_ISLNK(st.st_mode) and (self.follow_final or not last):
            self._follow(component, st, last=last)
            return None
        if last:
            return finish(self.fd, self.parts, component)
        self._enter(component, st)
        return None

    def _lstat(self, component: str, *, last: bool) -> os.stat_result | None:
        try:
            return os.stat(component, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            if last:
                return None
            raise NotFoundError(f"directory not found: {_join(self.parts, component)}") from None
        except PermissionError as exc:
            raise StorageError(
                f"cannot look up {_join(self.parts, component)}: permission denied"
            ) from exc

    def _missing_final(self, component: str) -> Resolved:
        """A final name that does not exist (yet): fine, unless a link pointed at it."""
        if self.final_link is not None:
            raise StorageError(
                f"{self.text} is a symbolic link ({self.final_link}) to "
                f"{_join(self.parts, component)}, which does not exist; ks does not "
                "create a file through a dangling link: create the target first "
                "or remove the link"
            )
        return finish(self.fd, self.parts, component)

    def _follow(self, component: str, st: os.stat_result, *, last: bool) -> None:
        link = _join(self.parts, component)
        _check_protected_symlink(self.fd, link, st, self.text, self.writing)
        self.links += 1
        if self.links > _MAX_LINKS:
            raise StorageError(f"{self.text}: too many levels of symbolic links")
        try:
            target = os.readlink(component, dir_fd=self.fd)
        except OSError as exc:  # replaced by a file since the lstat
            raise StorageError(
                f"{link} changed while ks resolved {self.text}: {exc.strerror}"
            ) from exc
        if target.startswith("/"):
            self._move_to(os.open("/", OPEN_DIRECTORY))
            self.parts = []
        self.pending.extend(_components(target))
        if last:
            self.final_link = link

    def _enter(self, component: str, st: os.stat_result) -> None:
        if not stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{self.text}: {_join(self.parts, component)} is not a directory")
        try:
            child = os.open(component, OPEN_DIRECTORY | os.O_NOFOLLOW, dir_fd=self.fd)
        except OSError as exc:
            raise StorageError(
                f"cannot open the directory {_join(self.parts, component)}: {exc.strerror}"
            ) from exc
        self._move_to(child)
        self.parts.append(component)


def resolve(
    path: str | os.PathLike[str], *, writing: bool = True, follow_final: bool = True
) -> Resolved:
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
    walk = _Walk(text, absolute, writing, follow_final)
    try:
        return walk.run()
    except OSError as exc:  # e.g. a directory removed or replaced during the walk
        walk.close()
        raise StorageError(f"cannot resolve {text}: {exc.strerror or exc}") from exc
    except BaseException:
        walk.close()
        raise


def finish(fd: int, parts: list[str], name: str) -> Resolved:
    """The walk's last directory, reopened for reading where allowed (an ``O_PATH``
    descriptor can name files but cannot be listed or synced)."""
    try:
        readable = os.open(".", os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC, dir_fd=fd)
    except OSError:
        return Resolved(fd, _join(parts), name)
    os.close(fd)
    return Resolved(readable, _join(parts), name)


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
    if is_shared(directory) and owner != directory.st_uid:
        raise StorageError(
            f"refusing to follow the symbolic link {link} (for {text}): it is in the shared "
            f"directory {link.parent} (sticky and world-writable) and belongs to "
            f"{user(owner)}, neither you nor the directory's owner; another user may have "
            "planted it. Name the real file, or move the store out of the shared directory"
        )
    if writing and euid == 0 and owner != 0:
        raise StorageError(
            f"refusing to write through the symbolic link {link} (for {text}) as root: it "
            f"belongs to {user(owner)}, who could point it at any file. Name the real file"
        )


def resolve_store_path(path: str | os.PathLike[str]) -> Path:
    """The file a write really changes: symlinks followed (under the protected-symlinks rule),
    ``..`` applied as the kernel does, so that every spelling of one store shares one lock and
    a symlinked store is updated through its link."""
    resolved = resolve(path)
    try:
        return resolved.path
    finally:
        resolved.close()


def refuse_special(st: os.stat_result, shown: str | os.PathLike[str], what: str) -> None:
    """Refuses anything but a regular file (a directory as a usage error)."""
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown} is a directory, not a {what} file")
    raise StorageError(
        f"{shown} is a {kind(st.st_mode)}, not a regular file; ks reads and writes only "
        "regular files"
    )


def open_regular(
    resolved: Resolved, shown: str | os.PathLike[str], what: str, flags: int = os.O_RDONLY
) -> tuple[int, os.stat_result]:
    """A descriptor of the existing regular file ``resolved`` names, and its fstat. Opened
    without following a link and without blocking; anything but a regular file is refused
    (checked first on the name, so that a device is not even opened, then on the descriptor,
    which is what counts)."""
    before = resolved.lstat()
    if before is None:
        raise NotFoundError(f"{what} file not found: {shown}")
    refuse_special(before, shown, what)
    try:
        fd = os.open(resolved.name, flags | OPEN_EXISTING, dir_fd=resolved.dir_fd)
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
        refuse_special(st, shown, what)
    except BaseException:
        os.close(fd)
        raise
    return fd, st
