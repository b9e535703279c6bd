"""keytool parity judged by the real tools: keytool lists what `ks genkeypair` made and reads
its requests, openssl verifies what `ks gencert` signed, CA replies cross between keytool and
ks both ways, and a JVM completes mutual TLS with stores made only by ks commands."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.tls_server import https_server
from tests.conftest import Jdk, run
from tests.interop.javadump import java_dump
from tests.ks import assert_one_line_error, ks, ks_json, ks_ok

pytestmark = pytest.mark.interop
PW = "keygen-secret"


def genkeypair(store: Path, alias: str, *args: str) -> None:
    ks_ok("genkeypair", "-k", store, "--alias", alias, "--storepass", PW, *args)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One store of each writable type, holding keys of every offered algorithm."""
    d = tmp_path_factory.mktemp("genkeypair")
    stores = {t: d / f"keys.{t}" for t in ("p12", "jks", "jceks", "pem")}
    san = ["--san", "dns:svc.example,ip:10.0.0.1"]
    genkeypair(stores["p12"], "rsa2048", "--dname", "CN=svc.example, O=Test, C=US",
               "--keysize", "2048", *san, "--ext-key-usage", "serverAuth,clientAuth",
               "--key-usage", "digitalSignature,keyEncipherment", "--validity", "30")  # fmt: skip
    genkeypair(stores["p12"], "rsa4096", "--dname", "CN=big", "--keysize", "4096")
    genkeypair(stores["p12"], "ec384", "--dname", "CN=ec384", "--keyalg", "ec", "--keysize", "384")
    genkeypair(stores["p12"], "ed", "--dname", "CN=ed", "--keyalg", "ed25519")
    genkeypair(stores["jks"], "rsa3072", "--dname", "CN=jks-rsa")
    genkeypair(stores["jks"], "ec256", "--dname", "CN=jks-ec", "--keyalg", "ec")
    genkeypair(stores["jceks"], "ec521", "--dname", "CN=jceks-ec", "--keyalg", "ec",
               "--keysize", "521")  # fmt: skip
    genkeypair(stores["pem"], "pem-ec", "--dname", "CN=pem-ec", "--keyalg", "ec")
    return stores


def keytool_list(jdk: Jdk, store: Path, storetype: str) -> str:
    return jdk.run_keytool(
        "-list", "-v", "-keystore", str(store), "-storetype", storetype, "-storepass", PW
    ).stdout


def test_keytool_lists_what_genkeypair_made(jdk: Jdk, made: dict[str, Path]) -> None:
    p12 = keytool_list(jdk, made["p12"], "PKCS12")
    assert p12.count("Entry type: PrivateKeyEntry") == 4
    assert "2048-bit RSA key" in p12 and "4096-bit RSA key" in p12
    assert "384-bit EC (secp384r1) key" in p12 and "Ed25519" in p12
    assert "DNSName: svc.example" in p12 and "IPAddress: 10.0.0.1" in p12
    assert "serverAuth" in p12 and "clientAuth" in p12 and "Key_Encipherment" in p12
    assert "Owner: CN=svc.example, O=Test, C=US" in p12
    jks = keytool_list(jdk, made["jks"], "JKS")
    assert jks.count("Entry type: PrivateKeyEntry") == 2 and "3072-bit RSA key" in jks
    jceks = keytool_list(jdk, made["jceks"], "JCEKS")
    assert "521-bit EC (secp521r1) key" in jceks
    # The JVM decrypts every key with the store password (what a KeyManagerFactory does).
    for name, storetype in (("p12", "PKCS12"), ("jks", "JKS"), ("jceks", "JCEKS")):
        dump = java_dump(jdk, made[name], storetype, PW)
        assert dump and all(e["type"] == "private-key" and e["key"] for e in dump.values())


def test_a_pem_store_key_opens_with_openssl(openssl: str, made: dict[str, Path]) -> None:
    proc = run([openssl, "pkey", "-in", str(made["pem"]), "-passin", f"pass:{PW}", "-noout",
                "-text"])  # fmt: skip
    assert "NIST CURVE: P-256" in proc.stdout


def test_an_existing_alias_is_a_conflict(made: dict[str, Path]) -> None:
    before = made["jks"].read_bytes()
    proc = ks("genkeypair", "-k", made["jks"], "--alias", "EC256", "--dname", "CN=x",
              "--storepass", PW)  # fmt: skip
    assert_one_line_error(proc, 5)
    assert made["jks"].read_bytes() == before


def test_keytool_printcertreq_reads_our_request(
    jdk: Jdk, made: dict[str, Path], tmp_path: Path
) -> None:
    csr = tmp_path / "req.pem"
    ks_ok("certreq", "-k", made["p12"], "--alias", "rsa2048", "--storepass", PW, "--out", csr)
    text = jdk.run_keytool("-printcertreq", "-file", str(csr)).stdout
    assert "Subject: CN=svc.example, O=Test, C=US" in text
    assert "DNSName: svc.example" in text and "IPAddress: 10.0.0.1" in text
    ed = tmp_path / "ed.pem"
    ks_ok("certreq", "-k", made["p12"], "--alias", "ed", "--storepass", PW, "--out", ed,
          "--dname", "CN=renamed", "--san", "dns:other.example")  # fmt: skip
    text = jdk.run_keytool("-printcertreq", "-file", str(ed)).stdout
    assert "Subject: CN=renamed" in text and "DNSName: other.example" in text


@pytest.fixture(scope="module")
def ks_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A CA made by ks: its store and its certificate as PEM."""
    d = tmp_path_factory.mktemp("ca")
    store = d / "ca.p12"
    genkeypair(store, "ca", "--dname", "CN=ks Test CA, O=Test", "--keyalg", "ec", "--ca",
               "--validity", "365")  # fmt: skip
    ks_ok("export", "-k", store, "--alias", "ca", "--storepass", PW, "--out", d / "ca.pem")
    return store, d / "ca.pem"


def test_openssl_verifies_what_gencert_signed(
    openssl: str, ks_ca: tuple[Path, Path], tmp_path: Path
) -> None:
    ca_store, ca_pem = ks_ca
    # The request comes from openssl: gencert must read a foreign CSR.
    run([openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "req.pem"),
         "-subj", "/CN=api.example", "-addext", "subjectAltName=DNS:api.example"])  # fmt: skip
    cert = tmp_path / "cert.pem"
    ks_ok("gencert", "-k", ca_store, "--alias", "ca", "--storepass", PW,
          "--infile", tmp_path / "req.pem", "--outfile", cert, "--validity", "10",
          "--ext-key-usage", "serverAuth", "--key-usage", "digitalSignature")  # fmt: skip
    verified = run([openssl, "verify", "-CAfile", str(ca_pem), "-purpose", "sslserver", str(cert)])
    assert f"{cert}: OK" in verified.stdout
    text = run([openssl, "x509", "-in", str(cert), "-noout", "-text"]).stdout
    assert "DNS:api.example" in text and "TLS Web Server Authentication" in text
    tampered = (tmp_path / "req.pem").read_text().replace("A", "B", 3)
    (tmp_path / "bad.pem").write_text(tampered)
    proc = ks("gencert", "-k", ca_store, "--alias", "ca", "--storepass", PW,
              "--infile", tmp_path / "bad.pem")  # fmt: skip
    assert_one_line_error(proc, 1)


def test_a_keytool_signed_reply_imports_into_a_ks_entry(jdk: Jdk, tmp_path: Path) -> None:
    kt_ca = tmp_path / "kt-ca.p12"
    jdk.run_keytool("-genkeypair", "-keystore", str(kt_ca), "-storepass", PW, "-alias", "ca",
                    "-keyalg", "EC", "-dname", "CN=keytool CA", "-ext", "bc:c")  # fmt: skip
    ca_pem = tmp_path / "kt-ca.pem"
    jdk.run_keytool("-exportcert", "-rfc", "-keystore", str(kt_ca), "-storepass", PW,
                    "-alias", "ca", "-file", str(ca_pem))  # fmt: skip
    store = tmp_path / "mine.p12"
    genkeypair(store, "server", "--dname", "CN=server", "--keysize", "2048")
    csr = tmp_path / "req.pem"
    ks_ok("certreq", "-k", store, "--alias", "server", "--storepass", PW, "--out", csr)
    reply = tmp_path / "reply.pem"
    jdk.run_keytool("-gencert", "-rfc", "-keystore", str(kt_ca), "-storepass", PW, "-alias",
                    "ca", "-infile", str(csr), "-outfile", str(reply))  # fmt: skip

    before = store.read_bytes()
    line = assert_one_line_error(
        ks("import", "-k", store, "--alias", "server", "--file", reply, "--storepass", PW), 1
    )
    assert "CN=keytool CA" in line
    assert store.read_bytes() == before
    # As keytool does, the chain is completed from the store's trusted certificates.
    ks_ok("import", "-k", store, "--alias", "keytool-ca", "--file", ca_pem, "--storepass", PW)
    report = ks_json("import", "-k", store, "--alias", "server", "--file", reply,
                     "--storepass", PW)  # fmt: skip
    assert report["replaced"] == ["server"]
    listing = keytool_list(jdk, store, "PKCS12")
    assert "Certificate chain length: 2" in listing and "Issuer: CN=keytool CA" in listing
    dump = java_dump(jdk, store, "PKCS12", PW)
    assert len(dump["server"]["chain"]) == 2 and dump["server"]["key"]

    other = tmp_path / "other.p12"
    genkeypair(other, "server", "--dname", "CN=server", "--keyalg", "ec")
    line = assert_one_line_error(
        ks("import", "-k", other, "--alias", "server", "--file", reply, "--storepass", PW), 1
    )
    assert "does not certify the key" in line


def test_keytool_imports_a_ks_gencert_reply(
    jdk: Jdk, ks_ca: tuple[Path, Path], tmp_path: Path
) -> None:
    ca_store, _ = ks_ca
    store = tmp_path / "kt.jks"
    jdk.run_keytool("-genkeypair", "-keystore", str(store), "-storetype", "JKS", "-storepass",
                    PW, "-keypass", PW, "-alias", "server", "-keyalg", "RSA", "-keysize",
                    "2048", "-dname", "CN=kt-server")  # fmt: skip
    csr = tmp_path / "kt.csr"
    jdk.run_keytool("-certreq", "-keystore", str(store), "-storepass", PW, "-alias", "server",
                    "-file", str(csr), "-ext", "san=dns:kt-server.example")  # fmt: skip
    reply = tmp_path / "reply.pem"
    ks_ok("gencert", "-k", ca_store, "--alias", "ca", "--storepass", PW, "--infile", csr,
          "--outfile", reply)  # fmt: skip
    # The reply carries the CA, so keytool can install it without asking about trust.
    jdk.run_keytool("-importcert", "-noprompt", "-keystore", str(store), "-storepass", PW,
                    "-alias", "server", "-file", str(reply))  # fmt: skip
    listing = keytool_list(jdk, store, "JKS")
    assert "Certificate chain length: 2" in listing
    assert "Issuer: CN=ks Test CA, O=Test" in listing and "DNSName: kt-server.example" in listing


# --------------------------------------------------------------------------- a real handshake


def issue_with_ks(ca: Path, store: Path, alias: str, usage: str, *gen: str) -> Path:
    """A key entry whose certificate the ks CA signed: genkeypair, certreq, gencert, import."""
    genkeypair(store, alias, *gen)
    csr = store.with_suffix(".csr")
    ks_ok("certreq", "-k", store, "--alias", alias, "--storepass", PW, "--out", csr)
    reply = store.with_suffix(".reply.pem")
    ks_ok("gencert", "-k", ca, "--alias", "ca", "--storepass", PW, "--infile", csr,
          "--outfile", reply, "--ext-key-usage", usage)  # fmt: skip
    ks_ok("import", "-k", store, "--alias", alias, "--file", reply, "--storepass", PW)
    return reply


@pytest.fixture(scope="module")
def ks_only_pki(
    tmp_path_factory: pytest.TempPathFactory, ks_ca: tuple[Path, Path]
) -> Iterator[tuple[int, Path, Path]]:
    """(server port, truststore.jks, client.p12), every store and file made by ks."""
    d = tmp_path_factory.mktemp("tls")
    ca_store, _ = ks_ca
    server = d / "server.p12"
    issue_with_ks(ca_store, server, "server", "serverAuth", "--dname", "CN=localhost",
                  "--keysize", "2048", "--san", "dns:localhost,ip:127.0.0.1")  # fmt: skip
    ks_ok("export", "-k", server, "--alias", "server", "--storepass", PW, "--chain",
          "--out", d / "server-chain.pem")  # fmt: skip
    ks_ok("export", "-k", server, "--alias", "server", "--storepass", PW, "--key",
          "--out", d / "server-key.pem")  # fmt: skip
    client = d / "client.p12"
    issue_with_ks(ca_store, client, "agent", "clientAuth", "--dname", "CN=agent",
                  "--keyalg", "ec")  # fmt: skip
    ca_pem = d / "ca.pem"
    ks_ok("export", "-k", ca_store, "--alias", "ca", "--storepass", PW, "--out", ca_pem)
    trust = d / "trust.jks"
    ks_ok("import", "-k", trust, "--alias", "ks-ca", "--file", ca_pem, "--storepass", PW)
    with https_server(d / "server-chain.pem", d / "server-key.pem", client_ca=ca_pem,
                      lifetime=300) as (port, _log):  # fmt: skip
        yield port, trust, client


def test_jvm_mutual_tls_with_stores_made_only_by_ks(
    jdk: Jdk, ks_only_pki: tuple[int, Path, Path]
) -> None:
    port, trust, client = ks_only_pki
    proc = subprocess.run(
        [jdk.java, f"-Djavax.net.ssl.trustStore={trust}", "-Djavax.net.ssl.trustStoreType=jks",
         f"-Djavax.net.ssl.trustStorePassword={PW}", f"-Djavax.net.ssl.keyStore={client}",
         "-Djavax.net.ssl.keyStoreType=pkcs12", f"-Djavax.net.ssl.keyStorePassword={PW}",
         str(Path(__file__).with_name("TlsProbe.java")), "localhost", str(port)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HTTP/1.1 200 OK" in proc.stdout, proc.stdout
    # The control: without the ks-made client keystore the server refuses the JVM.
    refused = subprocess.run(
        [jdk.java, f"-Djavax.net.ssl.trustStore={trust}", f"-Djavax.net.ssl.trustStorePassword={PW}",
         str(Path(__file__).with_name("TlsProbe.java")), "localhost", str(port)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "HTTP/1.1 200 OK" not in refused.stdout
