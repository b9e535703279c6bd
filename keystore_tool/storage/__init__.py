"""The only code that touches store files.

Reading (:mod:`.reading`): the file's bytes, its format detected from content, parsed by the
adapter. Writing (:mod:`.update`): the locked read-modify-write (:mod:`.locking`) and the
atomic replace, with the modes and owners of :mod:`.files`.

``ks`` runs as root in shared directories, so every path is treated as something an attacker
may have prepared (DESIGN.md, fact 15; :mod:`.paths`):

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

from keystore_tool.storage.files import PAUSE_POINTS
from keystore_tool.storage.locking import DEFAULT_LOCK_TIMEOUT
from keystore_tool.storage.paths import resolve_store_path
from keystore_tool.storage.reading import (
    MAX_STORE_BYTES,
    check_storetype,
    dump_bytes,
    load_bytes,
    load_store,
    read_file,
    read_prefix,
)
from keystore_tool.storage.update import (
    StoreUpdate,
    remove_store,
    save_store,
    set_mode_and_owner,
    write_new_file,
)

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "MAX_STORE_BYTES",
    "PAUSE_POINTS",
    "StoreUpdate",
    "check_storetype",
    "dump_bytes",
    "load_bytes",
    "load_store",
    "read_file",
    "read_prefix",
    "remove_store",
    "resolve_store_path",
    "save_store",
    "set_mode_and_owner",
    "write_new_file",
]
