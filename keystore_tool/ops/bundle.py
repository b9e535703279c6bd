"""``ks bundle-p12``: a client certificate and its key as a PKCS12 keystore a JVM can use."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from keystore_tool.errors import ConflictError, KeyMismatchError, UsageError
from keystore_tool.formats import DumpOptions, Profile, get_format
from keystore_tool.model import Certificate, Keystore, PrivateKeyEntry
from keystore_tool.password import Password
from keystore_tool.storage import DEFAULT_LOCK_TIMEOUT

if TYPE_CHECKING:
    from keystore_tool.compat import Target


@dataclass(frozen=True)
class BundleInputs:
    certificates: list[Certificate]  # from --cert: the leaf, maybe followed by its chain
    private_key: bytes  # PKCS#8 DER
    chain: list[Certificate] = field(default_factory=list)  # from every --chain file


@dataclass
class BundleResult:
    out: str
    alias: str
    entry: PrivateKeyEntry
    warnings: list[str]
    changed: bool = True  # False: the file already held exactly this bundle

    def jvm_options(self, password: Password, show_password: bool) -> list[str]:
        shown = password.reveal() if show_password else "<password>"
        return [
            f"-Djavax.net.ssl.keyStore={self.out}",
            "-Djavax.net.ssl.keyStoreType=pkcs12",
            f"-Djavax.net.ssl.keyStorePassword={shown}",
        ]


def build_entry(
    inputs: BundleInputs, alias: str, *, chain_name: str = "the chain"
) -> tuple[PrivateKeyEntry, list[str]]:
    """The key entry with its chain ordered leaf first, and what the user should be told."""
    from keystore_tool.x509util import certificate_for_key, describe_certificate, order_chain

    if not inputs.certificates:
        raise UsageError("--cert holds no certificate")
    leaf = certificate_for_key(inputs.private_key, inputs.certificates)
    if leaf is None:
        subject = describe_certificate(inputs.certificates[0])["subject"]
        raise KeyMismatchError(
            f"the private key does not belong to the certificate ({subject}); "
            "give the key that was generated with this certificate's request"
        )
    extra_in_cert = [c for c in inputs.certificates if c != leaf]
    ordered = order_chain(leaf, [*extra_in_cert, *inputs.chain])
    warnings: list[str] = []
    if not ordered.complete:
        last = describe_certificate(ordered.chain[-1])
        warnings.append(
            f"the chain is incomplete: no certificate for the issuer '{last['issuer']}'; "
            f"add it to {chain_name} unless the server already knows it"
        )
    for cert in ordered.leftovers:
        warnings.append(
            f"ignored a certificate of {chain_name} that belongs to another chain: "
            f"{describe_certificate(cert)['subject']}"
        )
    now = datetime.now(UTC)
    for cert in ordered.chain:
        parsed = cert.x509
        subject = describe_certificate(cert)["subject"]
        if parsed.not_valid_after_utc < now:
            warnings.append(
                f"the certificate '{subject}' expired on {parsed.not_valid_after_utc:%Y-%m-%d}"
            )
        elif parsed.not_valid_before_utc > now:
            warnings.append(
                f"the certificate '{subject}' is not valid before {parsed.not_valid_before_utc:%Y-%m-%d}"
            )
    entry = PrivateKeyEntry(
        alias=alias, chain=ordered.chain, private_key=inputs.private_key, created=now
    )
    return entry, warnings


def bundle_p12(
    inputs: BundleInputs,
    out: str | os.PathLike[str],
    password: Password,
    *,
    alias: str = "client",
    profile: Profile = "default",
    targets: Sequence[Target] = (),
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    chain_name: str = "the chain",
    replace: bool = False,
) -> BundleResult:
    """Writes a PKCS12 keystore holding one key entry made of inputs to out, whole and atomically.
    ``chain_name`` is how warnings name where chain certificates come from; ``targets``: the
    runtimes that must load it (the strongest protection they all read, or refused before
    writing when there is none).

    An existing ``out`` that holds only ``alias`` (a rotated certificate) is replaced; one that
    holds any other entry, or that ``password`` does not open, is a :class:`ConflictError`
    naming what it holds unless ``replace``; one that holds exactly this bundle is left as it
    is (``changed`` False)."""
    from keystore_tool.compat import target_options
    from keystore_tool.storage import StoreUpdate

    entry, warnings = build_entry(inputs, alias, chain_name=chain_name)
    keystore = Keystore([entry], storetype="pkcs12")
    options = target_options(targets, keystore, "pkcs12", password, DumpOptions(profile=profile))
    absolute = str(Path(os.path.abspath(os.fspath(out))))
    with StoreUpdate(absolute, lock_timeout) as update:
        if update.current is not None:
            if _holds_this_bundle(update.current, password, entry, profile, targets):
                return BundleResult(absolute, alias, entry, warnings, changed=False)
            if not replace:
                _refuse_overwrite(absolute, update.current, password, alias)
        data = get_format("pkcs12").dump(keystore, password, options)
        update.replace(data, holds_private_key=True, wholesale=True)
    return BundleResult(absolute, alias, entry, warnings)


def _opened(data: bytes, password: Password) -> Keystore | None:
    from keystore_tool.errors import KsError
    from keystore_tool.storage import load_bytes

    try:
        return load_bytes(data, password)
    except KsError:
        return None


def _holds_this_bundle(
    data: bytes,
    password: Password,
    entry: PrivateKeyEntry,
    profile: Profile,
    targets: Sequence[Target] = (),
) -> bool:
    from keystore_tool.compat import protection_satisfies

    existing = _opened(data, password)
    if existing is None or existing.storetype != "pkcs12" or len(existing) != 1:
        return False
    held = existing.get(entry.alias)
    if held is None or held.alias != entry.alias or not held.same_content(entry):
        return False
    if targets:
        return protection_satisfies(existing, targets, password)
    return bool(existing.properties.get("profile", "default") == profile)


def _refuse_overwrite(out: str, data: bytes, password: Password, alias: str) -> None:
    existing = _opened(data, password)
    if existing is None:
        raise ConflictError(
            f"{out} already exists and the given password does not open it as a keystore, so "
            "what it holds cannot be checked; nothing was written"
        )
    others = [e.alias for e in existing.sorted_entries() if e.folded_alias != alias.lower()]
    if others:
        shown = ", ".join(f"'{a}'" for a in others[:10])
        more = f" and {len(others) - 10:,} more" if len(others) > 10 else ""
        raise ConflictError(
            f"{out} already holds other entries ({shown}{more}); nothing was written"
        )
