"""Reading a store or an input file: its bytes (regular files only, never more than a store
can be), its format detected from content, parsed by the format's adapter."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from keystore_tool.errors import FormatError, NotFoundError, Remedy, StorageError, UsageError
from keystore_tool.formats import DumpOptions, LoadOptions, StoreFormat, detect, get_format
from keystore_tool.model import Keystore
from keystore_tool.password import Password
from keystore_tool.storage.paths import open_regular, resolve

# A keystore larger than this is not a keystore (a 50,000-entry PKCS12 is about 60 MB).
MAX_STORE_BYTES = 1 << 30


def read_fd(fd: int, st: os.stat_result, shown: str | os.PathLike[str], what: str) -> bytes:
    """The whole content of an open regular file, refused past :data:`MAX_STORE_BYTES` (also
    when it grows while being read)."""
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
        resolved = resolve(path, writing=False)
    except NotFoundError:
        raise NotFoundError(f"{what} file not found: {path}") from None
    try:
        fd, st = open_regular(resolved, path, what)
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
            return read_fd(fd, st, path, what)
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
    """Refuses a ``storetype`` that names another format than the content's ``fmt``."""
    if storetype and get_format(storetype).name != fmt.name:
        raise UsageError(
            f"{storetype.lower()} contradicts the file, which is {fmt.name}",
            parameter="storetype",
            remedy=Remedy.DROP_STORETYPE,
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
