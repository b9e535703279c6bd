"""What every producer test asks of a store another tool wrote, with that tool as judge:
``ks list --json`` shows what the producer shows, ``ks import`` of one certificate into a
copy leaves every old entry readable by the producer, and ``ks convert`` to PKCS12 is listed
by keytool 17 with the same entries."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from tests.certs import issue
from tests.conftest import Jdk
from tests.interop.test_pkcs12_interop import keytool_list
from tests.ks import ks_json, ks_ok


def hexfp(colon: str) -> str:
    return colon.replace(":", "").upper()


def ks_view(path: Path, password: str | None) -> dict[str, dict[str, Any]]:
    """``ks list --json`` as alias -> {"type", "chain": [SHA-256 hex, leaf first],
    "key_algorithm"}: the fields every producer's own listing can be compared with."""
    args: list[str | Path] = ["list", "-k", path]
    if password is not None:
        args += ["--storepass", password]
    listing = ks_json(*args)
    view: dict[str, dict[str, Any]] = {}
    for entry in listing["entries"]:
        if entry["type"] == "private-key":
            chain = [hexfp(c["sha256"]) for c in entry.get("chain", [])]
        elif "sha256" in entry:
            chain = [hexfp(entry["sha256"])]
        else:
            chain = []
        view[entry["alias"].lower()] = {
            "type": entry["type"],
            "chain": chain,
            "key_algorithm": entry.get("key_algorithm"),
            "key_size": entry.get("key_size"),
            "key_encoding": entry.get("key_encoding"),
            "warning": entry.get("warning"),
        }
    return view


def without_algorithms(view: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a: {"type": e["type"], "chain": e["chain"]} for a, e in view.items()}


def import_one_certificate(path: Path, password: str, tmp_path: Path) -> Path:
    """A copy of ``path`` with one more trusted certificate, imported by ``ks import``."""
    copy = tmp_path / f"imported-{path.name}"
    shutil.copyfile(path, copy)
    extra = tmp_path / "added-ca.crt"
    extra.write_bytes(issue("Added By ks Import", ca=True).pem)
    ks_ok("import", "-k", copy, "--file", extra, "--alias", "added-ca", "--storepass", password)
    return copy


def converted_listed_by_keytool(
    jdk17: Jdk, path: Path, password: str, tmp_path: Path, expected: dict[str, dict[str, Any]]
) -> None:
    """``ks convert`` to PKCS12; keytool 17 lists the entries Java sees in ``expected``."""
    out = tmp_path / f"converted-{path.stem}.p12"
    ks_ok(
        "convert", "-k", path, "--out", out, "--to", "pkcs12",
        "--srcstorepass", password, "--storepass", password,
    )  # fmt: skip
    java_visible = {
        a: e for a, e in without_algorithms(expected).items() if e["type"] != "certificate"
    }
    assert keytool_list(jdk17, out, password) == java_visible


_KEYTOOL_TYPES = {
    "PrivateKeyEntry": "private-key",
    "trustedCertEntry": "trusted-cert",
    "SecretKeyEntry": "secret-key",
}


def keytool_view(
    jdk: Jdk, path: Path, password: str, storetype: str | None = None
) -> dict[str, dict[str, Any]]:
    """``keytool -list -v`` as alias -> {"type", "chain", "key_algorithm", "key_size"} (the
    leaf's "Subject Public Key Algorithm", e.g. "521-bit EC (secp521r1) key" -> EC, 521)."""
    args = ["-list", "-v", "-keystore", str(path), "-storepass", password]
    if storetype:
        args += ["-storetype", storetype]
    out = jdk.run_keytool(*args).stdout
    view: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in out.splitlines():
        if line.startswith("Alias name: "):
            current = {"type": None, "chain": [], "key_algorithm": None, "key_size": None,
                       "owner": None}  # fmt: skip
            view[line[len("Alias name: ") :].strip().lower()] = current
        elif current is None:
            continue
        elif line.startswith("Entry type: "):
            current["type"] = _KEYTOOL_TYPES[line[len("Entry type: ") :].strip()]
        elif re.match(r"^\s*SHA256: ", line):
            current["chain"].append(line.split("SHA256:", 1)[1].strip().replace(":", ""))
        elif line.startswith("Owner: ") and current["owner"] is None:
            current["owner"] = line[len("Owner: ") :].strip()
        elif line.startswith("Subject Public Key Algorithm: ") and current["key_algorithm"] is None:
            text = line.split(":", 1)[1].strip().removesuffix(" key")
            sized = re.match(r"^(\d+)-bit (\S+)", text)
            if sized:
                current["key_algorithm"], current["key_size"] = sized.group(2), int(sized.group(1))
            else:
                current["key_algorithm"] = text
    return view


def ks_matches_keytool(view: dict[str, dict[str, Any]], keytool: dict[str, dict[str, Any]]) -> None:
    """Same aliases, types and chains; the same key algorithm names, and the same sizes where
    keytool shows one."""
    assert without_algorithms(view) == {
        a: {"type": e["type"], "chain": e["chain"]} for a, e in keytool.items()
    }
    for alias, theirs in keytool.items():
        if theirs["key_algorithm"] is None:
            continue
        assert view[alias]["key_algorithm"] == theirs["key_algorithm"], alias
        if theirs["key_size"] is not None:
            assert view[alias]["key_size"] == theirs["key_size"], alias


def openssl_chain(openssl: str, path: Path, password: str) -> list[str]:
    """The SHA-256 of every certificate ``openssl pkcs12`` finds, in file order (``-legacy``:
    a rewrite keeps a legacy-encrypted store legacy, e.g. RC2-40 certificates)."""
    from tests.conftest import run

    pem = run([openssl, "pkcs12", "-legacy", "-in", str(path), "-passin", f"pass:{password}",
               "-nokeys"]).stdout  # fmt: skip
    found = []
    for block in re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem, re.S):
        out = run([openssl, "x509", "-noout", "-fingerprint", "-sha256"], input=block).stdout
        found.append(hexfp(out.strip().split("=", 1)[1]))
    return found
