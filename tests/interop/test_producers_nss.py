"""PKCS12 files written by NSS (``pk12util``, BER), GnuTLS (``certtool --to-p12``) and
node-forge, generated here and judged by the producers themselves (and keytool 17 for what
``ks convert`` makes of them)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.certs import issue
from tests.conftest import Jdk, _missing, run
from tests.interop.producers import (
    converted_listed_by_keytool,
    hexfp,
    import_one_certificate,
    ks_view,
    without_algorithms,
)

pytestmark = pytest.mark.interop


PASS = "secret"


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An RSA root and an EC leaf under it, as PEM files and as an OpenSSL-made PKCS12."""
    directory = tmp_path_factory.mktemp("producers")
    root = issue("Producer Root", ca=True)
    leaf = issue("producer-leaf", issuer=root, key_kind="ec")
    paths = {
        "root": directory / "root.pem",
        "leaf": directory / "leaf.pem",
        "key": directory / "leaf.key",
    }
    paths["root"].write_bytes(root.pem)
    paths["leaf"].write_bytes(leaf.pem)
    paths["key"].write_bytes(leaf.key_pem())
    return paths


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _missing(name)
    assert path is not None
    return path


# ---- NSS ---------------------------------------------------------------------------------


def _nss_db(directory: Path, p12: Path) -> tuple[str, Path]:
    """A fresh ``sql:`` NSS database in ``directory`` with ``p12`` imported."""
    directory.mkdir()
    db_password = directory / "db-password"
    db_password.write_text("db-secret\n")
    run([_tool("certutil"), "-N", "-d", f"sql:{directory}", "-f", str(db_password)])
    run([_tool("pk12util"), "-i", str(p12), "-d", f"sql:{directory}", "-k", str(db_password),
         "-W", PASS])  # fmt: skip
    return f"sql:{directory}", db_password


def pk12util_view(path: Path, password: str = PASS) -> dict[str, Any]:
    """``pk12util -l`` parsed: the key names and every certificate's SHA-256, with the
    friendlyName NSS shows and whether NSS pairs it with the key."""
    out = run([_tool("pk12util"), "-l", str(path), "-W", password]).stdout
    keys: list[str] = []
    certs: list[dict[str, Any]] = []
    block: dict[str, Any] | None = None
    lines = out.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Key("):
            block = {"kind": "key"}
        elif line.startswith("Certificate"):
            block = {"kind": "cert", "has_key": "has private key" in line}
            certs.append(block)
        elif block is not None and line.strip().startswith("Friendly Name:"):
            name = line.split(":", 1)[1].strip()
            if block["kind"] == "key":
                keys.append(name)
            else:
                block["name"] = name
        elif block is not None and line.strip() == "Fingerprint (SHA-256):":
            block["sha256"] = hexfp(lines[index + 1].strip())
    return {"keys": keys, "certs": certs}


def _matches_nss(view: dict[str, dict[str, Any]], nss: dict[str, Any]) -> None:
    """Each NSS key is a private-key entry whose leaf is the certificate NSS pairs with it and
    whose chain holds the other certificates NSS exported with it."""
    assert nss["keys"], nss
    for name in nss["keys"]:
        entry = view[name.lower()]
        assert entry["type"] == "private-key"
        leaf = [c["sha256"] for c in nss["certs"] if c["has_key"] and c.get("name") == name]
        assert entry["chain"][:1] == leaf
        assert set(entry["chain"]) == {c["sha256"] for c in nss["certs"]}


NSS_CIPHERS = {
    "default": [],
    "aes": ["-c", "AES-128-CBC", "-C", "AES-256-CBC"],
    "legacy": ["-c", "PKCS #12 V2 PBE With SHA-1 And 3KEY Triple DES-CBC",
               "-C", "PKCS #12 V2 PBE With SHA-1 And 40 Bit RC2 CBC"],
}  # fmt: skip


@pytest.mark.parametrize("ciphers", sorted(NSS_CIPHERS))
def test_nss_export_lists_as_pk12util_shows_it_and_survives_a_rewrite(
    ciphers: str, material: dict[str, Path], tmp_path: Path, jdk17: Jdk, openssl: str
) -> None:
    made = tmp_path / "openssl.p12"
    run([openssl, "pkcs12", "-export", "-inkey", str(material["key"]), "-in",
         str(material["leaf"]), "-certfile", str(material["root"]), "-name", "nss-key",
         "-passout", f"pass:{PASS}", "-out", str(made)])  # fmt: skip
    db, db_password = _nss_db(tmp_path / "db", made)
    exported = tmp_path / "nss.p12"
    run([_tool("pk12util"), "-o", str(exported), "-n", "nss-key", "-d", db, "-k",
         str(db_password), "-W", PASS, *NSS_CIPHERS[ciphers]])  # fmt: skip
    assert exported.read_bytes()[:5] == b"\x30\x80\x02\x01\x03"  # BER, as NSS writes it

    view = ks_view(exported, PASS)
    _matches_nss(view, pk12util_view(exported))
    assert view["nss-key"]["key_algorithm"] == "EC"

    rewritten = import_one_certificate(exported, PASS, tmp_path)
    after = pk12util_view(rewritten)
    _matches_nss(without_algorithms(view), {**after, "certs": [
        c for c in after["certs"] if c.get("name") != "added-ca"]})  # fmt: skip
    assert any(c.get("name") == "added-ca" for c in after["certs"])
    # NSS takes back what ks rewrote: the key and its certificate are in a fresh database.
    db2, _ = _nss_db(tmp_path / "db2", rewritten)
    listed = run([_tool("certutil"), "-L", "-d", db2]).stdout
    assert re.search(r"^nss-key\s+u,u,u", listed, re.M), listed

    converted_listed_by_keytool(jdk17, exported, PASS, tmp_path, view)


# ---- GnuTLS ------------------------------------------------------------------------------


def test_gnutls_certtool_p12_lists_as_openssl_reads_it(
    material: dict[str, Path], tmp_path: Path, jdk17: Jdk, openssl: str
) -> None:
    made = tmp_path / "gnutls.p12"
    chain = tmp_path / "chain.pem"
    chain.write_bytes(material["leaf"].read_bytes() + material["root"].read_bytes())
    run([_tool("certtool"), "--to-p12", "--load-privkey", str(material["key"]),
         "--load-certificate", str(chain), "--p12-name", "gnutls-key", "--password", PASS,
         "--outder", "--outfile", str(made)])  # fmt: skip
    view = ks_view(made, PASS)
    assert list(view) == ["gnutls-key"]
    assert view["gnutls-key"]["type"] == "private-key"
    assert view["gnutls-key"]["chain"] == _openssl_chain(openssl, made)

    rewritten = import_one_certificate(made, PASS, tmp_path)
    assert set(view["gnutls-key"]["chain"]) < set(_openssl_chain(openssl, rewritten))
    converted_listed_by_keytool(jdk17, made, PASS, tmp_path, view)


def _openssl_chain(openssl: str, path: Path) -> list[str]:
    """The SHA-256 of every certificate ``openssl pkcs12`` finds, in file order."""
    # -legacy: a rewrite keeps a legacy-encrypted store legacy (RC2-40 certificates).
    pem = run([openssl, "pkcs12", "-legacy", "-in", str(path), "-passin", f"pass:{PASS}",
               "-nokeys"]).stdout  # fmt: skip
    found = []
    for block in re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S):
        out = run([openssl, "x509", "-noout", "-fingerprint", "-sha256"], input=block).stdout
        found.append(hexfp(out.strip().split("=", 1)[1]))
    return found


# ---- node-forge --------------------------------------------------------------------------

FORGE_SCRIPT = r"""
const forge = require('node-forge');
const fs = require('fs');
const [keyPem, leafPem, rootPem, out, algorithm] = process.argv.slice(2);
const key = forge.pki.privateKeyFromPem(fs.readFileSync(keyPem, 'utf8'));
const certs = [leafPem, rootPem].map(p => forge.pki.certificateFromPem(fs.readFileSync(p, 'utf8')));
const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, 'secret',
  {algorithm: algorithm, friendlyName: 'forge-key', generateLocalKeyId: true});
fs.writeFileSync(out, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
"""


def _forge_modules() -> Path:
    home = Path(os.environ.get("KS_JUDGES", Path.home() / ".cache" / "ks-judges"))
    modules = home / "node" / "node_modules"
    if not (modules / "node-forge").is_dir():
        _missing(f"node-forge ({modules}; scripts/tools.d/21-node-forge.sh installs it)")
    return modules


@pytest.mark.parametrize("algorithm", ["aes256", "3des"])
def test_node_forge_p12_lists_as_openssl_reads_it(
    algorithm: str, tmp_path: Path, jdk17: Jdk, openssl: str
) -> None:
    modules = _forge_modules()
    node = _tool("node")
    root = issue("Forge Root", ca=True)
    leaf = issue("forge-leaf", issuer=root)  # forge's PKCS12 writer takes RSA keys only
    paths = {}
    for name, data in (("key", leaf.key_pem()), ("leaf", leaf.pem), ("root", root.pem)):
        paths[name] = tmp_path / f"{name}.pem"
        paths[name].write_bytes(data)
    made = tmp_path / "forge.p12"
    script = tmp_path / "forge.js"
    script.write_text(FORGE_SCRIPT)
    subprocess.run(
        [node, str(script), str(paths["key"]), str(paths["leaf"]), str(paths["root"]),
         str(made), algorithm],
        check=True, env=dict(os.environ, NODE_PATH=str(modules)), timeout=120,
    )  # fmt: skip
    view = ks_view(made, PASS)
    assert list(view) == ["forge-key"]
    assert view["forge-key"]["type"] == "private-key"
    assert view["forge-key"]["key_algorithm"] == "RSA"
    assert view["forge-key"]["chain"] == _openssl_chain(openssl, made)

    rewritten = import_one_certificate(made, PASS, tmp_path)
    assert set(view["forge-key"]["chain"]) < set(_openssl_chain(openssl, rewritten))
    converted_listed_by_keytool(jdk17, made, PASS, tmp_path, view)
