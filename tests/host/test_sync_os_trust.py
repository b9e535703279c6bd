"""``ks sync-os-trust`` as Debian's trust hook, driven by the real ``update-ca-certificates``
on private directories (never the machine's /etc/ssl or /etc/ca-certificates).

Each run's result is compared byte for byte with a fresh full build of the same directory;
keytool 17 lists the store with ``changeit``; a JVM using it trusts a server signed by a CA
added to the local directory, and not before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.tls_server import https_server
from keystore_tool.model import TrustedCertificateEntry
from keystore_tool.password import Password
from keystore_tool.storage import load_store
from tests.conftest import Jdk, _missing
from tests.host.conftest import https_probe
from tests.ks import ROOT, ks, ks_ok
from tests.pki import Pki

pytestmark = pytest.mark.interop
UPDATE_CA_CERTIFICATES = Path("/usr/sbin/update-ca-certificates")
HOOK = ROOT / "contrib/ca-certificates/update.d/ks-java-cacerts"
VENV_KS = Path(sys.executable).with_name("ks")


@dataclass(frozen=True)
class OsTrust:
    """A private copy of the OS trust store's directories, and the Java store the hook keeps."""

    root: Path
    conf: Path
    certs: Path  # --certsdir: the CA files (a copy of /usr/share/ca-certificates)
    local: Path  # --localcertsdir
    etc: Path  # --etccertsdir: the NAME.pem links update-ca-certificates makes
    hooks: Path
    keystore: Path

    def update(self, *extra: str) -> str:
        env = dict(os.environ)
        env.pop("JAVA_TOOL_OPTIONS", None)
        env.update(
            KS=str(VENV_KS),
            KS_JAVA_CACERTS=str(self.keystore),
            KS_CACERTS_DEFAULTS=str(self.root / "no-defaults"),
            TMPDIR=str(self.root / "tmp"),
        )
        proc = subprocess.run(
            [
                str(UPDATE_CA_CERTIFICATES),
                *extra,
                "--certsconf",
                str(self.conf),
                "--certsdir",
                str(self.certs),
                "--localcertsdir",
                str(self.local),
                "--etccertsdir",
                str(self.etc),
                "--hooksdir",
                str(self.hooks),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0 and "E: " not in output, output
        return output

    def links(self) -> set[str]:
        return {
            f"debian:{p.name.lower()}"
            for p in self.etc.iterdir()
            if p.name.endswith(".pem") and p.is_symlink() and p.exists()
        }

    def fresh_build(self, name: str) -> bytes:
        target = self.root / name
        ks_ok("sync-os-trust", "-k", target, "--certs-dir", self.etc)
        return target.read_bytes()


@pytest.fixture
def os_trust(tmp_path: Path) -> OsTrust:
    if not UPDATE_CA_CERTIFICATES.exists():
        _missing("update-ca-certificates (Debian ca-certificates)")
    assert VENV_KS.exists(), "the project's ks is not installed in this Python's venv"
    shutil.copytree("/usr/share/ca-certificates", tmp_path / "share", symlinks=True)
    conf = tmp_path / "ca-certificates.conf"
    shutil.copyfile("/etc/ca-certificates.conf", conf)
    for name in ("local", "etc-certs", "hooks", "tmp"):
        (tmp_path / name).mkdir()
    shutil.copy(HOOK, tmp_path / "hooks" / HOOK.name)
    return OsTrust(
        tmp_path,
        conf,
        tmp_path / "share",
        tmp_path / "local",
        tmp_path / "etc-certs",
        tmp_path / "hooks",
        tmp_path / "java" / "cacerts",
    )


def _aliases(path: Path) -> set[str]:
    return {e.alias for e in load_store(path, Password("changeit"))}


def test_hook_with_update_ca_certificates_adds_and_removes_exactly_one_entry(
    os_trust: OsTrust, jdk17: Jdk, probe_classes: Path, pki: Pki
) -> None:
    os_trust.update()
    first = os_trust.keystore.read_bytes()
    assert first[:4] == b"\xfe\xed\xfe\xed"  # JKS, as ca-certificates-java writes
    baseline = _aliases(os_trust.keystore)
    assert baseline == os_trust.links() and len(baseline) > 100
    assert first == os_trust.fresh_build("fresh-0")
    listing = jdk17.run_keytool(
        "-list", "-keystore", str(os_trust.keystore), "-storepass", "changeit"
    )
    assert f"contains {len(baseline)} entries" in listing.stdout
    assert "debian:isrg_root_x1.pem, " in listing.stdout

    # A CA in the local directory: exactly that entry is added, incrementally.
    (os_trust.local / "corp").mkdir()
    (os_trust.local / "corp" / "test-root.crt").write_bytes(pki.ca.pem)
    output = os_trust.update()
    assert "cacerts: added 1, unchanged 0" in output  # the hook's own report: one change
    assert _aliases(os_trust.keystore) == baseline | {"debian:test-root.pem"}
    with_ca = os_trust.keystore.read_bytes()
    assert with_ca == os_trust.fresh_build("fresh-1")
    listing = jdk17.run_keytool(
        "-list", "-keystore", str(os_trust.keystore), "-storepass", "changeit"
    )
    assert "debian:test-root.pem, " in listing.stdout

    # A JVM using the store trusts a server signed by the new CA, and not before.
    before = os_trust.root / "before-cacerts"
    before.write_bytes(first)
    with https_server(pki.path("server-chain.crt"), pki.path("server.key"), lifetime=300) as (
        port,
        _log,
    ):
        for store, trusted in ((before, False), (os_trust.keystore, True)):
            ok, used, output = https_probe(
                jdk17, probe_classes, port,
                f"-Djavax.net.ssl.trustStore={store}", "-Djavax.net.ssl.trustStorePassword=changeit",
            )  # fmt: skip
            assert used == str(store)
            assert ok is trusted, output

    # Deselecting a Mozilla CA in the configuration: its "-" line removes its entry.
    deselected = "mozilla/ISRG_Root_X1.crt"
    text = os_trust.conf.read_text().replace(f"\n{deselected}\n", f"\n!{deselected}\n")
    os_trust.conf.write_text(text)
    output = os_trust.update()
    assert "removed 1," in output
    assert _aliases(os_trust.keystore) == (baseline | {"debian:test-root.pem"}) - {
        "debian:isrg_root_x1.pem"
    }
    assert os_trust.keystore.read_bytes() == os_trust.fresh_build("fresh-2")

    # Removing the local CA (update-ca-certificates --fresh, as Debian says to): gone again.
    (os_trust.local / "corp" / "test-root.crt").unlink()
    os_trust.update("--fresh")
    assert _aliases(os_trust.keystore) == baseline - {"debian:isrg_root_x1.pem"}
    assert os_trust.keystore.read_bytes() == os_trust.fresh_build("fresh-3")
    os_trust.conf.write_text(text.replace(f"\n!{deselected}\n", f"\n{deselected}\n"))
    os_trust.update()
    assert os_trust.keystore.read_bytes() == first  # back where it started, byte for byte


def _links(directory: Path, pki: Pki) -> dict[str, Path]:
    """A certificates directory of NAME.pem links, as update-ca-certificates leaves it."""
    directory.mkdir()
    files = {"Test_Root.pem": pki.path("ca.crt"), "Client_CA.pem": pki.path("client-ca.crt")}
    for name, target in files.items():
        (directory / name).symlink_to(target)
    (directory / "snakeoil.pem").write_bytes(pki.self_signed.pem)  # a plain file: not a CA link
    return files


def test_entries_added_by_hand_are_kept_unless_pruned(tmp_path: Path, pki: Pki) -> None:
    certs = tmp_path / "certs"
    _links(certs, pki)
    store = tmp_path / "cacerts"
    ks_ok("sync-os-trust", "-k", store, "--certs-dir", certs)
    assert _aliases(store) == {"debian:test_root.pem", "debian:client_ca.pem"}
    ks_ok("import", "-k", store, "--alias", "by-hand", "--file", pki.path("unrelated-ca.crt"),
          "--storepass", "changeit")  # fmt: skip
    (certs / "Client_CA.pem").unlink()
    proc = ks(
        "sync-os-trust", "-k", store, "--changes", "-", "--json",
        input=f"-{certs}/Client_CA.pem\nnonsense\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["mode"], report["removed"], report["kept_manual"]) == (
        "changes",
        ["debian:client_ca.pem"],
        ["by-hand"],
    )
    assert "unknown input line ignored: nonsense" in proc.stderr
    assert _aliases(store) == {"debian:test_root.pem", "by-hand"}
    pruned = ks("sync-os-trust", "-k", store, "--certs-dir", certs, "--prune-manual", "--json")
    assert json.loads(pruned.stdout)["removed"] == ["by-hand"]
    assert _aliases(store) == {"debian:test_root.pem"}


def test_a_bundle_builds_the_same_certificates_as_the_directory(tmp_path: Path, pki: Pki) -> None:
    certs = tmp_path / "certs"
    files = _links(certs, pki)
    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_bytes(b"".join(p.read_bytes() for p in files.values()))
    ks_ok("sync-os-trust", "-k", tmp_path / "from-dir", "--certs-dir", certs)
    ks_ok("sync-os-trust", "-k", tmp_path / "from-bundle", "--bundle", bundle)

    def fingerprints(path: Path) -> set[bytes]:
        store = load_store(path, Password("changeit"))
        return {e.certificate.sha256 for e in store if isinstance(e, TrustedCertificateEntry)}

    assert fingerprints(tmp_path / "from-dir") == fingerprints(tmp_path / "from-bundle")
    assert len(fingerprints(tmp_path / "from-bundle")) == 2


def test_a_password_less_pkcs12_store_on_request(tmp_path: Path, pki: Pki, jdk17: Jdk) -> None:
    certs = tmp_path / "certs"
    _links(certs, pki)
    store = tmp_path / "cacerts"
    report = json.loads(
        ks_ok("sync-os-trust", "-k", store, "--certs-dir", certs, "--no-password", "--json").stdout
    )
    assert report["storetype"] == "pkcs12"
    assert load_store(store, None).properties["passwordless"] is True
    listing = jdk17.run_keytool(
        "-list", "-keystore", str(store), "-storetype", "pkcs12", input="\n"
    )
    assert "debian:test_root.pem" in listing.stdout and "debian:client_ca.pem" in listing.stdout
