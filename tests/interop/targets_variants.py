"""Store variants of the target matrix, each made by the real tool that makes it in the field
(keytool 17 and 25, openssl 3.0; ks for PBMAC1, which neither writes)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.interop.targets_judges import JAVA_HOMES, OPENSSL30, Store

PASSWORD = "changeit"
NON_ASCII_PASSWORD = "pässwörd€"
_DNAME = "CN=matrix.example"


def _run(args: list[str], env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def _keytool(runtime: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_TOOL_OPTIONS"}
    _run([str(JAVA_HOMES[runtime] / "bin" / "keytool"), "-J-Duser.language=en", *args], env)


def _genkeypair(runtime: str, path: Path, storetype: str, *extra: str, alg: str = "EC") -> None:
    sizes = {"EC": ["-keysize", "256"], "RSA": ["-keysize", "2048"]}.get(alg, [])
    _keytool(
        runtime,
        *extra,
        "-genkeypair",
        "-keystore",
        str(path),
        "-storetype",
        storetype,
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD,
        "-alias",
        "server",
        "-keyalg",
        alg,
        *sizes,
        "-dname",
        _DNAME,
        "-validity",
        "3650",
    )


def _importcert(runtime: str, path: Path, storetype: str, cert: Path, *extra: str) -> None:
    _keytool(
        runtime,
        *extra,
        "-importcert",
        "-noprompt",
        "-keystore",
        str(path),
        "-storetype",
        storetype,
        "-storepass",
        PASSWORD,
        "-alias",
        "ca",
        "-file",
        str(cert),
    )


def _openssl_pair(tmp: Path) -> tuple[Path, Path]:
    key, cert = tmp / "pair.key", tmp / "pair.crt"
    if not cert.exists():
        _run(
            [
                *(
                    OPENSSL30,
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                ),
                *("-nodes", "-keyout", str(key), "-out", str(cert), "-subj", "/CN=openssl.example"),
                *("-days", "3650"),
            ]
        )
    return key, cert


def _openssl_export(tmp: Path, out: Path, password: str, *extra: str) -> None:
    key, cert = _openssl_pair(tmp)
    env = dict(os.environ, KS_VARIANT_PW=password)
    _run(
        [
            *(OPENSSL30, "pkcs12", "-export", "-inkey", str(key), "-in", str(cert)),
            *("-name", "server", "-out", str(out), "-passout", "env:KS_VARIANT_PW", *extra),
        ],
        env,
    )


def make_variants(tmp: Path) -> list[Store]:
    """Every variant of the matrix, made by keytool 17 / 25 and openssl 3.0."""
    _, ca = _openssl_pair(tmp)
    stores: list[Store] = []

    def add(name: str, storetype: str, password: str | None = PASSWORD) -> Path:
        path = tmp / f"{name}.{storetype.lower()}"
        stores.append(Store(name, path, storetype, password))
        return path

    path = add("keytool17-default", "PKCS12")
    _genkeypair("jdk17", path, "PKCS12")
    _importcert("jdk17", path, "PKCS12", ca)

    legacy = "-J-Dkeystore.pkcs12.legacy"
    path = add("keytool17-legacy", "PKCS12")
    _genkeypair("jdk17", path, "PKCS12", legacy)
    _importcert("jdk17", path, "PKCS12", ca, legacy)

    path = add("keytool17-passwordless", "PKCS12")
    _importcert(
        "jdk17",
        path,
        "PKCS12",
        ca,
        "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
        "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
    )

    path = add("keytool17-jks", "JKS")
    _genkeypair("jdk17", path, "JKS")
    _importcert("jdk17", path, "JKS", ca)

    path = add("keytool17-jceks-secret", "JCEKS")
    _keytool(
        "jdk17",
        "-genseckey",
        "-keystore",
        str(path),
        "-storetype",
        "JCEKS",
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD,
        "-alias",
        "secret",
        "-keyalg",
        "AES",
        "-keysize",
        "256",
    )

    _openssl_export(tmp, add("openssl3-default", "PKCS12"), PASSWORD)
    _openssl_export(tmp, add("openssl3-legacy", "PKCS12"), PASSWORD, "-legacy")
    _openssl_export(tmp, add("openssl3-macsha512", "PKCS12"), PASSWORD, "-macalg", "sha512")
    _openssl_export(
        tmp, add("openssl3-non-ascii", "PKCS12", NON_ASCII_PASSWORD), NON_ASCII_PASSWORD
    )

    path = add("keytool25-mldsa", "PKCS12")
    _genkeypair("jdk25", path, "PKCS12", alg="ML-DSA-65")

    # PBMAC1 (RFC 9579), as Vault 2.1 and cert-manager's Modern2026 write it: no JDK or OpenSSL
    # here writes it, ks does (for JDK 26 it picks PBMAC1).
    from tests.ks import ks_ok

    key, cert = _openssl_pair(tmp)
    path = add("ks-pbmac1", "PKCS12")
    ks_ok(
        "bundle-p12",
        "--cert",
        cert,
        "--key",
        key,
        "--out",
        path,
        "--storepass",
        PASSWORD,
        "--alias",
        "server",
        "--target",
        "jdk26",
    )
    return stores
