"""The host's JDK truststores as more stores of a spec: a certificate item with
``all_jdks = true`` also goes into every distinct truststore the host's runtimes read (as
``ks where`` finds them all) that the spec does not name itself. A truststore that cannot be
written is reported with a warning, not fatal: one broken JDK should not keep a CA out of the
working ones."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from keystore_tool.errors import KsError
from keystore_tool.ops.apply.plan import StoreDiff
from keystore_tool.ops.apply.spec import CertificateSource, Spec, StoreSpec
from keystore_tool.password import PasswordSource

if TYPE_CHECKING:
    from keystore_tool.jdks import HostRoots


def jdk_store_specs(
    spec: Spec, roots: HostRoots | None = None
) -> tuple[list[StoreSpec], list[StoreDiff]]:
    """The certificate items with ``all_jdks = true``, as one more store per JDK truststore
    of the host (below ``roots``) not already in the spec, each wanting those items'
    certificates; and a diff with a warning for each truststore that cannot be written."""
    items = tuple(
        dataclasses.replace(item, all_jdks=False)
        for store in spec.stores
        for item in store.certificates
        if item.all_jdks
    )
    if not items:
        return [], []
    from keystore_tool.truststores import survey_host

    own = {os.path.realpath(store.path) for store in spec.stores}
    stores: list[StoreSpec] = []
    broken: list[StoreDiff] = []
    for real, users in survey_host(roots=roots).truststores().items():
        if str(real) in own:
            continue
        health = users[0].health
        storetype = health.storetype or "unknown"
        if health.state not in ("ok", "no-certificates"):
            broken.append(_not_written(real, storetype, health.detail or health.state))
            continue
        try:
            stores.append(_jdk_store(real, items))
        except KsError as exc:
            broken.append(_not_written(real, storetype, exc.message))
    return stores, broken


def _jdk_store(real: Path, items: tuple[CertificateSource, ...]) -> StoreSpec:
    """The store spec of one JDK truststore, under the password it opens with."""
    from keystore_tool.cacerts import password_for
    from keystore_tool.storage import load_store

    password = password_for(real, None)
    load_store(real, password)
    return StoreSpec(
        where=f"the JDK truststore {real}",
        path=real,
        password=PasswordSource("none")
        if password is None
        else PasswordSource("value", password.reveal()),
        certificates=items,
    )


def _not_written(real: Path, storetype: str, reason: str) -> StoreDiff:
    diff = StoreDiff(str(real), storetype=storetype)
    diff.warnings.append(f"{real}: not written: {reason}")
    return diff
