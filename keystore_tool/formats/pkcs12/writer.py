"""Writing a PKCS12 file as Java does: entries become bags, the bags safes, the safes a PFX with
its MAC.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING

from keystore_tool.errors import FormatError, UnsupportedError, UsageError
from keystore_tool.formats import _der, _pbe
from keystore_tool.formats.pkcs12.attributes import (
    ATTR_BAG_AS_READ,
    _attributes,
    _kept_local_key_id,
)
from keystore_tool.formats.pkcs12.keys import ShroudedKeyEntry
from keystore_tool.formats.pkcs12.oids import (
    _SECRET_OIDS_BY_NAME,
    OID_CERT_BAG,
    OID_DATA,
    OID_ENCRYPTED_DATA,
    OID_KEY_BAG,
    OID_SECRET_BAG,
    OID_SHROUDED_KEY_BAG,
    OID_X509_CERT,
    SECRET_KEY_ALGORITHMS,
)
from keystore_tool.formats.pkcs12.pfx import _hmac_mac_data, _pbmac1_mac_data
from keystore_tool.formats.pkcs12.profile import _Profile, _profile
from keystore_tool.model import (
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)

if TYPE_CHECKING:
    from keystore_tool.formats import DumpOptions
    from keystore_tool.password import Password


def can_hold(entry: Entry) -> bool:
    """Whether :func:`dump` can write ``entry``: keys must be available unencrypted, and a
    secret key's algorithm must have an OID."""
    if isinstance(entry, PrivateKeyEntry):
        # A shrouded key bag read from a PKCS12 can go back as it is (see ShroudedKeyEntry).
        return (
            entry.sealed is not None and entry.sealed.format == "pkcs12"
        ) or entry.private_key is not None
    if isinstance(entry, SecretKeyEntry):
        if entry.key is None:
            return entry.sealed is not None and entry.sealed.format == "pkcs12"
        return _secret_algid(entry) is not None
    return isinstance(entry, TrustedCertificateEntry | CertificateEntry)


def _secret_algid(entry: SecretKeyEntry) -> bytes | None:
    algorithm = entry.algorithm or ""
    kept = entry.attributes.get("pkcs12.secret_algid")
    if (
        isinstance(kept, bytes)
        and SECRET_KEY_ALGORITHMS.get(_algid_oid(kept), _algid_oid(kept)) == algorithm
    ):
        return kept
    oid = _SECRET_OIDS_BY_NAME.get(algorithm.lower())
    if oid is None and algorithm[:1].isdigit():
        try:
            return _der.algorithm_identifier(algorithm, None)
        except FormatError:
            return None
    if oid is None:
        return None
    return _der.algorithm_identifier(oid, None)


def _algid_oid(algid: bytes) -> str:
    top = _der.read(algid, 0, len(algid))
    return _der.oid(algid, _der.read(algid, top.start, top.end), "algorithm")


def _bag(bag_id: str, value: bytes, attributes: bytes) -> bytes:
    return _der.seq(_der.encode_oid(bag_id), _der.explicit(0, value), attributes)


_CERT_BAG_OID = _der.encode_oid(OID_CERT_BAG)
_X509_OID = _der.encode_oid(OID_X509_CERT)


def _cert_bag(der: bytes, attributes: bytes) -> bytes:
    inner = _der.seq(_X509_OID, _der.explicit(0, _der.octet_string(der)))
    return _der.seq(_CERT_BAG_OID, _der.explicit(0, inner), attributes)


class _LocalKeyIds:
    """Unique localKeyIds in Java's "Time <millis>" form, keeping ones an entry was read with."""

    def __init__(self) -> None:
        self.used: set[bytes] = set()
        self.clock = int(time.time() * 1000)

    def take(self, entry: Entry) -> bytes:
        kept = _kept_local_key_id(entry.attributes.get("pkcs12.attributes"))
        if kept is not None and kept not in self.used:
            self.used.add(kept)
            return kept
        millis = int(entry.created.timestamp() * 1000) if entry.created else self.clock
        while True:
            candidate = f"Time {millis}".encode("ascii")
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
            millis += 1


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    """Writes ``keystore`` as Java does with ``options.profile``; ``password`` None writes a
    password-less truststore (no MAC, certificates unencrypted), like JDK 18+'s cacerts."""
    _check_writable(keystore, password)
    profile = _profile(options)
    text = password.reveal() if password is not None else None
    bags = _Bags(keystore, text, options, profile)
    for entry in keystore.entries:
        bags.add(entry)
    unknown = keystore.properties.get("pkcs12.unknown_bags") or []
    bags.cert_bags.extend(raw for raw in unknown if isinstance(raw, bytes))
    auth_safe = _der.seq_of(_safes(bags, text, profile))
    parts = [_der.encode_integer(3), _data_content_info(auth_safe)]
    if text is not None:
        mac_data = _mac_data(auth_safe, text, profile)
        if mac_data is not None:
            parts.append(mac_data)
    return _der.seq(*parts)


def _check_writable(keystore: Keystore, password: Password | None) -> None:
    if password is None and keystore.holds_keys():
        raise UsageError("the store holds keys, which PKCS12 must encrypt; give a store password")
    for entry in keystore.entries:
        if not can_hold(entry):
            raise UnsupportedError(
                f"entry '{entry.alias}' cannot be written to PKCS12 "
                "(its key is sealed under another password or its algorithm has no OID)"
            )


class _Bags:
    """The certificate and key bags of the store being written, in the order Java writes
    them: a key's chain certificates once each, bags read from a PKCS12 as they were read."""

    def __init__(
        self, keystore: Keystore, text: str | None, options: DumpOptions, profile: _Profile
    ) -> None:
        self.keystore = keystore
        self.text = text
        self.options = options
        self.profile = profile
        self.key_ids = _LocalKeyIds()
        self.cert_bags: list[bytes] = []
        self.key_bags: list[bytes] = []
        self.chain_written: set[bytes] = set()

    def add(self, entry: Entry) -> None:
        kept = entry.attributes.get("pkcs12.attributes")
        if isinstance(entry, PrivateKeyEntry):
            self._add_private_key(entry, kept)
        elif isinstance(entry, SecretKeyEntry) and entry.key is None:
            self._add_sealed_secret(entry, kept)
        elif isinstance(entry, SecretKeyEntry):
            self._add_secret(entry, kept)
        elif isinstance(entry, TrustedCertificateEntry):
            self._add_trusted(entry, kept)
        elif isinstance(entry, CertificateEntry):
            self._add_certificate(entry, kept)
        else:  # pragma: no cover - the model has no other kinds
            raise UnsupportedError(f"entry '{entry.alias}' is of a kind PKCS12 cannot hold")

    def _add_private_key(self, entry: PrivateKeyEntry, kept: object) -> None:
        key_id = self.key_ids.take(entry)
        self.key_bags.append(self._key_bag(entry, _attributes(kept, entry.alias, key_id, False)))
        for position, certificate in enumerate(entry.chain):
            if position == 0:
                leaf_kept = entry.attributes.get("pkcs12.cert_attributes")
                attrs = _attributes(leaf_kept, entry.alias, key_id, False)
                self.cert_bags.append(_cert_bag(certificate.der, attrs))
            elif certificate.der not in self.chain_written:
                self.chain_written.add(certificate.der)
                self.cert_bags.append(_cert_bag(certificate.der, b""))

    def _key_bag(self, entry: PrivateKeyEntry, attributes: bytes) -> bytes:
        assert self.text is not None  # _check_writable: keys need a password
        as_read = _key_bag_as_read(entry, self.keystore, self.text, self.options)
        if as_read is not None:
            return _bag(as_read[0], as_read[1], attributes)
        assert entry.private_key is not None
        algid, ciphertext = _pbe.encrypt(entry.private_key, self.text, self.profile.key_scheme)
        epki = _der.seq(algid, _der.octet_string(ciphertext))
        return _bag(OID_SHROUDED_KEY_BAG, epki, attributes)

    def _add_sealed_secret(self, entry: SecretKeyEntry, kept: object) -> None:
        assert entry.sealed is not None  # can_hold: a secret bag read from a PKCS12
        key_id = self.key_ids.take(entry)
        attrs = _attributes(kept, entry.alias, key_id, False)
        self.key_bags.append(_bag(OID_SECRET_BAG, entry.sealed.data, attrs))

    def _add_secret(self, entry: SecretKeyEntry, kept: object) -> None:
        assert entry.key is not None and self.text is not None
        secret_algid = _secret_algid(entry)
        assert secret_algid is not None
        key_id = self.key_ids.take(entry)
        pki = _der.seq(_der.encode_integer(0), secret_algid, _der.octet_string(entry.key))
        algid, ciphertext = _pbe.encrypt(pki, self.text, self.profile.key_scheme)
        epki = _der.seq(algid, _der.octet_string(ciphertext))
        value = _der.seq(
            _der.encode_oid(OID_SHROUDED_KEY_BAG), _der.explicit(0, _der.octet_string(epki))
        )
        attrs = _attributes(kept, entry.alias, key_id, False)
        self.key_bags.append(_bag(OID_SECRET_BAG, value, attrs))

    def _add_trusted(self, entry: TrustedCertificateEntry, kept: object) -> None:
        as_read = _trusted_bag_as_read(entry, kept)
        if as_read is not None:
            self.cert_bags.append(as_read)  # untouched: written back exactly as read
            return
        attrs = _attributes(kept, entry.alias, None, True)
        self.cert_bags.append(_cert_bag(entry.certificate.der, attrs))

    def _add_certificate(self, entry: CertificateEntry, kept: object) -> None:
        name: str | None = entry.alias
        if entry.attributes.get("pkcs12.generated_alias") == entry.alias:
            name = None  # the file never named it; do not invent a friendlyName
        attrs = _attributes(kept, name, _kept_local_key_id(kept), False)
        self.cert_bags.append(_cert_bag(entry.certificate.der, attrs))


def _trusted_bag_as_read(entry: TrustedCertificateEntry, kept: object) -> bytes | None:
    """The SafeBag ``entry`` was read from, while its alias, certificate and attribute list are
    still the ones it was read with."""
    as_read = entry.attributes.get(ATTR_BAG_AS_READ)
    if (
        isinstance(as_read, tuple)
        and as_read[0] == entry.alias
        and as_read[1] == entry.certificate.der
        and as_read[2] is kept
    ):
        raw: bytes = as_read[3]
        return raw
    return None


def _safes(bags: _Bags, text: str | None, profile: _Profile) -> list[bytes]:
    """The certificate safe (encrypted unless password-less or asked plain), then the key safe;
    a store without certificates or keys has no such safe."""
    safes: list[bytes] = []
    if bags.cert_bags:
        cert_safe = _der.seq_of(bags.cert_bags)
        if text is None or profile.cert_scheme is None:
            safes.append(_data_content_info(cert_safe))
        else:
            algid, ciphertext = _pbe.encrypt(cert_safe, text, profile.cert_scheme)
            safes.append(_encrypted_content_info(algid, ciphertext))
    if bags.key_bags:
        safes.append(_data_content_info(_der.seq_of(bags.key_bags)))
    return safes


def _mac_data(auth_safe: bytes, text: str, profile: _Profile) -> bytes | None:
    if profile.pbmac1:
        return _pbmac1_mac_data(auth_safe, text, profile.mac_iterations)
    if profile.mac_digest is None:
        return None
    return _hmac_mac_data(auth_safe, text, profile.mac_digest, profile.mac_iterations)


def _key_bag_as_read(
    entry: PrivateKeyEntry, keystore: Keystore, text: str, options: DumpOptions
) -> tuple[str, bytes] | None:
    """(bag type, bag value) to write ``entry``'s key bag back as it was read, or None to
    encrypt its key afresh. An unencrypted key bag (which Java skips) stays one; a shrouded
    one stays as read while the store keeps its password and protection, or when no password
    at hand opens it (its own password then stays its own)."""
    if entry.attributes.get("pkcs12.unencrypted_key_bag") and entry.private_key is not None:
        return OID_KEY_BAG, entry.private_key
    if not isinstance(entry, ShroudedKeyEntry) or entry.replaced or entry.sealed is None:
        return None
    opener = entry._opener
    same_protection = (
        opener is not None
        and opener.store_password is not None
        and hmac.compare_digest(opener.store_password.encode(), text.encode())
        and options.iterations is None
        and options.profile == keystore.properties.get("profile", "default")
        # A target may ask for another key encryption than the file has (e.g. 3DES for jdk8).
        and (
            options.protection is None
            or (
                keystore.read_info is not None
                and options.protection.key_pbe == keystore.read_info.key_pbe
            )
        )
    )
    if same_protection or entry.private_key is None:
        return OID_SHROUDED_KEY_BAG, entry.sealed.data
    return None


_DATA_OID = _der.encode_oid(OID_DATA)


def _data_content_info(content: bytes) -> bytes:
    return _der.seq(_DATA_OID, _der.explicit(0, _der.octet_string(content)))


def _encrypted_content_info(algid: bytes, ciphertext: bytes) -> bytes:
    encrypted_content_info = _der.seq(
        _DATA_OID, algid, _der.tlv(_der.context(0, constructed=False), ciphertext)
    )
    encrypted_data = _der.seq(_der.encode_integer(0), encrypted_content_info)
    return _der.seq(_der.encode_oid(OID_ENCRYPTED_DATA), _der.explicit(0, encrypted_data))
