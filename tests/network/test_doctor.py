"""``ks doctor`` finds each problem in a store built to have it, reports a clean store clean,
and its "Java sees N anchors" matches what a real JVM's trust manager takes from the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.certs import NOW, Issued, issue
from tests.conftest import Jdk, run
from tests.network.helpers import ks, pem

pytestmark = pytest.mark.interop

ANCHOR_COUNT = """
import java.io.File;
import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

public class AnchorCount {
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i += 2) {
            char[] password = args[i + 1].equals("-") ? null : args[i + 1].toCharArray();
            try {
                KeyStore ks = KeyStore.getInstance(new File(args[i]), password);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(ks);
                X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
                System.out.println(tm.getAcceptedIssuers().length);
            } catch (Exception e) {
                System.out.println("error " + e);
            }
        }
    }
}
"""


def _doctor(store: Path, *extra: str) -> tuple[int, dict[str, object]]:
    proc = ks("doctor", "-k", str(store), *extra, "--json")
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _codes(document: dict[str, object]) -> set[str]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {f["code"] for f in findings}


def _sha1_signed(directory: Path, openssl: str, issuer: Issued) -> Path:
    """A CA-issued certificate signed with SHA-1 (cryptography refuses to make one)."""
    ca_cert, ca_key = directory / "sha1-ca.pem", directory / "sha1-ca.key"
    ca_cert.write_bytes(issuer.pem)
    ca_key.write_bytes(issuer.key_pem())
    key, csr, cert = directory / "sha1.key", directory / "sha1.csr", directory / "sha1.pem"
    run(
        [
            openssl,
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=SHA1 Leaf",
            "-keyout",
            str(key),
            "-out",
            str(csr),
        ]
    )
    run(
        [
            openssl,
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(ca_cert),
            "-CAkey",
            str(ca_key),
            "-CAcreateserial",
            "-sha1",
            "-days",
            "365",
            "-out",
            str(cert),
        ]
    )
    return cert


def _weak_rsa(cn: str) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, openssl: str
) -> dict[str, tuple[Path, str | None]]:
    directory = tmp_path_factory.mktemp("doctor")
    root = issue("Doctor Root", ca=True)
    inter = issue("Doctor Intermediate", issuer=root, ca=True)
    leaf = issue("server", issuer=inter)
    expired = issue(
        "Old CA",
        ca=True,
        not_before=NOW - dt.timedelta(days=400),
        not_after=NOW - dt.timedelta(days=2),
    )
    soon = issue("Soon CA", ca=True, not_after=NOW + dt.timedelta(days=5))
    made: dict[str, tuple[Path, str | None]] = {}

    def trust(name: str, *certs: Issued) -> None:
        source = directory / f"{name}.pem"
        source.write_bytes(pem(*certs))
        store = directory / f"{name}.p12"
        proc = ks("import", "-k", str(store), "--file", str(source), "--storepass", "changeit")
        assert proc.returncode == 0, proc.stderr
        made[name] = (store, "changeit")

    trust("clean", root)
    trust("expired", expired)
    trust("expires-soon", soon)
    trust("weak-key", _weak_rsa("Weak Root"))
    sha1 = _sha1_signed(directory, openssl, root)
    store = directory / "weak-signature.p12"
    proc = ks("import", "-k", str(store), "--file", str(sha1), "--storepass", "changeit")
    assert proc.returncode == 0, proc.stderr
    made["weak-signature"] = (store, "changeit")

    # openssl's truststore: certificate bags without Java's attribute, encrypted.
    nokeys = directory / "openssl-nokeys.p12"
    bundle = directory / "bundle.pem"
    bundle.write_bytes(pem(root, inter))
    run(
        [
            openssl,
            "pkcs12",
            "-export",
            "-nokeys",
            "-in",
            str(bundle),
            "-out",
            str(nokeys),
            "-passout",
            "pass:changeit",
        ]
    )
    made["openssl-nokeys"] = (nokeys, "changeit")

    def keystore(name: str, key: object, cert: Issued, chain: list[x509.Certificate]) -> None:
        data = pkcs12.serialize_key_and_certificates(
            b"key",
            key,
            cert.cert,
            chain,  # type: ignore[arg-type]
            serialization.BestAvailableEncryption(b"changeit"),
        )
        path = directory / f"{name}.p12"
        path.write_bytes(data)
        made[name] = (path, "changeit")

    # Generic writers refuse a key that does not match; build it with ks's own writer.
    from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
    from keystore_tool.password import Password
    from keystore_tool.storage import dump_bytes

    mismatched = Keystore(
        [
            PrivateKeyEntry(
                alias="key",
                chain=[Certificate(leaf.der), Certificate(inter.der), Certificate(root.der)],
                private_key=issue("other").key_pkcs8_der(),
            )
        ],
        storetype="pkcs12",
    )
    path = directory / "key-mismatch.p12"
    path.write_bytes(dump_bytes(mismatched, "pkcs12", Password("changeit")))
    made["key-mismatch"] = (path, "changeit")
    # A JKS keeps a key's chain in the order it was written (a PKCS12 reader, Java's and
    # ours, rebuilds it by issuer), so that is where a mis-ordered chain lives.
    misordered = Keystore(
        [
            PrivateKeyEntry(
                alias="key",
                chain=[Certificate(leaf.der), Certificate(root.der), Certificate(inter.der)],
                private_key=leaf.key_pkcs8_der(),
            )
        ],
        storetype="jks",
    )
    path = directory / "chain-misordered.jks"
    path.write_bytes(dump_bytes(misordered, "jks", Password("changeit")))
    made["chain-misordered"] = (path, "changeit")
    return made


EXPECTED = {
    "clean": set(),
    "expired": {"expired"},
    "expires-soon": {"expires-soon"},
    "weak-key": {"weak-key"},
    "weak-signature": {"weak-signature"},
    "openssl-nokeys": {"not-trusted-by-java", "empty-truststore"},
    "key-mismatch": {"key-mismatch"},
    "chain-misordered": {"chain-misordered"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_doctor_finds_the_problem_the_store_was_built_with(
    stores: dict[str, tuple[Path, str | None]], name: str
) -> None:
    path, password = stores[name]
    code, document = _doctor(path, "--storepass", str(password))
    assert _codes(document) == EXPECTED[name], document["findings"]
    assert code == (0 if not EXPECTED[name] else 1)
    for finding in document["findings"]:  # type: ignore[attr-defined]
        assert finding["remedy"] and finding["message"]


def test_password_protected_truststore_without_password(
    stores: dict[str, tuple[Path, str | None]],
) -> None:
    path, _ = stores["openssl-nokeys"]
    code, document = _doctor(path)
    assert code == 1 and "password-required" in _codes(document)
    assert document["java_sees_anchors"] == 0


def test_encryption_java_8_cannot_read(stores: dict[str, tuple[Path, str | None]]) -> None:
    path, password = stores["clean"]
    _, document = _doctor(path, "--storepass", str(password), "--target-java", "8")
    assert "encryption-unreadable" in _codes(document)
    _, current = _doctor(path, "--storepass", str(password), "--target-java", "17")
    assert _codes(current) == set()


def test_java_sees_as_many_anchors_as_doctor_says(
    stores: dict[str, tuple[Path, str | None]], jdk: Jdk, tmp_path: Path
) -> None:
    source = tmp_path / "AnchorCount.java"
    source.write_text(ANCHOR_COUNT)
    cases = [(name, path, password) for name, (path, password) in sorted(stores.items())]
    cases.append(("nokeys-without-password", stores["openssl-nokeys"][0], None))
    args = []
    for _, path, password in cases:
        args += [str(path), password or "-"]
    env = {k: v for k, v in os.environ.items() if not k.endswith("JAVA_OPTIONS")}
    env.pop("JAVA_TOOL_OPTIONS", None)
    proc = subprocess.run(
        [jdk.java, str(source), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    java_counts = proc.stdout.split("\n")
    for (name, path, password), java_count in zip(cases, java_counts, strict=False):
        extra = ("--storepass", password) if password else ()
        _, document = _doctor(path, *extra)
        assert str(document["java_sees_anchors"]) == java_count.strip(), name
