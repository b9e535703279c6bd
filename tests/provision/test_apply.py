"""`ks apply`: creates every store, is idempotent by fingerprint, reports exact diffs, and
validates every store before it writes any."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.ks import assert_one_line_error, ks, ks_json, ks_ok
from tests.provision.conftest import Material

ENV = {"TRUST_PASS": "trust-secret", "KEY_PASS": "key-secret"}


def spec_text(material: Material, out: Path, *, trust_certs: str, prune: bool = True) -> str:
    m = material.directory
    return f"""
[[store]]
path = "{out / "trust.p12"}"
password = {{ env = "TRUST_PASS" }}
prune = {str(prune).lower()}
mode = "0644"
{trust_certs}

[[store]]
path = "{out / "trust.jks"}"
password = {{ env = "TRUST_PASS" }}

[[store.certificates]]
alias = "root-a"
file = "{m / "a.pem"}"

[[store.certificates]]
dir = "{m / "extra"}"

[[store]]
path = "{out / "client.p12"}"
password = {{ env = "KEY_PASS" }}

[[store.keys]]
alias = "client"
cert = "{m / "client.crt"}"
key = "{m / "client.key"}"
chain = ["{m / "client-ca.crt"}"]
"""


def certs(material: Material, **aliases: str) -> str:
    return "\n".join(
        f'[[store.certificates]]\nalias = "{alias}"\nfile = "{material.path(name + ".pem")}"\n'
        for alias, name in aliases.items()
    )


def write_spec(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.iterdir())
        if not p.name.startswith(".")
    }


def apply_json(*args: str | Path, code: int = 0) -> dict[str, object]:
    proc = ks("apply", *args, "--json", env=ENV)
    assert proc.returncode == code, proc.stderr
    document: dict[str, object] = json.loads(proc.stdout)
    return document


def by_store(report: dict[str, object]) -> dict[str, dict[str, object]]:
    stores = report["stores"]
    assert isinstance(stores, list)
    return {Path(s["keystore"]).name: s for s in stores}


def test_apply_creates_every_store_and_a_second_run_changes_nothing(
    tmp_path: Path, material: Material
) -> None:
    out = tmp_path / "stores"
    out.mkdir()
    spec = write_spec(
        tmp_path / "spec.toml", spec_text(material, out, trust_certs=certs(material, a="a", b="b"))
    )
    assert ks("apply", spec, "--check", env=ENV).returncode == 10
    assert not list(out.iterdir()), "--check wrote something"

    first = by_store(apply_json(spec))
    assert all(s["created"] for s in first.values())
    assert {a["alias"] for a in first["trust.p12"]["added"]} == {"a", "b"}
    assert {a["alias"] for a in first["trust.jks"]["added"]} == {"root-a", "root d", "root e"}
    assert [a["alias"] for a in first["client.p12"]["added"]] == ["client"]
    assert (out / "trust.p12").stat().st_mode & 0o777 == 0o644
    assert (out / "client.p12").stat().st_mode & 0o777 == 0o600

    before = snapshot(out)
    second = apply_json(spec)
    assert second["changed"] is False
    assert all(not s["changed"] and not s["written"] for s in by_store(second).values())
    assert snapshot(out) == before
    check = ks("apply", spec, "--check", env=ENV)
    assert check.returncode == 0, check.stderr
    assert snapshot(out) == before

    listed = ks_json("list", "-k", out / "client.p12", "--storepass", "key-secret")
    (entry,) = listed["entries"]
    assert entry["type"] == "private-key" and len(entry["chain"]) == 2


def test_idempotent_by_fingerprint_not_alias(tmp_path: Path, material: Material) -> None:
    out = tmp_path / "stores"
    out.mkdir()
    store = out / "trust.p12"
    ks_ok(
        "import",
        "-k",
        store,
        "--alias",
        "legacy-name",
        "--file",
        material.path("a.pem"),
        "--storepass",
        "trust-secret",
    )
    before = store.read_bytes()
    spec = write_spec(
        tmp_path / "spec.toml",
        f'[[store]]\npath = "{store}"\npassword = {{ env = "TRUST_PASS" }}\n'
        f'[[store.certificates]]\nalias = "a"\nfile = "{material.path("a.pem")}"\n',
    )
    report = by_store(apply_json(spec))["trust.p12"]
    assert report["unchanged"] == ["legacy-name"] and not report["changed"]
    assert store.read_bytes() == before


def test_spec_edits_give_exactly_that_diff(tmp_path: Path, material: Material) -> None:
    out = tmp_path / "stores"
    out.mkdir()
    spec = tmp_path / "spec.toml"
    write_spec(spec, spec_text(material, out, trust_certs=certs(material, a="a", b="b")))
    ks_ok("apply", spec, env=ENV)
    others = {n: v for n, v in snapshot(out).items() if n != "trust.p12"}

    # add c, replace b's certificate (alias b now holds d), remove a
    write_spec(spec, spec_text(material, out, trust_certs=certs(material, b="d", c="c")))
    planned = apply_json(spec, "--check", code=10)
    store = by_store(planned)["trust.p12"]
    sha = {n: material.roots[n] for n in "abcd"}
    assert [(i["alias"]) for i in store["added"]] == ["c"]
    assert [(i["alias"], i["sha256"]) for i in store["replaced"]] == [("b", ks_sha(sha["d"].der))]
    assert [(i["alias"], i["sha256"]) for i in store["removed"]] == [("a", ks_sha(sha["a"].der))]
    assert store["password_changed"] is False
    assert [name for name, s in by_store(planned).items() if s["changed"]] == ["trust.p12"]

    text = ks("apply", spec, "--check", "--diff", env=ENV)
    assert text.returncode == 10
    assert "  + c  " in text.stdout and "  ~ b  " in text.stdout and "  - a  " in text.stdout

    done = by_store(apply_json(spec))["trust.p12"]
    assert done["written"] is True
    listed = ks_json("list", "-k", out / "trust.p12", "--storepass", "trust-secret")
    assert {e["alias"]: e["sha256"] for e in listed["entries"]} == {
        "b": ks_sha(sha["d"].der),
        "c": ks_sha(material.roots["c"].der),
    }
    assert {n: v for n, v in snapshot(out).items() if n != "trust.p12"} == others

    # a new password source with a new value: only the password changes
    (tmp_path / "new-pass").write_text("rotated-secret\n")
    rotated = spec.read_text().replace(
        'password = { env = "TRUST_PASS" }\nprune',
        'password = { file = "new-pass" }\ncurrent_password = { env = "TRUST_PASS" }\nprune',
        1,
    )
    write_spec(spec, rotated)
    store = by_store(apply_json(spec, "--check", code=10))["trust.p12"]
    assert store["password_changed"] is True
    assert not store["added"] and not store["replaced"] and not store["removed"]
    ks_ok("apply", spec, env=ENV)
    ks_ok("list", "-k", out / "trust.p12", "--storepass", "rotated-secret")
    assert ks("list", "-k", out / "trust.p12", "--storepass", "trust-secret").returncode == 3
    assert apply_json(spec)["changed"] is False

    # the same password from another source is no change at all
    (tmp_path / "same-pass").write_text("rotated-secret")
    write_spec(spec, rotated.replace('file = "new-pass"', 'file = "same-pass"', 1))
    assert apply_json(spec, "--check")["changed"] is False


@pytest.mark.parametrize("ext", ["jks", "jceks", "p12"])
def test_replacing_a_certificate_in_each_store_format(
    tmp_path: Path, material: Material, ext: str
) -> None:
    store = tmp_path / f"trust.{ext}"
    spec = tmp_path / "spec.toml"
    head = f'[[store]]\npath = "{store}"\npassword = {{ env = "TRUST_PASS" }}\n'
    write_spec(spec, head + certs(material, a="a", b="b"))
    ks_ok("apply", spec, env=ENV)
    # Without prune, alias b is replaced in place: the entry read from the file meets the new
    # one (JKS/JCEKS read it as their own kind of trusted-certificate entry).
    write_spec(spec, head + certs(material, a="a", b="d", c="c"))
    report = by_store(apply_json(spec))[store.name]
    sha = {n: ks_sha(material.roots[n].der) for n in "abcd"}
    assert [i["alias"] for i in report["added"]] == ["c"]
    assert [(i["alias"], i["sha256"]) for i in report["replaced"]] == [("b", sha["d"])]
    assert report["unchanged"] == ["a"] and report["removed"] == []
    listed = ks_json("list", "-k", store, "--storepass", "trust-secret")
    assert {e["alias"]: e["sha256"] for e in listed["entries"]} == {
        "a": sha["a"],
        "b": sha["d"],
        "c": sha["c"],
    }
    assert apply_json(spec)["changed"] is False


def ks_sha(der: bytes) -> str:
    import hashlib

    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def test_one_broken_store_fails_before_any_store_is_written(
    tmp_path: Path, material: Material
) -> None:
    out = tmp_path / "stores"
    out.mkdir()
    good = certs(material, a="a")
    spec = write_spec(tmp_path / "spec.toml", spec_text(material, out, trust_certs=good))
    ks_ok("apply", spec, env=ENV)
    before = snapshot(out)
    # the first store would change, the last one is broken: nothing may be written
    changed = certs(material, a="a", c="c")
    missing = spec_text(material, out, trust_certs=changed).replace("client.key", "nope.key")
    write_spec(spec, missing)
    line = assert_one_line_error(ks("apply", spec, env=ENV), 4)
    assert "nope.key" in line and "no store was written" in line
    assert snapshot(out) == before

    bad_pin = (
        changed
        + f'\n[[store.certificates]]\nfile = "{material.path("e.pem")}"\nsha256 = "{"AB" * 32}"\n'
    )
    write_spec(spec, spec_text(material, out, trust_certs=bad_pin))
    line = assert_one_line_error(ks("apply", spec, env=ENV), 1)
    assert "pinned SHA-256" in line
    assert snapshot(out) == before

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_spec(spec, spec_text(material, fresh, trust_certs=bad_pin))
    assert_one_line_error(ks("apply", spec, env=ENV), 1)
    assert not [p for p in fresh.iterdir() if not p.name.startswith(".")]


def test_a_good_pin_selects_the_certificate(tmp_path: Path, material: Material) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(material.roots["a"].pem + material.roots["b"].pem)
    store = tmp_path / "trust.p12"
    spec = write_spec(
        tmp_path / "spec.toml",
        f'[[store]]\npath = "trust.p12"\npassword = {{ env = "TRUST_PASS" }}\n'
        f'[[store.certificates]]\nalias = "pinned"\nfile = "bundle.pem"\n'
        f'sha256 = "{ks_sha(material.roots["b"].der).lower()}"\n',
    )
    ks_ok("apply", spec, env=ENV)
    listed = ks_json("list", "-k", store, "--storepass", "trust-secret")
    assert [(e["alias"], e["sha256"]) for e in listed["entries"]] == [
        ("pinned", ks_sha(material.roots["b"].der))
    ]


def test_passwords_come_from_env_or_file_unless_literals_are_allowed(
    tmp_path: Path, material: Material
) -> None:
    body = f'[[store]]\npath = "t.p12"\npassword = {{ value = "lit" }}\n[[store.certificates]]\nfile = "{material.path("a.pem")}"\n'
    spec = write_spec(tmp_path / "spec.toml", body)
    line = assert_one_line_error(ks("apply", spec), 2)
    assert "allow_literal_password" in line and "lit" not in line.replace("literal", "")
    write_spec(spec, body.replace('password = { value = "lit" }', 'password = "lit"'))
    assert_one_line_error(ks("apply", spec), 2)
    write_spec(spec, "allow_literal_password = true\n" + body)
    ks_ok("apply", spec)
    ks_ok("list", "-k", tmp_path / "t.p12", "--storepass", "lit")
    write_spec(spec, body.replace('{ value = "lit" }', '{ env = "UNSET_VARIABLE_X" }'))
    assert_one_line_error(ks("apply", spec), 2)


def test_a_passwordless_truststore_and_a_pem_store(tmp_path: Path, material: Material) -> None:
    spec = write_spec(
        tmp_path / "spec.toml",
        f'[[store]]\npath = "open.p12"\npassword = {{ none = true }}\n'
        f'[[store.certificates]]\nfile = "{material.path("a.pem")}"\n'
        f'[[store]]\npath = "bundle.pem"\npassword = {{ none = true }}\n'
        f'[[store.certificates]]\nfile = "{material.path("b.pem")}"\n',
    )
    ks_ok("apply", spec)
    assert ks_json("list", "-k", tmp_path / "open.p12")["entries"][0]["alias"] == "root a"
    assert b"BEGIN CERTIFICATE" in (tmp_path / "bundle.pem").read_bytes()
    assert apply_json(spec)["changed"] is False


def test_spec_mistakes_are_usage_errors(tmp_path: Path) -> None:
    cases = {
        "not toml [": "not valid TOML",
        "[[store]]\npath = 'x.p12'\n": "'password' is required",
        "[[store]]\npath = 'x.p12'\npassword = { env = 'A' }\ncolour = 1\n": "unknown key 'colour'",
        "[[store]]\npath = 'x.p12'\npassword = { env = 'A' }\n[[store.certificates]]\nserver = 'h:443'\n": "needs its pin",
        "[[store]]\npath = 'x.p12'\npassword = { env = 'A' }\nmode = 644\n": "octal string",
    }
    for text, expected in cases.items():
        spec = write_spec(tmp_path / "spec.toml", text)
        line = assert_one_line_error(ks("apply", spec), 2)
        assert expected in line, line
    assert_one_line_error(ks("apply", tmp_path / "missing.toml"), 4)


def test_mode_is_enforced_on_an_existing_store(tmp_path: Path, material: Material) -> None:
    spec = write_spec(
        tmp_path / "spec.toml",
        f'[[store]]\npath = "t.p12"\npassword = {{ env = "TRUST_PASS" }}\nmode = "0640"\n'
        f'[[store.certificates]]\nfile = "{material.path("a.pem")}"\n',
    )
    ks_ok("apply", spec, env=ENV)
    store = tmp_path / "t.p12"
    os.chmod(store, 0o666)
    data = store.read_bytes()
    report = by_store(apply_json(spec, "--check", code=10))["t.p12"]
    assert report["mode"] == {"from": "0666", "to": "0640"}
    ks_ok("apply", spec, env=ENV)
    assert store.stat().st_mode & 0o777 == 0o640 and store.read_bytes() == data


def test_a_pinned_server_and_the_jvm_default_cas(tmp_path: Path, material: Material) -> None:
    from demo.tls_server import https_server
    from tests.certs import issue

    server = issue("localhost", sans=["localhost", "127.0.0.1"])
    (tmp_path / "server.crt").write_bytes(server.pem)
    (tmp_path / "server.key").write_bytes(server.key_pem())
    default = ks_json("where")
    expected = ks_json("list", "-k", default["resolved_path"], "--storepass", "changeit")
    with https_server(tmp_path / "server.crt", tmp_path / "server.key", lifetime=120) as (port, _):
        body = (
            f'[[store]]\npath = "trust.p12"\npassword = {{ env = "TRUST_PASS" }}\n'
            f'[[store.certificates]]\nalias = "apm"\nserver = "127.0.0.1:{port}"\n'
            f'sha256 = "{ks_sha(server.der)}"\n'
            "[[store.certificates]]\ndefault_cas = true\n"
        )
        spec = write_spec(tmp_path / "spec.toml", body)
        ks_ok("apply", spec, env=ENV)
        listed = ks_json("list", "-k", tmp_path / "trust.p12", "--storepass", "trust-secret")
        aliases = {e["alias"]: e["sha256"] for e in listed["entries"]}
        assert aliases["apm"] == ks_sha(server.der)
        assert len(aliases) == len(expected["entries"]) + 1
        assert apply_json(spec)["changed"] is False
        write_spec(spec, body.replace(ks_sha(server.der), "AB" * 32))
        line = assert_one_line_error(ks("apply", spec, env=ENV), 1)
        assert "pinned SHA-256" in line
