"""The `keystore_tool.ks` Ansible collection, run by a real `ansible-playbook` against three
hosts (local connections, each with its own directory): stores built from PEM files, idempotent
by fingerprint, a rotation replaced and shown in --diff but not written under --check, keytool
17 and 25 listing every result, and a wrong password failing in one line that holds no
password even under -vvv."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.certs import Issued, issue, keytool_sha256
from tests.conftest import JDK_HOMES, Jdk, _missing
from tests.ks import ROOT
from tests.pki import Pki

pytestmark = [pytest.mark.interop, pytest.mark.slow]

HOSTS = ("web1", "web2", "web3")
TRUST_PASS = "Trust-Secret-4711"
KEY_PASS = "Key-Secret-0815"
WRONG_PASS = "Wrong-Guess-1234"


PLAYBOOK = """
- hosts: fleet
  gather_facts: false
  tasks:
    - name: truststore
      keystore_tool.ks.store:
        path: "{{ ks_dir }}/truststore.p12"
        password: "{{ lookup('ansible.builtin.env', 'TRUST_PASS') }}"
        target: "{{ ks_target | default(omit) }}"
        mode: "0644"
        certificates:
          - file: "{{ ks_dir }}/cas.pem"
          - alias: partner-ca
            file: "{{ ks_dir }}/partner.pem"
          - default_cas: true
            java: "{{ jdk_copy }}"
    - name: client keystore
      keystore_tool.ks.store:
        path: "{{ ks_dir }}/client.p12"
        password: "{{ lookup('ansible.builtin.env', 'KEY_PASS') }}"
        target: "{{ ks_target | default(omit) }}"
        keys:
          - alias: client
            cert: "{{ ks_dir }}/client.crt"
            key: "{{ ks_dir }}/client.key"
            chain: ["{{ ks_dir }}/client-ca.crt"]
    - name: what the truststore holds
      keystore_tool.ks.info:
        path: "{{ ks_dir }}/truststore.p12"
        password: "{{ lookup('ansible.builtin.env', 'TRUST_PASS') }}"
      register: listed
    - name: the partner CA is trusted
      when: not ansible_check_mode
      ansible.builtin.assert:
        that:
          - "partner_sha256 in (listed.entries | map(attribute='sha256'))"
"""


# ansible-core has no JSON stdout callback (that one is in ansible.posix): this one prints one
# document with every task's per-host results and the per-host stats.
JSON_CALLBACK = """
import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "ks_test_json"

    def __init__(self):
        super().__init__()
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({"task": {"name": task.get_name()}, "hosts": {}})

    def _record(self, result, **extra):
        self.tasks[-1]["hosts"][result._host.get_name()] = dict(result._result, **extra)

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed)
        document = {
            "plays": [{"tasks": self.tasks}],
            "stats": {host: stats.summarize(host) for host in hosts},
        }
        self._display.display(json.dumps(document))
"""


@dataclass
class Fleet:
    root: Path
    playbook: Path
    inventory: Path
    jdk_copy: Path
    default_cas: set[str]  # SHA-256 of each CA in the private cacerts copy
    cas: list[Issued]
    partners: dict[str, Issued]
    client: Issued

    def host_dir(self, host: str) -> Path:
        return self.root / host

    def rotate_partner(self, host: str) -> Issued:
        partner = issue(f"Partner CA {host} rotated", ca=True, key_kind="ec")
        (self.host_dir(host) / "partner.pem").write_bytes(partner.pem)
        self.partners[host] = partner
        self.write_inventory()
        return partner

    def write_inventory(self) -> None:
        lines = ["[fleet]"]
        for host in HOSTS:
            sha = keytool_sha256(self.partners[host].der)
            lines.append(f"{host} ks_dir={self.host_dir(host)} partner_sha256={sha}")
        lines += [
            "[fleet:vars]",
            "ansible_connection=local",
            f"ansible_python_interpreter={sys.executable}",
            f"jdk_copy={self.jdk_copy}",
            "ks_target=jdk11,openssl3.0",
        ]
        self.inventory.write_text("\n".join(lines) + "\n")

    def playbook_run(
        self, *options: str, trust_pass: str = TRUST_PASS, json_output: bool = True
    ) -> subprocess.CompletedProcess[str]:
        playbook = Path(sys.executable).parent / "ansible-playbook"
        if not playbook.exists():
            _missing(f"ansible-playbook ({playbook}; make setup installs ansible-core)")
        state = self.root / "ansible-state"
        config = self.root / "ansible.cfg"
        config.write_text("[defaults]\n")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("ANSIBLE_") and key != "JAVA_TOOL_OPTIONS"
        }
        env.update(
            LC_ALL="C.UTF-8",
            ANSIBLE_CONFIG=str(config),
            ANSIBLE_HOME=str(state),
            ANSIBLE_LOCAL_TEMP=str(state / "local"),
            ANSIBLE_REMOTE_TEMP=str(state / "remote"),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORKS="3",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            TRUST_PASS=trust_pass,
            KEY_PASS=KEY_PASS,
        )
        if json_output:
            env["ANSIBLE_STDOUT_CALLBACK"] = "ks_test_json"
        return subprocess.run(
            [str(playbook), "-i", str(self.inventory), str(self.playbook), *options],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=300,
        )


def _document(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stdout.strip(), proc.stderr
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def _results(document: dict[str, Any], task: str) -> dict[str, dict[str, Any]]:
    for play in document["plays"]:
        for item in play["tasks"]:
            if item["task"]["name"] == task:
                results: dict[str, dict[str, Any]] = item["hosts"]
                return results
    raise AssertionError(f"no task {task!r} in the run")


def _ok(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return _document(proc)


def _keytool_fingerprints(jdk: Jdk, store: Path, password: str) -> tuple[int, set[str], str]:
    listing = jdk.run_keytool("-list", "-keystore", str(store), "-storepass", password).stdout
    count = re.search(r"Your keystore contains (\d+) entr", listing)
    assert count, listing
    fingerprints = set(re.findall(r"\(SHA-256\): ([0-9A-F:]{95})", listing))
    return int(count.group(1)), fingerprints, listing


def _private_jdk(root: Path) -> tuple[Path, Path]:
    """A Java home of our own whose lib/security/cacerts is a copy of a real JDK's, so that
    default_cas reads a file no test could damage."""
    source = None
    for home in (Path(os.environ.get("KS_JDK17_HOME", JDK_HOMES["17"])), JDK_HOMES["25"]):
        candidate = home / "lib" / "security" / "cacerts"
        if candidate.exists():
            source = candidate
            break
    if source is None:
        _missing("a JDK cacerts to copy")
    assert source is not None
    home = root / "jdk-copy"
    (home / "bin").mkdir(parents=True)
    (home / "lib" / "security").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text("#!/bin/sh\nexit 1\n")
    java.chmod(0o755)
    cacerts = home / "lib" / "security" / "cacerts"
    shutil.copyfile(os.path.realpath(source), cacerts)
    cacerts.chmod(0o444)
    return home, cacerts


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, pki: Pki, jdk17: Jdk) -> Fleet:
    root = tmp_path_factory.mktemp("fleet")
    jdk_copy, cacerts = _private_jdk(root)
    count, default_cas, _ = _keytool_fingerprints(jdk17, cacerts, "changeit")
    assert count == len(default_cas) > 0
    cas = [pki.ca, pki.unrelated_ca, issue("Fleet Ops CA", ca=True, key_kind="ec")]
    partners = {}
    for host in HOSTS:
        directory = root / host
        directory.mkdir()
        (directory / "cas.pem").write_bytes(b"".join(ca.pem for ca in cas))
        partners[host] = issue(f"Partner CA {host}", ca=True, key_kind="ec")
        (directory / "partner.pem").write_bytes(partners[host].pem)
        shutil.copyfile(pki.path("client.crt"), directory / "client.crt")
        shutil.copyfile(pki.path("client.pk8"), directory / "client.key")
        shutil.copyfile(pki.path("client-ca.crt"), directory / "client-ca.crt")
    playbook = root / "site.yml"
    playbook.write_text(PLAYBOOK)
    (root / "callback_plugins").mkdir()
    (root / "callback_plugins" / "ks_test_json.py").write_text(JSON_CALLBACK)
    built = Fleet(
        root, playbook, root / "hosts.ini", jdk_copy, default_cas, cas, partners, pki.client
    )
    built.write_inventory()
    return built


def _store_state(fleet: Fleet) -> dict[str, tuple[bytes, int]]:
    state = {}
    for host in HOSTS:
        for name in ("truststore.p12", "client.p12"):
            path = fleet.host_dir(host) / name
            state[f"{host}/{name}"] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state


def _assert_keytool_lists_every_store(fleet: Fleet, jdks: list[Jdk]) -> None:
    for jdk in jdks:
        for host in HOSTS:
            directory = fleet.host_dir(host)
            wanted = {keytool_sha256(c.der) for c in [*fleet.cas, fleet.partners[host]]}
            wanted |= fleet.default_cas
            count, seen, listing = _keytool_fingerprints(
                jdk, directory / "truststore.p12", TRUST_PASS
            )
            assert (count, seen) == (len(wanted), wanted), f"keytool {jdk.version}:\n{listing}"
            assert listing.count("trustedCertEntry") == count
            count, seen, listing = _keytool_fingerprints(jdk, directory / "client.p12", KEY_PASS)
            assert count == 1 and "PrivateKeyEntry" in listing, listing
            assert seen == {keytool_sha256(fleet.client.der)}, listing


def test_the_fleet_converges_then_stays_put_and_rotates_only_when_asked(
    fleet: Fleet, jdk17: Jdk, jdk25: Jdk
) -> None:
    cacerts = fleet.jdk_copy / "lib" / "security" / "cacerts"
    cacerts_before = cacerts.read_bytes()

    first = _ok(fleet.playbook_run())
    for host in HOSTS:
        assert first["stats"][host]["changed"] == 2, first["stats"]
    for task in ("truststore", "client keystore"):
        for host, result in _results(first, task).items():
            assert result["changed"] and result["created"], (host, result)
    trust = _results(first, "truststore")["web1"]
    assert len(trust["added"]) == len(fleet.default_cas) + 4
    assert {"alias": "partner-ca", "sha256": keytool_sha256(fleet.partners["web1"].der)} in trust[
        "added"
    ]
    listed = _results(first, "what the truststore holds")["web2"]
    assert listed["storetype"] == "pkcs12"
    assert len(listed["entries"]) == len(fleet.default_cas) + 4
    for host in HOSTS:
        mode = (fleet.host_dir(host) / "truststore.p12").stat().st_mode & 0o777
        assert mode == 0o644
        assert (fleet.host_dir(host) / "client.p12").stat().st_mode & 0o777 == 0o600
    _assert_keytool_lists_every_store(fleet, [jdk17, jdk25])

    settled = _store_state(fleet)
    second = _ok(fleet.playbook_run())
    assert {host: second["stats"][host]["changed"] for host in HOSTS} == dict.fromkeys(HOSTS, 0)
    assert _store_state(fleet) == settled

    old = {host: keytool_sha256(fleet.partners[host].der) for host in HOSTS}
    new = {host: keytool_sha256(fleet.rotate_partner(host).der) for host in HOSTS}
    checked = _ok(fleet.playbook_run("--check", "--diff"))
    for host, result in _results(checked, "truststore").items():
        assert result["changed"] and not result["written"], result
        assert result["replaced"] == [{"alias": "partner-ca", "sha256": new[host]}]
        assert f"partner-ca  {old[host]}" in result["diff"]["before"]
        assert f"partner-ca  {new[host]}" in result["diff"]["after"]
        assert new[host] not in result["diff"]["before"]
    for host in HOSTS:
        assert checked["stats"][host]["changed"] == 1
    assert _store_state(fleet) == settled, "--check wrote a store"

    shown = fleet.playbook_run("--diff", json_output=False)
    assert shown.returncode == 0, shown.stdout[-4000:]
    for host in HOSTS:
        assert f"-partner-ca  {old[host]}" in shown.stdout
        assert f"+partner-ca  {new[host]}" in shown.stdout
        assert re.search(rf"{host}\s*:\s*ok=\d+\s+changed=1\s", shown.stdout), shown.stdout
    for key in ("BEGIN", "PRIVATE KEY"):
        assert key not in shown.stdout
    _assert_keytool_lists_every_store(fleet, [jdk17, jdk25])
    assert cacerts.read_bytes() == cacerts_before

    for output in (first, second, checked):
        text = json.dumps(output)
        assert TRUST_PASS not in text and KEY_PASS not in text


def test_a_wrong_password_fails_in_one_line_without_the_password(fleet: Fleet) -> None:
    if not (fleet.host_dir(HOSTS[0]) / "truststore.p12").exists():
        _ok(fleet.playbook_run())
    settled = _store_state(fleet)
    failed = fleet.playbook_run(trust_pass=WRONG_PASS)
    assert failed.returncode == 2, failed.stdout[-3000:]
    results = _results(_document(failed), "truststore")
    for host in HOSTS:
        result = results[host]
        assert result["failed"], result
        message = result["msg"]
        assert "\n" not in message
        assert str(fleet.host_dir(host) / "truststore.p12") in message
        assert "password" in message.lower()
        assert "Traceback" not in json.dumps(result)
    assert _store_state(fleet) == settled

    verbose = fleet.playbook_run("-vvv", trust_pass=WRONG_PASS, json_output=False)
    assert verbose.returncode == 2
    everything = verbose.stdout + verbose.stderr
    assert "fatal: [web1]" in everything
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in everything  # -vvv shows the masked args
    for secret in (WRONG_PASS, TRUST_PASS, KEY_PASS):
        assert secret not in everything


def test_the_collection_builds_installs_and_documents_itself(tmp_path: Path) -> None:
    tools = Path(sys.executable).parent
    if not (tools / "ansible-galaxy").exists():
        _missing("ansible-galaxy (make setup installs ansible-core)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(LC_ALL="C.UTF-8", ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    source = ROOT / "ansible_collections" / "keystore_tool" / "ks"

    def run(*cmd: str) -> str:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    run(str(tools / "ansible-galaxy"), "collection", "build", str(source), "--output-path", "dist")
    (archive,) = (tmp_path / "dist").glob("keystore_tool-ks-*.tar.gz")
    installed = tmp_path / "collections"
    run(str(tools / "ansible-galaxy"), "collection", "install", str(archive), "-p", str(installed))
    assert (installed / "ansible_collections/keystore_tool/ks/plugins/modules/store.py").exists()
    env["ANSIBLE_COLLECTIONS_PATH"] = str(installed)
    for module, option in (("store", "default_cas"), ("info", "password")):
        page = run(str(tools / "ansible-doc"), f"keystore_tool.ks.{module}")
        assert f"keystore_tool.ks.{module}" in page
        assert option in page and "RETURN VALUES" in page and "EXAMPLES" in page


def test_target_reaches_the_store_or_is_refused_in_plain_words(tmp_path: Path, pki: Pki) -> None:
    tools = Path(sys.executable).parent
    if not (tools / "ansible").exists():
        _missing("ansible (make setup installs ansible-core)")
    store = tmp_path / "trust.p12"
    arguments = {
        "path": str(store),
        "password": TRUST_PASS,
        "target": "jdk11,openssl3.0",
        "certificates": [{"alias": "ca", "file": str(pki.path("ca.crt"))}],
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        LC_ALL="C.UTF-8",
        ANSIBLE_HOME=str(tmp_path / "home"),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "home" / "local"),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_STDOUT_CALLBACK="minimal",
    )
    command = [str(tools / "ansible"), "localhost", "-m", "keystore_tool.ks.store"]
    command += ["-e", f"ansible_python_interpreter={sys.executable}", "-a", json.dumps(arguments)]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert TRUST_PASS not in proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert store.exists()
