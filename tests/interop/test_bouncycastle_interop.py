"""BKS, UBER and BCFKS from BouncyCastle through the ks command line.

BouncyCastle (Debian's bcprov) writes the stores and lists them (BcStores.java, and keytool 17
with BC as its provider); ``ks list --json`` must show the same aliases, entry types and chain
fingerprints. What ``ks convert`` makes of them is judged by the JDK: keytool 17 lists it, the
JDK's own KeyStore reads every key back, and OpenSSL reads the PKCS12."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Jdk, run
from tests.formats.test_bouncycastle import same_private_key
from tests.interop.bcstores import BCPROV, KS_TYPES, PASSWORD, STORES, BcStores, bc_stores
from tests.ks import ks, ks_ok

__all__ = ["bc_stores"]

pytestmark = pytest.mark.interop

SRC = ("--srcstorepass", PASSWORD, "--storepass", PASSWORD)
TARGETS = {"pkcs12": "PKCS12", "jks": "JKS", "jceks": "JCEKS"}


@pytest.fixture(scope="module")
def originals(bc_stores: BcStores) -> dict[Path, dict[str, dict[str, Any]]]:
    return bc_stores.dump({bc_stores.path(name): kind for name, kind in STORES.items()})


def _ks_view(path: Path) -> dict[str, dict[str, Any]]:
    listed = json.loads(ks_ok("list", "-k", path, "--storepass", PASSWORD, "--json").stdout)
    view: dict[str, dict[str, Any]] = {}
    for entry in listed["entries"]:
        chain = [c["sha256"] for c in entry.get("chain", [])] or (
            [entry["sha256"]] if "sha256" in entry else []
        )
        view[entry["alias"].lower()] = {
            "type": entry["type"],
            "chain": [fp.replace(":", "") for fp in chain],
        }
    return view


@pytest.mark.parametrize("name", list(STORES))
def test_ks_list_shows_what_bouncycastle_shows(
    bc_stores: BcStores, originals: dict[Path, dict[str, dict[str, Any]]], name: str
) -> None:
    path = bc_stores.path(name)
    listed = json.loads(ks_ok("list", "-k", path, "--storepass", PASSWORD, "--json").stdout)
    assert listed["storetype"] == KS_TYPES[STORES[name]]
    expected = {
        alias: {"type": e["type"], "chain": e["chain"]} for alias, e in originals[path].items()
    }
    assert _ks_view(path) == expected


@pytest.mark.parametrize("name", ["store.bks", "store.uber", "store.bcfks"])
def test_keytool_with_the_bc_provider_lists_the_same_entry_types(
    bc_stores: BcStores, jdk17: Jdk, name: str
) -> None:
    listing = jdk17.run_keytool(
        "-list",
        "-providerpath",
        str(BCPROV),
        "-providerclass",
        "org.bouncycastle.jce.provider.BouncyCastleProvider",
        "-storetype",
        STORES[name],
        "-keystore",
        str(bc_stores.path(name)),
        "-storepass",
        PASSWORD,
    ).stdout
    keytool_types = {
        line.split(",")[0].lower(): line.split(",")[-2].strip()
        for line in listing.splitlines()
        if line.count(",") >= 3
    }
    names = {"private-key": "PrivateKeyEntry", "secret-key": "SecretKeyEntry"}
    ours = {
        a: names.get(e["type"], "trustedCertEntry")
        for a, e in _ks_view(bc_stores.path(name)).items()
    }
    assert keytool_types == ours


def test_what_ks_convert_makes_of_bc_stores_the_jdk_reads_back(
    bc_stores: BcStores,
    originals: dict[Path, dict[str, dict[str, Any]]],
    jdk17: Jdk,
    openssl: str,
    tmp_path: Path,
) -> None:
    converted: dict[Path, tuple[Path, str]] = {}
    for name in STORES:
        source = bc_stores.path(name)
        for target, kind in TARGETS.items():
            out = tmp_path / f"{name}.{target}"
            # JKS holds no secret keys: keytool -importkeystore skips them too.
            skip = ["--skip-unsupported"] if target == "jks" else []
            ks_ok("convert", "-k", source, "--out", out, "--to", target, *SRC, *skip)
            converted[out] = (source, kind)
    seen = bc_stores.dump({out: kind for out, (_, kind) in converted.items()})
    for out, (source, kind) in converted.items():
        original = originals[source]
        wanted = {a for a, e in original.items() if kind != "JKS" or e["type"] != "secret-key"}
        assert set(seen[out]) == wanted, out.name
        for alias in wanted:
            theirs, ours = original[alias], seen[out][alias]
            assert ours["provider"] != "BC"
            assert (ours["type"], ours["chain"]) == (theirs["type"], theirs["chain"]), alias
            if ours["type"] == "private-key":
                assert same_private_key(bytes.fromhex(ours["key"]), bytes.fromhex(theirs["key"]))
            elif ours["type"] == "secret-key":
                assert ours["key"] == theirs["key"] or not theirs["key"]
                assert ours["algorithm"] in (theirs["algorithm"] or "HmacSHA256", "HmacSHA256")
    p12 = tmp_path / "store.bks.pkcs12"
    listing = jdk17.run_keytool("-list", "-keystore", str(p12), "-storepass", PASSWORD).stdout
    assert "Your keystore contains 5 entries" in listing
    info = run(
        [openssl, "pkcs12", "-in", str(p12), "-passin", f"pass:{PASSWORD}", "-nodes", "-info"]
    )
    assert info.stdout.count("BEGIN CERTIFICATE") == 5  # two chains of 2, one trusted
    assert info.stdout.count("BEGIN PRIVATE KEY") == 2


@pytest.mark.parametrize(
    "change",
    [
        ["import", "--file", "{crt}", "--alias", "new"],
        ["delete", "--alias", "trusted-ca"],
        ["passwd", "--new-storepass", "another1"],
    ],
)
@pytest.mark.parametrize("name", ["store.bks", "store.uber", "store.bcfks"])
def test_commands_that_would_change_a_bc_store_stop_and_say_to_convert(
    bc_stores: BcStores, tmp_path: Path, name: str, change: list[str]
) -> None:
    copy = tmp_path / name
    copy.write_bytes(bc_stores.path(name).read_bytes())
    crt = tmp_path / "new.crt"
    made = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(tmp_path / "k"),
            "-out",
            str(crt),
            "-subj",
            "/CN=new",
            "-days",
            "2",
        ],
        capture_output=True,
    )
    assert made.returncode == 0
    args = [part.replace("{crt}", str(crt)) for part in change]
    before = copy.read_bytes()
    proc = ks(args[0], "-k", copy, "--storepass", PASSWORD, *args[1:])
    assert proc.returncode == 1, proc.stderr
    assert "convert" in proc.stderr and proc.stderr.count("\n") == 1
    assert copy.read_bytes() == before


def test_a_bks_key_under_its_own_password_converts_with_entry_pass_for(
    bc_stores: BcStores, originals: dict[Path, dict[str, dict[str, Any]]], tmp_path: Path
) -> None:
    source = bc_stores.path("ownpass.bks")
    out = tmp_path / "own.p12"
    proc = ks("convert", "-k", source, "--out", out, *SRC)
    assert proc.returncode == 1 and "'own'" in proc.stderr and "'shared'" not in proc.stderr
    ks_ok(
        "convert",
        "-k",
        source,
        "--out",
        out,
        *SRC,
        "--entry-pass-for",
        "own=OWN_PW",
        env={"OWN_PW": "ownpass2"},
    )
    seen = bc_stores.dump({out: "PKCS12"})[out]
    assert set(seen) == {"own", "shared"}
    assert all(e["provider"] != "BC" and e["type"] == "private-key" for e in seen.values())
    assert all(len(e["chain"]) == 2 for e in seen.values())
    # The same RSA and EC keys BouncyCastle holds in store.bks, made from the same inputs.
    same = originals[bc_stores.path("store.bks")]
    for ours, theirs in (("own", "rsa-key"), ("shared", "ec-key")):
        assert seen[ours]["chain"] == same[theirs]["chain"]
        assert same_private_key(
            bytes.fromhex(seen[ours]["key"]), bytes.fromhex(same[theirs]["key"])
        )
