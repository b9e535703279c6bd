"""``ks where`` against what the JVM itself reports loading (``-Djavax.net.debug=ssl:trustmanager``
prints "trustStore is: …"), on private copies of JDK 17 and 25 made of symlinks, so that a
``jssecacerts`` can be added without touching /usr/lib/jvm."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Jdk
from tests.network.helpers import ks_json

pytestmark = pytest.mark.interop

PROBE = """
public class TrustProbe {
    public static void main(String[] args) throws Exception {
        javax.net.ssl.SSLContext.getDefault();
    }
}
"""
CLEAN = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_HOME")


def _copy_jdk(jdk: Jdk, target: Path) -> Path:
    """Symlinks everywhere, except the files that decide java.home (the launcher and
    libjvm.so, whose resolved path HotSpot uses) and a real lib/security directory."""
    home = Path(os.path.realpath(jdk.home))
    subprocess.run(["cp", "-as", str(home), str(target)], check=True)
    for relative in ("bin/java", "lib/server/libjvm.so"):
        (target / relative).unlink()
        shutil.copy2(home / relative, target / relative)
    security = target / "lib" / "security"
    shutil.rmtree(security)
    security.mkdir()
    for item in (home / "lib" / "security").iterdir():
        (security / item.name).symlink_to(os.path.realpath(item))
    return target


@pytest.fixture(scope="module")
def jdk_copy(jdk: Jdk, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp(f"jdk{jdk.version}")
    copy = _copy_jdk(jdk, base / "jdk")
    classes = base / "classes"
    classes.mkdir()
    (classes / "TrustProbe.java").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    subprocess.run(
        [jdk.javac, "-d", str(classes), str(classes / "TrustProbe.java")], check=True, env=env
    )
    return copy, classes


def _jvm_truststore(java: Path, classes: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [str(java), "-Djavax.net.debug=ssl:trustmanager", "-cp", str(classes), "TrustProbe"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    found = re.findall(r"trustStore is: (.*)", proc.stdout + proc.stderr)
    assert found, proc.stdout + proc.stderr
    return found[-1].strip()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN}
    env.update(extra)
    return env


def test_where_agrees_with_the_jvm(jdk_copy: tuple[Path, Path], tmp_path: Path) -> None:
    copy, classes = jdk_copy
    java = copy / "bin" / "java"
    security = copy / "lib" / "security"

    # Default: cacerts (a symlink to Debian's managed file).
    env = _env()
    where = ks_json("where", "--java", str(java), env=env)
    assert where["java_home"] == str(copy)
    assert where["source"] == "cacerts"
    assert where["path"] == _jvm_truststore(java, classes, env)
    assert where["resolved_path"] == os.path.realpath(security / "cacerts")
    assert where["storetype"] in ("jks", "pkcs12")
    if where["resolved_path"] == "/etc/ssl/certs/java/cacerts":
        assert any("update-ca-certificates" in w for w in where["warnings"])

    # The same JVM found through JAVA_HOME instead of --java.
    assert ks_json("where", env=_env(JAVA_HOME=str(copy)))["path"] == where["path"]

    # JAVA_TOOL_OPTIONS names a truststore.
    mine = tmp_path / "mine.p12"
    shutil.copy(os.path.realpath(security / "cacerts"), mine)
    env = _env(JAVA_TOOL_OPTIONS=f"-Xmx64m -Djavax.net.ssl.trustStore={mine}")
    where = ks_json("where", "--java", str(java), env=env)
    assert where["source"] == "property" and where["exists"] is True
    assert where["path"] == _jvm_truststore(java, classes, env) == str(mine)

    # JDK_JAVA_OPTIONS (the java launcher, JDK 9+) comes after JAVA_TOOL_OPTIONS.
    other = tmp_path / "other.jks"
    shutil.copy(mine, other)
    env = _env(
        JAVA_TOOL_OPTIONS=f"-Djavax.net.ssl.trustStore={mine}",
        JDK_JAVA_OPTIONS=f"-Djavax.net.ssl.trustStore={other}",
    )
    assert ks_json("where", "--java", str(java), env=env)["path"] == str(other)
    assert _jvm_truststore(java, classes, env) == str(other)

    # _JAVA_OPTIONS is applied last and wins over both.
    env = _env(
        JDK_JAVA_OPTIONS=f"-Djavax.net.ssl.trustStore={other}",
        _JAVA_OPTIONS=f"-Djavax.net.ssl.trustStore={mine}",
    )
    assert ks_json("where", "--java", str(java), env=env)["path"] == str(mine)
    assert _jvm_truststore(java, classes, env) == str(mine)

    # A configured file that does not exist: the JVM falls back to cacerts, and we say so.
    missing = tmp_path / "missing.p12"
    env = _env(JAVA_TOOL_OPTIONS=f"-Djavax.net.ssl.trustStore={missing}")
    where = ks_json("where", "--java", str(java), env=env)
    assert where["exists"] is False and where["path"] == str(missing)
    fallback = _jvm_truststore(java, classes, env)
    assert fallback == str(security / "cacerts")
    assert any(f"falls back to {fallback}" in w for w in where["warnings"])

    # jssecacerts takes precedence over cacerts.
    (security / "jssecacerts").write_bytes(mine.read_bytes())
    try:
        env = _env()
        where = ks_json("where", "--java", str(java), env=env)
        assert where["source"] == "jssecacerts"
        assert where["path"] == _jvm_truststore(java, classes, env) == str(security / "jssecacerts")
    finally:
        (security / "jssecacerts").unlink()


def test_java_8_jre_layout_and_jdk_java_options(tmp_path: Path) -> None:
    jdk8 = tmp_path / "jdk8"
    for relative in ("bin/java", "jre/bin/java", "jre/lib/amd64/server/libjvm.so"):
        (jdk8 / relative).parent.mkdir(parents=True, exist_ok=True)
        (jdk8 / relative).write_bytes(b"")
    (jdk8 / "bin" / "java").chmod(0o755)
    (jdk8 / "jre" / "lib" / "security").mkdir(parents=True)
    (jdk8 / "release").write_text('JAVA_VERSION="1.8.0_292"\n')
    where = ks_json("where", "--java", str(jdk8 / "bin" / "java"), env=_env())
    assert where["java_home"] == str(jdk8 / "jre")
    assert where["path"] == str(jdk8 / "jre" / "lib" / "security" / "cacerts")
    assert where["exists"] is False
    # JDK_JAVA_OPTIONS is read by the launcher of JDK 9 and later only.
    env = _env(JDK_JAVA_OPTIONS="-Djavax.net.ssl.trustStore=/x.jks")
    assert ks_json("where", "--java", str(jdk8 / "bin" / "java"), env=env)["source"] == "cacerts"
