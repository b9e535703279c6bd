"""Mutated stores and inputs end in a load or a one-line KsError, quickly, never a crash.

Each test draws ``FUZZ_EXAMPLES`` mutations (bit flips, truncations, DER and Java length
bumps, iteration counts of 2^31-1 and 6,000,000, SEQUENCE towers, splices) of the session's
valid seeds and runs what ``ks`` does with such a file: load it, describe every entry
(``ks list --json``) and write it back (any store-changing command).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keystore_tool import certfiles
from keystore_tool.formats import DumpOptions, _pbe, get_format
from keystore_tool.formats import pkcs12 as pkcs12_format
from keystore_tool.password import Password
from keystore_tool.storage import load_bytes
from keystore_tool.x509util import describe_certificate, describe_entry
from tests.fuzz.conftest import PASSWORD
from tests.fuzz.harness import FUZZ_SETTINGS, judge
from tests.fuzz.mutations import mutated

PW = Password(PASSWORD)
REWRITE = DumpOptions(iterations=1000)


def exercise(fmt_name: str, password: Password | None) -> object:
    fmt = get_format(fmt_name)

    def action(data: bytes) -> None:
        keystore = fmt.load(data, password)
        for entry in keystore:
            describe_entry(entry)
        if fmt.writable:
            fmt.dump(keystore, password, REWRITE)

    return action


def remac(data: bytes) -> bytes:
    """A mutated PKCS12 with its MAC recomputed, so the mutation reaches the bags behind it."""
    try:
        pfx = pkcs12_format._parse_pfx(data)
    except Exception:
        return data
    if pfx.mac_digest is None or not pfx.mac or not 1 <= pfx.mac_iterations <= 100_000:
        return data
    fresh = _pbe.pkcs12_mac(
        pfx.auth_safe, _pbe.bmp_password(PASSWORD), pfx.mac_salt, pfx.mac_iterations, pfx.mac_digest
    )
    at = data.rfind(pfx.mac)
    if at < 0 or len(fresh) != len(pfx.mac):
        return data
    return data[:at] + fresh + data[at + len(fresh) :]


@pytest.mark.parametrize("password", [PW, None], ids=["password", "no-password"])
@FUZZ_SETTINGS
@given(data=st.data())
def test_pkcs12(
    seeds: dict[str, list[bytes]], password: Password | None, data: st.DataObject
) -> None:
    case = data.draw(mutated(seeds["pkcs12"]))
    if data.draw(st.booleans()):
        case = remac(case)
    judge("pkcs12", case, exercise("pkcs12", password))  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["jks", "jceks"])
@FUZZ_SETTINGS
@given(data=st.data())
def test_java_stores(seeds: dict[str, list[bytes]], target: str, data: st.DataObject) -> None:
    case = data.draw(mutated(seeds[target], java=True))
    password = data.draw(st.sampled_from([PW, None]))
    judge(target, case, exercise(target, password))  # type: ignore[arg-type]


@FUZZ_SETTINGS
@given(data=st.data())
def test_pem_store(seeds: dict[str, list[bytes]], data: st.DataObject) -> None:
    case = data.draw(mutated(seeds["pem"]))
    judge("pem", case, exercise("pem", data.draw(st.sampled_from([PW, None]))))  # type: ignore[arg-type]


@FUZZ_SETTINGS
@given(data=st.data())
def test_detection_over_every_format(seeds: dict[str, list[bytes]], data: st.DataObject) -> None:
    """What `ks list` does with a file of unknown type: detect, then load."""
    every = [s for t in ("pkcs12", "jks", "jceks", "pem") for s in seeds[t]]
    case = data.draw(mutated(every, java=True))
    judge("detect", case, lambda d: load_bytes(d, PW))


@FUZZ_SETTINGS
@given(data=st.data())
def test_certificate_inputs(seeds: dict[str, list[bytes]], data: st.DataObject) -> None:
    case = data.draw(mutated(seeds["certificates"]))

    def action(d: bytes) -> None:
        for cert in certfiles.read_certificates(d, "fuzz.pem"):
            describe_certificate(cert)

    judge("certificates", case, action)


@FUZZ_SETTINGS
@given(data=st.data())
def test_private_key_inputs(seeds: dict[str, list[bytes]], data: st.DataObject) -> None:
    case = data.draw(mutated(seeds["keys"]))
    password = data.draw(st.sampled_from([PW, None]))
    judge("keys", case, lambda d: certfiles.read_private_key(d, "fuzz.key", password))
