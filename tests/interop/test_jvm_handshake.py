"""A real JVM completes mutual TLS with stores made only by `ks` (and fails without them).

A Python `ssl` server on 127.0.0.1 requires a client certificate from the client CA. The Java
client (keystore_tool/resources/HttpsProbe.java, the probe of `ks verify --java`, compiled here) trusts what `ks import` wrote and presents what
`ks bundle-p12` wrote, configured only by the JVM options `ks` printed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.tls_server import https_server
from keystore_tool.javaprobe import probe_source
from tests.conftest import Jdk
from tests.ks import ks_ok
from tests.pki import Pki

pytestmark = pytest.mark.interop
SECRET = "handshake-pass"


@pytest.fixture(scope="session")
def probe_classes(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    classes = tmp_path_factory.mktemp("probe")
    # Compiled for Java 17 so both JDKs run the same class file.
    with probe_source() as source:
        subprocess.run([jdk17.javac, "-d", str(classes), str(source)], check=True)
    return classes


def connect(
    jdk: Jdk, classes: Path, port: int, truststore: Path, storetype: str, jvm_options: list[str]
) -> subprocess.CompletedProcess[str]:
    command = [
        jdk.java,
        f"-Djavax.net.ssl.trustStore={truststore}",
        f"-Djavax.net.ssl.trustStoreType={storetype}",
        f"-Djavax.net.ssl.trustStorePassword={SECRET}",
        *[o.replace("<password>", SECRET) for o in jvm_options],
        "-cp",
        str(classes),
        "HttpsProbe",
        f"https://localhost:{port}/",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def client_options(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> dict[bool, list[str]]:
    """JVM options printed by `ks bundle-p12`, default and --legacy."""
    directory = tmp_path_factory.mktemp("client")
    options = {}
    for legacy in (False, True):
        proc = ks_ok(
            "bundle-p12",
            "--cert",
            pki.path("client.crt"),
            "--key",
            pki.path("client.key"),
            "--chain",
            pki.path("client-ca.crt"),
            "--out",
            directory / f"client-{legacy}.p12",
            "--storepass",
            SECRET,
            *(["--legacy"] if legacy else []),
        )
        options[legacy] = proc.stdout.splitlines()
    return options


@pytest.fixture(scope="module", params=["self-signed", "ca-issued"])
def server(request: pytest.FixtureRequest, pki: Pki) -> Iterator[tuple[str, int, Path]]:
    """(kind, port, certificate file to trust)."""
    if request.param == "self-signed":
        chain, key, trust = (
            pki.path("self-signed.crt"),
            pki.path("self-signed.key"),
            pki.path("self-signed.crt"),
        )
    else:
        chain, key, trust = pki.path("server-chain.crt"), pki.path("server.key"), pki.path("ca.crt")
    with https_server(chain, key, client_ca=pki.path("client-ca.crt"), lifetime=300) as (
        port,
        _log,
    ):
        yield request.param, port, trust


@pytest.mark.parametrize("storetype", ["pkcs12", "jks"])
@pytest.mark.parametrize("legacy", [False, True])
def test_jvm_handshake_succeeds_with_ks_stores(
    tmp_path: Path,
    jdk: Jdk,
    probe_classes: Path,
    server: tuple[str, int, Path],
    client_options: dict[bool, list[str]],
    storetype: str,
    legacy: bool,
) -> None:
    _, port, trust = server
    truststore = tmp_path / f"trust.{'p12' if storetype == 'pkcs12' else 'jks'}"
    ks_ok(
        "import",
        "-k",
        truststore,
        "--alias",
        "apm-server-cert",
        "--file",
        trust,
        "--storepass",
        SECRET,
    )
    proc = connect(jdk, probe_classes, port, truststore, storetype, client_options[legacy])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "status=200 body=hello from the APM server" in proc.stdout


def test_jvm_refuses_when_the_certificate_was_not_imported(
    tmp_path: Path,
    jdk: Jdk,
    probe_classes: Path,
    server: tuple[str, int, Path],
    client_options: dict[bool, list[str]],
    pki: Pki,
) -> None:
    _, port, _ = server
    truststore = tmp_path / "trust.p12"
    ks_ok(
        "import",
        "-k",
        truststore,
        "--alias",
        "other",
        "--file",
        pki.path("unrelated-ca.crt"),
        "--storepass",
        SECRET,
    )
    proc = connect(jdk, probe_classes, port, truststore, "pkcs12", client_options[False])
    assert proc.returncode == 1
    assert (
        "PKIX path building failed" in proc.stdout
        or "unable to find valid certification path" in proc.stdout
    )


def test_server_refuses_a_client_without_the_keystore(
    tmp_path: Path, jdk: Jdk, probe_classes: Path, server: tuple[str, int, Path]
) -> None:
    _, port, trust = server
    truststore = tmp_path / "trust.p12"
    ks_ok("import", "-k", truststore, "--alias", "apm", "--file", trust, "--storepass", SECRET)
    proc = connect(jdk, probe_classes, port, truststore, "pkcs12", [])
    assert proc.returncode == 1, proc.stdout
