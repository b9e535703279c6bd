"""``ks apply SPEC``: make stores hold what a TOML file says, idempotently.

One program per file, in the order a run goes through them:

- :mod:`.spec`: the TOML spec read into checked dataclasses (:func:`load_spec`);
- :mod:`.gather`: what each store must hold, read from files, servers and the JVM;
- :mod:`.plan`: the difference against the store as it is (:class:`StoreDiff`);
- :mod:`.run`: every store validated, then the changed ones written under their locks
  (:func:`apply_spec`).

Checking stops after validating. The command line says which code that exits with; the
report says only whether a store would change (:attr:`ApplyReport.changed`).
"""

from __future__ import annotations

from keystore_tool.ops.apply.gather import (
    CERT_SUFFIXES,
    DefaultCas,
    ServerChain,
    WantedCertificate,
    WantedStore,
    default_truststore,
    fetch_server_chain,
    gather,
)
from keystore_tool.ops.apply.plan import StoreDiff, plan
from keystore_tool.ops.apply.run import ApplyReport, apply_spec, apply_store
from keystore_tool.ops.apply.spec import (
    CertificateSource,
    KeySource,
    Spec,
    StoreSpec,
    load_spec,
    parse_spec,
    spec_from_document,
    store_spec_from_table,
)
from keystore_tool.password import PasswordSource

__all__ = [
    "CERT_SUFFIXES",
    "ApplyReport",
    "CertificateSource",
    "DefaultCas",
    "KeySource",
    "PasswordSource",
    "ServerChain",
    "Spec",
    "StoreDiff",
    "StoreSpec",
    "WantedCertificate",
    "WantedStore",
    "apply_spec",
    "apply_store",
    "default_truststore",
    "fetch_server_chain",
    "gather",
    "load_spec",
    "parse_spec",
    "plan",
    "spec_from_document",
    "store_spec_from_table",
]
