"""The README's provisioning script, run as written: the Python API without the CLI."""

from __future__ import annotations

from pathlib import Path

from tests.certs import issue

SCRIPT = """
from keystore_tool import (Certificate, Extensions, KeySpec, Keystore, Password, StoreTarget,
                           TrustedCertificateEntry, genkeypair, load_store, read_certificates,
                           save_store)

password = Password("changeit")
# A truststore holding every CA in ./cas, written whole, atomically, under a lock.
trust = Keystore(storetype="pkcs12")
for pem in sorted(Path("cas").glob("*.pem")):
    for cert in read_certificates(pem.read_bytes(), str(pem)):
        trust.add(TrustedCertificateEntry(alias=pem.stem, certificate=cert), replace=True)
save_store("truststore.p12", trust, password)
# A key pair for this service, added to a JKS keystore (created when missing).
genkeypair(StoreTarget("service.jks", password), "service", dname="CN=svc, O=Example",
           key=KeySpec("ec", 256), validity_days=30,
           extensions=Extensions(sans=("dns:svc.example",), ext_key_usage=("serverAuth",)))
store = load_store("service.jks", password)
for entry in store.sorted_entries():
    print(entry.alias, entry.kind, entry.certificates()[0].sha256_hex)
assert isinstance(store["service"].certificates()[0], Certificate)
"""


def test_the_provisioning_script_runs(tmp_path: Path) -> None:
    import os

    (tmp_path / "cas").mkdir()
    for name in ("corp-root", "partner-root"):
        (tmp_path / "cas" / f"{name}.pem").write_bytes(issue(name, ca=True, key_kind="ec").pem)
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile("from pathlib import Path\n" + SCRIPT, "provision.py", "exec"), {})
    finally:
        os.chdir(previous)
    from keystore_tool import Password, load_store

    trust = load_store(tmp_path / "truststore.p12", Password("changeit"))
    assert sorted(e.alias for e in trust) == ["corp-root", "partner-root"]
    service = load_store(tmp_path / "service.jks", Password("changeit"))
    assert [e.kind for e in service] == ["private-key"]
    assert len(SCRIPT.strip().splitlines()) <= 22


def test_the_readme_shows_this_script_and_it_uses_only_the_public_names() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert SCRIPT.strip() in readme
    imports = [line for line in SCRIPT.splitlines() if "import" in line]
    assert all(line.startswith("from keystore_tool import") for line in imports), imports
