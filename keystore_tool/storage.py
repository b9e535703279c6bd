"""The only code that touches store files.

Reading: the file's bytes, its format detected from content, parsed by the adapter.
Writing (the locked read-modify-write and atomic replace) lives here too.
"""

from __future__ import annotations

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
    return get_format(storetype).dump(keystore, password, options)
