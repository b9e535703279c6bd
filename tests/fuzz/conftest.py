"""Seeds for the fuzz suite: valid stores and inputs, made once per session.

Our own writer makes every format; keytool (JDK 17) and openssl make one store each where they
are installed, so the seeds also carry the layouts real tools write (keytool's PBES2 PKCS12,
its JKS/JCEKS key protectors, openssl's legacy PKCS12).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from keystore_tool.formats import DumpOptions, get_format
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password
from tests.certs import Issued, issue
from tests.fuzz.harness import Stats

PASSWORD = "changeit"
FAST = DumpOptions(iterations=1000)
LEGACY = DumpOptions(profile="legacy", iterations=1000)


def _cert(issued: Issued) -> Certificate:
    return Certificate(issued.der)


@pytest.fixture(scope="session")
def fuzz_pki() -> dict[str, Issued]:
    root = issue("fuzz-root", ca=True, key_kind="ec")
    return {
        "root": root,
        "leaf": issue("fuzz-leaf", issuer=root, key_kind="ec"),
        "rsa": issue("fuzz-rsa", issuer=root, key_kind="rsa"),
        "lone": issue("fuzz-lone", key_kind="ed25519"),
    }


def _store(pki: dict[str, Issued], *, secret: bool, loose: bool) -> Keystore:
    entries = [
        PrivateKeyEntry(
            alias="server",
            private_key=pki["leaf"].key_pkcs8_der(),
            chain=[_cert(pki["leaf"]), _cert(pki["root"])],
        ),
        TrustedCertificateEntry(alias="root-ca", certificate=_cert(pki["root"])),
        TrustedCertificateEntry(alias="rsa", certificate=_cert(pki["rsa"])),
    ]
    if secret:
        entries.append(SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(range(16))))
    if loose:
        entries.append(CertificateEntry(alias="loose", certificate=_cert(pki["lone"])))
    return Keystore(entries)


def _keytool_seeds(tmp: Path) -> dict[str, list[bytes]]:
    keytool = shutil.which("keytool")
    if keytool is None or os.environ.get("KS_TESTS_WITHOUT_TOOLS"):  # make quick: no JVM
        return {}
    env = dict(os.environ, LC_ALL="C")
    env.pop("JAVA_TOOL_OPTIONS", None)
    seeds: dict[str, list[bytes]] = {}
    for storetype in ("pkcs12", "jks", "jceks"):
        path = tmp / f"keytool.{storetype}"
        common = ["-keystore", str(path), "-storetype", storetype, "-storepass", PASSWORD]
        calls = [
            ["-genkeypair", "-alias", "key", "-keyalg", "EC", "-dname", "CN=kt", *common],
        ]
        if storetype != "jks":
            calls.append(
                ["-genseckey", "-alias", "sec", "-keyalg", "AES", "-keysize", "128", *common]
            )
        for args in calls:
            subprocess.run(
                [keytool, "-keypass", PASSWORD, *args], check=True, capture_output=True, env=env
            )
        seeds[storetype] = [path.read_bytes()]
    return seeds


def _openssl_seeds(tmp: Path, pki: dict[str, Issued]) -> dict[str, list[bytes]]:
    openssl = shutil.which("openssl")
    if openssl is None or os.environ.get("KS_TESTS_WITHOUT_TOOLS"):
        return {}
    (tmp / "leaf.pem").write_bytes(pki["leaf"].pem + pki["root"].pem)
    (tmp / "leaf.key").write_bytes(pki["leaf"].key_pem())
    out = tmp / "openssl.p12"
    base = [
        openssl,
        "pkcs12",
        "-export",
        "-in",
        str(tmp / "leaf.pem"),
        "-inkey",
        str(tmp / "leaf.key"),
    ]
    subprocess.run(
        [*base, "-out", str(out), "-passout", f"pass:{PASSWORD}", "-legacy"],
        check=False,
        capture_output=True,
    )
    seeds: dict[str, list[bytes]] = {}
    if out.exists():
        seeds["pkcs12"] = [out.read_bytes()]
        nodes = subprocess.run(
            [
                openssl,
                "pkcs12",
                "-in",
                str(out),
                "-nodes",
                "-passin",
                f"pass:{PASSWORD}",
                "-legacy",
            ],
            check=False,
            capture_output=True,
        )
        if nodes.returncode == 0:
            seeds["pem"] = [nodes.stdout]
    return seeds


@pytest.fixture(scope="session")
def seeds(
    fuzz_pki: dict[str, Issued], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[bytes]]:
    """Valid inputs by target: pkcs12, jks, jceks, pem, certificates, keys."""
    pki = fuzz_pki
    pw = Password(PASSWORD)
    full = _store(pki, secret=True, loose=True)
    plain = _store(pki, secret=False, loose=False)
    truststore = Keystore(
        [TrustedCertificateEntry(alias=a, certificate=_cert(pki[a])) for a in ("root", "rsa")]
    )
    p12 = get_format("pkcs12")
    out: dict[str, list[bytes]] = {
        "pkcs12": [
            p12.dump(full, pw, FAST),
            p12.dump(full, pw, LEGACY),
            p12.dump(truststore, None, FAST),  # password-less: no MAC, bags reachable
        ],
        "jks": [get_format("jks").dump(plain, pw, FAST)],
        "jceks": [get_format("jceks").dump(_store(pki, secret=False, loose=False), pw, FAST)],
        "pem": [get_format("pem").dump(plain, pw, FAST), get_format("pem").dump(truststore, None)],
    }
    leaf, root = pki["leaf"], pki["root"]
    out["certificates"] = [
        leaf.pem + root.pem,
        leaf.der,
        pkcs7.serialize_certificates([leaf.cert, root.cert], serialization.Encoding.DER),
        pkcs7.serialize_certificates([leaf.cert], serialization.Encoding.PEM),
    ]
    enc = serialization.BestAvailableEncryption(PASSWORD.encode())
    out["keys"] = [
        leaf.key_pem(),
        leaf.key_pkcs8_der(),
        leaf.key_pem(serialization.PrivateFormat.TraditionalOpenSSL),
        pki["rsa"].key_pem(serialization.PrivateFormat.TraditionalOpenSSL),
        leaf.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc),
        leaf.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, enc),
    ]
    tmp = tmp_path_factory.mktemp("fuzz-seeds")
    for extra in (_keytool_seeds(tmp), _openssl_seeds(tmp, pki)):
        for target, datas in extra.items():
            out[target].extend(datas)
    return out


@pytest.fixture(scope="session", autouse=True)
def _fuzz_counts() -> Iterator[None]:
    yield
    if Stats.counts:
        lines = [
            f"  {target}: {sum(c.values())} cases, "
            + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
            for target, c in sorted(Stats.counts.items())
        ]
        summary = "fuzz outcomes:\n" + "\n".join(lines) + "\n"
        path = os.environ.get("FUZZ_REPORT")
        if path:
            Path(path).write_text(summary)
