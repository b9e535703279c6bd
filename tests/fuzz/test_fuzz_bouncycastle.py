"""Mutated BouncyCastle stores (BKS, UBER, BCFKS, written by BouncyCastle at test time) end in
a load or a one-line KsError, quickly, never a crash: read directly, and through detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keystore_tool.password import Password
from keystore_tool.storage import load_bytes
from tests.fuzz.harness import FUZZ_SETTINGS, judge
from tests.fuzz.mutations import mutated
from tests.fuzz.test_fuzz_adapters import exercise
from tests.interop.bcstores import PASSWORD, BcStores, bc_stores

__all__ = ["bc_stores"]

PW = Password(PASSWORD)
# fuzz.bcfks: BC's default BCFKS costs 6 x 51,200 PBKDF2 iterations, past a case's time budget
# on a busy machine; this one has one key and a 1,024-iteration store key and MAC.
TARGETS = {"store.bks": "bks", "store.bks-v1": "bks", "store.uber": "uber", "fuzz.bcfks": "bcfks"}


@pytest.mark.parametrize("name", list(TARGETS))
@FUZZ_SETTINGS
@given(data=st.data())
def test_bouncycastle_stores(bc_stores: BcStores, name: str, data: st.DataObject) -> None:
    case = data.draw(mutated([bc_stores.path(name).read_bytes()], java=name != "fuzz.bcfks"))
    password = data.draw(st.sampled_from([PW, None]))
    judge(TARGETS[name], case, exercise(TARGETS[name], password))  # type: ignore[arg-type]


@FUZZ_SETTINGS
@given(data=st.data())
def test_detection_over_bouncycastle_stores(bc_stores: BcStores, data: st.DataObject) -> None:
    every = [bc_stores.path(name).read_bytes() for name in TARGETS]
    case = data.draw(mutated(every, java=True))
    judge("detect", case, lambda d: load_bytes(d, PW))
