"""Process-wide protections for a program that holds secrets in memory.

A core dump of ``ks`` would hold the store password and any private key it decrypted, in a
file that ``systemd-coredump``, ``apport`` or a plain ``core`` in the working directory keeps
long after the run. :func:`forbid_core_dumps` turns dumps off for this process before any
secret is read; it also makes the process non-dumpable, which keeps other processes of the
same user from attaching a debugger (ptrace) to read its memory.
"""

from __future__ import annotations

import sys

# <linux/prctl.h>
_PR_SET_DUMPABLE = 4


def forbid_core_dumps() -> None:
    """No core file for this process (RLIMIT_CORE 0), and on Linux not dumpable at all
    (PR_SET_DUMPABLE 0: a core_pattern pipe to a crash collector is not used either).
    Best effort: where a platform lacks either call, what it has is still applied."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
