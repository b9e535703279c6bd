"""Which runtime reads what: the compatibility model behind targets (of writes, of doctor).

Pure data and pure functions, no I/O. A *target* is a runtime release (``jdk11.0.9``,
``openssl3.0``); each family has one table of :class:`Rule` rows, each naming a *feature* a file
may use (a PBE, a MAC, a store type, a key algorithm or encoding, a password form), the release
that first reads it, the older lines it was backported to, the release that stopped reading it
by default, and where that fact comes from. A release between two documented ones follows the
documented change; a feature a family's table does not list is one that family never reads.

"Measured here" rows were measured on 2026-12-01 with the runtimes the target matrix uses
(``tests/interop/test_targets_matrix.py``): JREs 11.0.9.1, 11.0.13, 17.0.x, 21.0.8, 25.0.x;
OpenSSL 1.1.1n (cryptography 36.0.2), 3.0 (``/usr/bin/openssl``), 4.0.3 (cryptography 50.0.2).
"""

from __future__ import annotations

from keystore_tool.compat.choose import (
    CERT_PBE_ORDER,
    KEY_PBE_ORDER,
    MAC_ORDER,
    choose_protection,
    protection_satisfies,
    target_options,
)
from keystore_tool.compat.predict import (
    Problem,
    entry_problems,
    predict,
)
from keystore_tool.compat.targets import (
    JDK_TABLE,
    OPENSSL_TABLE,
    TABLES,
    TARGET_FORMS,
    Family,
    Rule,
    Target,
    Version,
    parse_target,
    parse_targets,
    reads,
)
from keystore_tool.errors import TargetError

__all__ = [
    "CERT_PBE_ORDER",
    "JDK_TABLE",
    "KEY_PBE_ORDER",
    "MAC_ORDER",
    "OPENSSL_TABLE",
    "TABLES",
    "TARGET_FORMS",
    "Family",
    "Problem",
    "Rule",
    "Target",
    "TargetError",
    "Version",
    "choose_protection",
    "entry_problems",
    "parse_target",
    "parse_targets",
    "predict",
    "protection_satisfies",
    "reads",
    "target_options",
]
