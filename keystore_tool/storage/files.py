"""What a write does to a file beside its content: the mode a new file gets, the owner kept
or given, the refusals (hard links, read-only), the errors a failed write becomes, and the
pause points a test can kill a writer at."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import warnings
from pathlib import Path

from keystore_tool.errors import KsWarning, StorageError, UsageError
from keystore_tool.storage.paths import group, user

# Tests make each step of a write reachable: with KS_PAUSE_AT=<point> the writer announces the
# point by creating KS_PAUSE_FILE and then waits there, so a test can SIGKILL it exactly there.
PAUSE_POINTS = ("locked", "temp-written", "temp-synced", "renamed")

TEMP_MARK = ".ks-tmp-"


def pause_at(point: str) -> None:
    """Waits at ``point`` of a write when a test asked for it (``KS_PAUSE_AT``)."""
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


def warn(message: str) -> None:
    """Says ``message`` as a :class:`KsWarning`, pointing at the caller of the write."""
    warnings.warn(message, KsWarning, stacklevel=3)


def new_mode(
    st: os.stat_result | None,
    target: Path,
    *,
    holds_private_key: bool,
    wholesale: bool,
    unencrypted_key: bool,
) -> int:
    """The mode a replacement gets when none is asked for: a new file, or one replaced
    ``wholesale``, that holds a private key is 0600 (else what the umask allows); an existing
    file keeps its mode, except that one others could read becomes 0600 (with a warning) when
    it now holds an ``unencrypted_key``."""
    if st is None:
        return 0o600 if holds_private_key else 0o666 & ~umask()
    if wholesale and holds_private_key:
        return 0o600
    mode = stat.S_IMODE(st.st_mode)
    if unencrypted_key and mode & 0o004:
        warnings.warn(
            f"{target} holds an unencrypted private key and was readable by "
            f"everyone (mode {mode:04o}); it is now 0600",
            KsWarning,
            stacklevel=3,  # the caller of the write, as warn() says it
        )
        return 0o600
    return mode


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def give_away(fd: int, owner: tuple[int, int], target: Path) -> None:
    """Makes the open file owned by ``owner`` (uid, gid), or says why it cannot."""
    try:
        os.fchown(fd, *owner)
    except PermissionError as exc:
        raise StorageError(
            f"cannot make {target} owned by {owner[0]}:{owner[1]}: permission denied "
            "(only root can give a file away); the store is unchanged"
        ) from exc
    except OverflowError as exc:
        raise UsageError(f"owner {owner[0]}:{owner[1]} is out of range") from exc


def keep_owner(fd: int, old: os.stat_result, target: Path) -> None:
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
        lost.append(f"it now belongs to {user(new.st_uid)} instead of {user(old.st_uid)}")
    if group_kept:
        lost.append(f"its group {group(old.st_gid)} is kept")
    else:
        lost.append(
            f"its group is now {group(new.st_gid)} instead of {group(old.st_gid)} (you are not "
            "a member), so members of the old group may lose access"
        )
    warn(f"only root can give a file away: {target} was rewritten, {'; '.join(lost)}")


def refuse_hard_links(st: os.stat_result, target: Path) -> None:
    """A rename would leave the other names on the old content: refused rather than split."""
    if st.st_nlink > 1:
        raise StorageError(
            f"{target} has {st.st_nlink} hard links; ks replaces a store by renaming a new file "
            "over it, which would leave the other names with the old content, so it refuses "
            "to write: keep one name (use a symbolic link for the others) or copy the file"
        )


def umask() -> int:
    """The process's umask (read by setting it, and set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_only_problem(
    dir_fd: int | None, path: Path, what: str, st: os.stat_result | None = None
) -> StorageError | None:
    """Why ``path`` (a file's ``st``, else the directory ``dir_fd``) must not be written:
    its owner made it read-only; None when it may be."""
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


def fsync_directory(dir_fd: int) -> None:
    """Syncs a directory where the file system can (the rename is atomic all the same)."""
    # Some file systems cannot sync a directory (and a directory we may only search gives
    # an O_PATH descriptor).
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)


def write_error(exc: OSError, directory: Path) -> StorageError:
    """A failed write in ``directory`` as the error the caller reads."""
    if exc.errno == errno.ENOSPC:
        return StorageError(f"no space left on the device of {directory}; the store is unchanged")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write in {directory}: {exc.strerror}; the store is unchanged")
    return StorageError(
        f"writing in {directory} failed: {exc.strerror or exc}; the store is unchanged"
    )
