"""Bounds that keep hostile input from costing minutes: checked before any work is done."""

from __future__ import annotations

from keystore_tool.errors import FormatError

# The JDK refuses PBE, PBKDF2 and MAC iteration counts above this (jdk.internal keystore cap).
MAX_ITERATIONS = 5_000_000

# Total KDF iterations one file may ask for, across every bag and the MAC. A store of 50,000
# entries each encrypted with 10,000 iterations would be 5e8; real stores encrypt the
# certificates once per safe, so this is far above anything a real tool writes while still
# bounding a crafted file to seconds.
MAX_TOTAL_ITERATIONS = 20_000_000


class KdfBudget:
    """Counts the key-derivation work one load asks for and refuses it past the bounds."""

    __slots__ = ("spent",)

    def __init__(self) -> None:
        self.spent = 0

    def charge(self, iterations: int, what: str) -> None:
        if iterations < 1:
            raise FormatError(f"the {what} has an invalid iteration count ({iterations})")
        if iterations > MAX_ITERATIONS:
            raise FormatError(
                f"the {what} asks for {iterations:,} iterations, above the limit of "
                f"{MAX_ITERATIONS:,} that Java also enforces; refusing the file"
            )
        self.spent += iterations
        if self.spent > MAX_TOTAL_ITERATIONS:
            raise FormatError(
                "the file asks for more key-derivation work than any real keystore needs; "
                "refusing it"
            )
