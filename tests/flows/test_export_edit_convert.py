"""`ks export`, `delete`, `rename`, `convert`; and passwords never leak from any command."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.conftest import Jdk
from tests.interop.javadump import java_dump
from tests.ks import assert_one_line_error, ks, ks_json, ks_ok
from tests.pki import Pki

PASS = ["--storepass", "changeit"]


@pytest.fixture
def keystore(tmp_path: Path, pki: Pki) -> Path:
    out = tmp_path / "keystore.p12"
    ks_ok(
        "bundle-p12",
        "--cert",
        pki.path("client.crt"),
        "--key",
        pki.path("client.key"),
        "--chain",
        pki.path("client-ca.crt"),
        "--out",
        out,
        *PASS,
    )
    ks_ok("import", "-k", out, "--alias", "root", "--file", pki.path("ca.crt"), *PASS)
    return out


def test_export_certificate_pem_der_and_chain(keystore: Path, pki: Pki, tmp_path: Path) -> None:
    pem = ks_ok("export", "-k", keystore, "--alias", "client", *PASS).stdout
    assert x509.load_pem_x509_certificate(pem.encode()) == pki.client.cert
    ks_ok(
        "export", "-k", keystore, "--alias", "client", "--der", "--out", tmp_path / "c.der", *PASS
    )
    assert (tmp_path / "c.der").read_bytes() == pki.client.der
    chain = ks_ok("export", "-k", keystore, "--alias", "client", "--chain", *PASS).stdout
    assert x509.load_pem_x509_certificates(chain.encode()) == [pki.client.cert, pki.client_ca.cert]


def test_export_key_goes_only_to_a_0600_file(keystore: Path, pki: Pki, tmp_path: Path) -> None:
    proc = ks("export", "-k", keystore, "--alias", "client", "--key", *PASS)
    assert "--out" in assert_one_line_error(proc, 2)
    assert "PRIVATE KEY" not in proc.stdout
    out = tmp_path / "client.pem"
    ks_ok("export", "-k", keystore, "--alias", "client", "--key", "--out", out, *PASS)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    assert key.public_key().public_numbers() == pki.client.key.public_key().public_numbers()  # type: ignore[union-attr]
    assert (
        x509.load_pem_x509_certificate(data[data.index(b"-----BEGIN CERTIFICATE") :])
        == pki.client.cert
    )


def test_delete_and_rename(keystore: Path) -> None:
    ks_ok("rename", "-k", keystore, "--alias", "ROOT", "--to", "apm-root", *PASS)
    assert_one_line_error(
        ks("rename", "-k", keystore, "--alias", "apm-root", "--to", "client", *PASS), 5
    )
    ks_ok("delete", "-k", keystore, "--alias", "apm-root", *PASS)
    aliases = [e["alias"] for e in ks_json("list", "-k", keystore, *PASS)["entries"]]
    assert aliases == ["client"]
    before = keystore.read_bytes()
    assert "root" in assert_one_line_error(
        ks("delete", "-k", keystore, "--alias", "root", *PASS), 4
    )
    assert keystore.read_bytes() == before


def test_unknown_alias_and_missing_store_are_exit_4(keystore: Path, tmp_path: Path) -> None:
    assert_one_line_error(ks("show", "-k", keystore, "--alias", "nope", *PASS), 4)
    assert_one_line_error(ks("export", "-k", keystore, "--alias", "nope", *PASS), 4)
    assert_one_line_error(ks("list", "-k", tmp_path / "missing.p12", *PASS), 4)
    assert_one_line_error(ks("delete", "-k", tmp_path / "missing.p12", "--alias", "x", *PASS), 4)
    assert not (tmp_path / "missing.p12").exists()


def test_wrong_password_is_exit_3(keystore: Path) -> None:
    assert_one_line_error(ks("list", "-k", keystore, "--storepass", "wrong"), 3)


@pytest.mark.parametrize("target", ["out.jks", "out.jceks", "out.pem", "out.p12"])
def test_convert_round_trips_through_every_format(
    keystore: Path, tmp_path: Path, target: str
) -> None:
    out = tmp_path / target
    ks_ok("convert", "-k", keystore, "--out", out, "--srcstorepass", "changeit", *PASS)
    original = ks_json("list", "-k", keystore, *PASS)["entries"]
    converted = ks_json("list", "-k", out, *PASS)["entries"]
    assert [(e["alias"].lower(), e["type"], e["sha256"]) for e in converted] == [
        (e["alias"].lower(), e["type"], e["sha256"]) for e in original
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert_one_line_error(
        ks("convert", "-k", keystore, "--out", out, "--srcstorepass", "changeit", *PASS), 5
    )


@pytest.mark.interop
def test_convert_secret_key_to_jks_stops_unless_skipped(tmp_path: Path, jdk17: Jdk) -> None:
    source = tmp_path / "src.p12"
    common = ["-keystore", str(source), "-storetype", "pkcs12", "-storepass", "changeit"]
    jdk17.run_keytool("-genkeypair", *common, "-alias", "key", "-keyalg", "EC", "-dname", "CN=k")
    jdk17.run_keytool("-genseckey", *common, "-alias", "aes", "-keyalg", "AES", "-keysize", "128")
    out = tmp_path / "out.jks"
    proc = ks("convert", "-k", source, "--out", out, "--srcstorepass", "changeit", *PASS)
    assert "'aes'" in assert_one_line_error(proc, 1)
    assert not out.exists()
    proc = ks_ok(
        "convert",
        "-k",
        source,
        "--out",
        out,
        "--srcstorepass",
        "changeit",
        *PASS,
        "--skip-unsupported",
    )
    assert "aes" in proc.stderr
    seen = java_dump(jdk17, out, "jks", "changeit")
    original = java_dump(jdk17, source, "pkcs12", "changeit")
    assert seen == {"key": original["key"]}


SENTINEL = "Sentinel-Pa55-do-not-print"


# Every command runs once per source: `make quick` takes the literal, `make test` all three.
@pytest.mark.parametrize(
    "source",
    [
        "value",
        pytest.param("env", marks=pytest.mark.slow),
        pytest.param("file", marks=pytest.mark.slow),
    ],
)
def test_password_never_appears_in_any_output(tmp_path: Path, pki: Pki, source: str) -> None:
    (tmp_path / "pw").write_text(SENTINEL + "\n")
    env = {"KS_PW": SENTINEL}
    options = {
        "value": ["--storepass", SENTINEL],
        "env": ["--storepass-env", "KS_PW"],
        "file": ["--storepass-file", str(tmp_path / "pw")],
    }[source]
    store = tmp_path / "k.p12"
    runs = [
        ks(
            "bundle-p12",
            "--cert",
            pki.path("client.crt"),
            "--key",
            pki.path("client.key"),
            "--out",
            store,
            *options,
            env=env,
        ),
        ks(
            "bundle-p12",
            "--cert",
            pki.path("client.crt"),
            "--key",
            pki.path("client.key"),
            "--out",
            store,
            "--json",
            *options,
            env=env,
        ),
        ks(
            "bundle-p12",
            "--cert",
            pki.path("client.crt"),
            "--key",
            pki.path("server.key"),
            "--out",
            store,
            *options,
            env=env,
        ),
        ks("import", "-k", store, "--file", pki.path("ca.crt"), *options, env=env),
        ks("import", "-k", store, "--file", pki.path("ca.crt"), "--json", *options, env=env),
        ks("list", "-k", store, "-v", *options, env=env),
        ks("list", "-k", store, "--json", *options, env=env),
        ks("show", "-k", store, "--alias", "client", *options, env=env),
        ks("export", "-k", store, "--alias", "client", *options, env=env),
        ks(
            "convert",
            "-k",
            store,
            "--out",
            tmp_path / "o.jks",
            "--srcstorepass-env",
            "KS_PW",
            *options,
            env=env,
        ),
        ks("list", "-k", store, "--storepass", SENTINEL + "x", env=env),
        ks(
            "import",
            "-k",
            store,
            "--alias",
            "client",
            "--file",
            pki.path("ca.crt"),
            *options,
            env=env,
        ),
        ks("list", "-k", store, "--storepass", SENTINEL, "--storepass-env", "KS_PW", env=env),
    ]
    assert runs[0].returncode == 0 and runs[-1].returncode == 2
    for proc in runs:
        assert SENTINEL not in proc.stdout and SENTINEL not in proc.stderr, proc.args
