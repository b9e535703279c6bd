"""What every producer test asks of a store another tool wrote, with that tool as judge:
``ks list --json`` shows what the producer shows, ``ks import`` of one certificate into a
copy leaves every old entry readable by the producer, and ``ks convert`` to PKCS12 is listed
by keytool 17 with the same entries."""

from __future__ import annotations

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
