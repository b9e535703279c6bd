"""Bounds that keep hostile input from costing minutes: checked before any work is done."""

from __future__ import annotations

from keystore_tool.errors import FormatError, KdfWorkError

# The JDK refuses PBE, PBKDF2 and MAC iteration counts above this (jdk.internal keystore cap).
MAX_ITERATIONS = 5_000_000

# Key-derivation work one file may ask for, in hash rounds: a derivation of ``n`` iterations
# that must produce ``k`` hash outputs (3DES key and IV from SHA-1: 3; a JCEKS key: 2) costs
# ``n * k``. The PKCS#12 KDF and JCEKS's MD5 chain run one Python-level hash call per round
# (no C implementation of them exists to call), PBKDF2 runs in OpenSSL at about the same
# cost per round (0.35-0.65 us here), so this budget is one to two seconds of CPU. It is set
# by what real producers write, which must open without an option: NSS and GnuTLS use 600,000
# iterations per part (a legacy NSS export, key opened, is 4,200,000 rounds), a keytool JCEKS key costs
# 400,000 (eight keys: 3,200,000), a keytool 17 PKCS12 with 100 keys about 1,000,000. Larger
# stores are real but rare: the caller raises the budget (LoadOptions.max_kdf_work).
DEFAULT_KDF_WORK = 4_500_000

_default_work = DEFAULT_KDF_WORK


def set_default_kdf_work(rounds: int) -> None:
    """The budget of every load that does not name one (the command line's global option)."""
    global _default_work
    if rounds < 1:
        raise ValueError("the key-derivation budget must be positive")
    _default_work = rounds


def default_kdf_work() -> int:
    return _default_work


class KdfBudget:
    """Counts the key-derivation work one load asks for and refuses it past the bounds,
    before anything is derived."""

    __slots__ = ("limit", "spent")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit if limit is not None else _default_work
        self.spent = 0

    def charge(self, iterations: int, what: str, outputs: int = 1) -> None:
        """Charges a derivation of ``iterations`` that produces ``outputs`` hash outputs."""
        if iterations < 1:
            raise FormatError(f"the {what} has an invalid iteration count ({iterations})")
        if iterations > MAX_ITERATIONS:
            raise FormatError(
                f"the {what} asks for {iterations:,} iterations, above the limit of "
                f"{MAX_ITERATIONS:,} that Java also enforces; refusing the file"
            )
        self.spent += iterations * max(outputs, 1)
        if self.spent > self.limit:
            raise KdfWorkError(
                f"the file asks for at least {self.spent:,} rounds of key derivation (the "
                f"{what} alone {iterations * max(outputs, 1):,}), more than the budget of "
                f"{self.limit:,} per file; refusing it before deriving anything",
                self.spent,
                self.limit,
            )
