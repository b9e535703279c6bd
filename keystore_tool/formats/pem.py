"""PEM as a store: a text file of PEM blocks in the layout ``openssl pkcs12`` prints.

Writing: each entry starts with ``Bag Attributes`` / ``friendlyName: ALIAS`` lines. A trusted
certificate is one CERTIFICATE block; a private-key entry is its key (``ENCRYPTED PRIVATE
KEY``, PKCS#8 PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC under the store password, or
``PRIVATE KEY`` without one), then its chain, leaf first. The key and its leaf share a
``localKeyID`` (the leaf's SHA-1), as in openssl's output.

Reading accepts any PEM file, with or without those lines, and decides by content, not by
position: a key's leaf is the certificate holding its public key (looked for first among those
sharing its ``localKeyID``, then the one that follows it, then all); its chain is built by
issuer from every certificate in the file. A certificate that is no key's leaf and in no chain
is a trusted certificate. A chain certificate is also a trusted certificate when its bag says so
(Java's trusted-key-usage attribute) or carries a friendlyName of its own (one that is neither
the key's alias nor, as Java writes for chain certificates, its own subject). A key whose
certificate is missing is refused: a Java keystore cannot hold a key without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from keystore_tool.certfiles import (
    CERTIFICATE_LABELS,
    CSR_LABELS,
    KEY_LABELS,
    PKCS7_LABELS,
    armour,
    block_certificates,
    iter_pem_blocks,
    key_block_pkcs8_and_public,
    quiet_legacy_warnings,
)
from keystore_tool.errors import FormatError, Remedy, UnsupportedError
from keystore_tool.formats import DumpOptions, LoadOptions, _der, _pbe
from keystore_tool.formats._limits import MAX_ITERATIONS, KdfBudget
from keystore_tool.formats._readinfo import read_info_of
from keystore_tool.model import (
    Certificate,
    Entry,
    Keystore,
    PrivateKeyEntry,
    TrustedCertificateEntry,
)
from keystore_tool.password import Password

# What current JDKs use for PKCS12 key bags; openssl reads it without options.
DEFAULT_ITERATIONS = 10_000

_SOURCE = "the PEM store"
_FRIENDLY_NAME = re.compile(r"^[ \t]+friendlyName: ?(.*?)\r?$", re.M)
_LOCAL_KEY_ID = re.compile(r"^[ \t]+localKeyID: ?(.*?)\r?$", re.M)
# Java's trusted-key-usage bag attribute, as openssl 3 prints it (by OID or by name).
_JAVA_TRUSTED = re.compile(r"^[ \t]+(2\.16\.840\.1\.113894\.746875\.1\.1|Trusted key usage)", re.M)
# Blocks that add nothing a keystore holds and may be dropped silently.
_IGNORED_LABELS = frozenset({"EC PARAMETERS"})


def can_hold(entry: Entry) -> bool:
    """Trusted certificates, and private keys we hold decrypted with at least one certificate;
    aliases must fit on the friendlyName line."""
    if "\n" in entry.alias or "\r" in entry.alias:
        return False
    if isinstance(entry, TrustedCertificateEntry):
        return True
    if isinstance(entry, PrivateKeyEntry):
        return entry.private_key is not None and bool(entry.chain)
    return False


# --------------------------------------------------------------------------- reading


@dataclass
class _CertBlock:
    index: int
    cert: Certificate
    friendly_name: str | None
    local_key_id: str | None
    java_trusted: bool
    role: str = ""  # "leaf" once a key claims it


@dataclass
class _KeyBlock:
    index: int
    pkcs8: bytes
    public_der: bytes
    friendly_name: str | None
    local_key_id: str | None
    chain: list[Certificate] = field(default_factory=list)


def _bag_attribute(pattern: re.Pattern[str], preamble: str) -> str | None:
    """The attribute of the bag immediately before the block (the last one in the preamble)."""
    found = pattern.findall(preamble[preamble.rfind("Bag Attributes") :])
    return str(found[-1]) if found and "Bag Attributes" in preamble else None


def load(data: bytes, password: Password | None, options: LoadOptions) -> Keystore:
    """Reads a PEM file as a store: keys with their chains, the other certificates trusted."""
    budget = KdfBudget(options.max_kdf_work)
    certs: list[_CertBlock] = []
    keys: list[_KeyBlock] = []
    encrypted_keys = 0
    index = -1
    with quiet_legacy_warnings():
        # One block at a time: the first invalid one ends the read.
        for index, block in enumerate(iter_pem_blocks(data, _SOURCE)):
            encrypted_keys += block.label == "ENCRYPTED PRIVATE KEY"
            name = _bag_attribute(_FRIENDLY_NAME, block.preamble)
            key_id = _bag_attribute(_LOCAL_KEY_ID, block.preamble)
            if block.label in KEY_LABELS:
                pkcs8, public = key_block_pkcs8_and_public(
                    block, _SOURCE, password, "store", budget
                )
                keys.append(_KeyBlock(index, pkcs8, public, name, key_id))
            elif block.label in CERTIFICATE_LABELS or block.label in PKCS7_LABELS:
                trusted = bool(_JAVA_TRUSTED.search(block.preamble))
                for cert in block_certificates(block, _SOURCE):
                    certs.append(_CertBlock(index, cert, name, key_id, trusted))
            elif block.label in CSR_LABELS:
                raise FormatError(
                    "the PEM store holds a certificate signing request, which a keystore "
                    "cannot hold; remove it from the file"
                )
            elif block.label not in _IGNORED_LABELS:
                raise FormatError(
                    f"the PEM store holds a '{block.label}' block, which a keystore cannot "
                    "hold; remove it from the file"
                )
        if index < 0:
            raise FormatError("the PEM store holds no PEM blocks")
        _claim_leaves(keys, certs)
        chained = _build_chains(keys, certs)
        entries = _entries(keys, certs, chained)
    keystore = Keystore(entries, storetype="pem")
    keystore.properties["encrypted_keys"] = encrypted_keys
    # Not "password-less" even without keys: whether a rewrite needs a password depends on
    # the keys it will hold then (ops.update.write_password), not on those read.
    keystore.read_info = read_info_of(keystore, "pem", integrity_checked=False)
    return keystore


class _Candidates:
    """The certificates of one public key (or one public key and localKeyID) in file order,
    with the first one no key has claimed yet: claimed ones are skipped once, ever."""

    __slots__ = ("blocks", "first")

    def __init__(self) -> None:
        self.blocks: list[_CertBlock] = []
        self.first = 0

    def unclaimed(self) -> _CertBlock | None:
        while self.first < len(self.blocks) and self.blocks[self.first].role == "leaf":
            self.first += 1
        return self.blocks[self.first] if self.first < len(self.blocks) else None


def _claim_leaves(keys: list[_KeyBlock], certs: list[_CertBlock]) -> None:
    """Finds each key's certificate (the one holding its public key): among those sharing its
    localKeyID, then the first certificate after it, then any. Every certificate's public key
    is read once, and every look-up is a dictionary's, so 10,000 keys and 10,000 certificates
    cost 20,000 steps, not 100 million."""
    import bisect

    from keystore_tool.x509util import public_key_der

    if not keys:
        return

    by_public: dict[bytes | None, _Candidates] = {}
    by_public_and_id: dict[tuple[bytes | None, str], _Candidates] = {}
    public_of: list[bytes | None] = []
    for block in certs:
        public = public_key_der(block.cert)
        public_of.append(public)
        by_public.setdefault(public, _Candidates()).blocks.append(block)
        if block.local_key_id:
            pair = (public, block.local_key_id)
            by_public_and_id.setdefault(pair, _Candidates()).blocks.append(block)
    positions = [block.index for block in certs]
    for key in keys:
        chosen = None
        if key.local_key_id:
            sharing = by_public_and_id.get((key.public_der, key.local_key_id))
            chosen = sharing.unclaimed() if sharing else None
        if chosen is None:
            following = bisect.bisect_right(positions, key.index)
            if (
                following < len(certs)
                and public_of[following] == key.public_der
                and certs[following].role != "leaf"
            ):
                chosen = certs[following]
        if chosen is None:
            matching = by_public.get(key.public_der)
            chosen = matching.unclaimed() if matching else None
        if chosen is None:
            what = (
                f"'{key.friendly_name}'" if key.friendly_name else f"in PEM block {key.index + 1}"
            )
            raise FormatError(
                f"the private key {what} in the PEM store has no matching certificate; a Java "
                "keystore cannot hold a key without one, so add its certificate to the file"
            )
        chosen.role = "leaf"
        key.chain = [chosen.cert]


def _build_chains(keys: list[_KeyBlock], certs: list[_CertBlock]) -> set[bytes]:
    """Orders every key's chain from all certificates in the file (indexed once); returns the
    DER of every certificate that went into a chain above a leaf."""
    from keystore_tool.x509util import ChainIndex

    pool = ChainIndex(c.cert for c in certs)
    chained: set[bytes] = set()
    for key in keys:
        key.chain, _ = pool.chain_of(key.chain[0])
        chained.update(c.der for c in key.chain[1:])
    return chained


def _is_own_entry(block: _CertBlock, chained: set[bytes], key_aliases: set[str]) -> bool:
    if block.role == "leaf":
        return False
    if block.cert.der not in chained or block.java_trusted:
        return True
    name = block.friendly_name
    if not name or name.lower() in key_aliases:
        return False
    # Java names chain certificates in PKCS12 after their subject (RFC 2253).
    subject = block.cert.x509.subject.rfc4514_string()
    return _squash(name) != _squash(subject)


def _squash(name: str) -> str:
    return re.sub(r"\s*([,=+])\s*", r"\1", name).lower()


def _entries(keys: list[_KeyBlock], certs: list[_CertBlock], chained: set[bytes]) -> list[Entry]:
    from keystore_tool.x509util import AliasAllocator, derived_alias

    key_aliases = {k.friendly_name.lower() for k in keys if k.friendly_name}
    # (file position, entry); aliases are given after, named ones first so a derived alias
    # never takes a name the file asked for.
    pending: list[tuple[int, Entry, str | None]] = []
    seen_trusted: set[tuple[str | None, bytes]] = set()
    for key in keys:
        entry: Entry = PrivateKeyEntry(alias="?", chain=key.chain, private_key=key.pkcs8)
        pending.append((key.index, entry, key.friendly_name))
    for block in certs:
        if not _is_own_entry(block, chained, key_aliases):
            continue
        # The same certificate under the same name twice is one entry.
        identity = (block.friendly_name, block.cert.der)
        if identity in seen_trusted:
            continue
        seen_trusted.add(identity)
        entry = TrustedCertificateEntry(alias="?", certificate=block.cert)
        pending.append((block.index, entry, block.friendly_name))

    taken: set[str] = set()
    aliases = AliasAllocator(lambda a: a.lower() in taken)
    for _, entry, name in sorted(pending, key=lambda p: p[2] is None):
        base = name if name else derived_alias(entry.certificates()[0])
        alias = aliases.take(base)
        taken.add(alias.lower())
        entry.alias = alias
    pending.sort(key=lambda p: p[0])
    return [entry for _, entry, _ in pending]


# --------------------------------------------------------------------------- writing


def dump(keystore: Keystore, password: Password | None, options: DumpOptions) -> bytes:
    """Writes ``keystore`` as openssl's PEM layout; keys encrypted when a password is given."""
    iterations = options.iterations or DEFAULT_ITERATIONS
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise UnsupportedError(
            f"an iteration count of {iterations:,} is outside 1..{MAX_ITERATIONS:,}"
        )
    parts: list[bytes] = []
    with quiet_legacy_warnings():
        for entry in keystore.entries:
            if not can_hold(entry):
                raise _cannot_hold(entry)
            if isinstance(entry, TrustedCertificateEntry):
                parts.append(_bag(entry.alias, None))
                parts.append(_certificate_pem(entry.certificate))
            elif isinstance(entry, PrivateKeyEntry):
                assert entry.private_key is not None  # can_hold saw to it
                leaf = entry.chain[0]
                key_id = " ".join(f"{b:02X}" for b in leaf.sha1)
                parts.append(_bag(entry.alias, key_id))
                parts.append(_key_pem(entry.private_key, password, iterations))
                parts.append(_bag(entry.alias, key_id))
                parts.append(_certificate_pem(leaf))
                for cert in entry.chain[1:]:
                    parts.append(_certificate_pem(cert))
    return b"".join(parts)


def _cannot_hold(entry: Entry) -> UnsupportedError:
    if "\n" in entry.alias or "\r" in entry.alias:
        return UnsupportedError(
            f"the alias {entry.alias!r} has a line break, which a PEM store cannot hold",
            alias=entry.alias,
        )
    if isinstance(entry, PrivateKeyEntry):
        if entry.private_key is None:
            return UnsupportedError(
                f"the key of entry '{entry.alias}' is sealed under its own password",
                remedy=Remedy.ENTRY_PASSWORD_FOR_PEM,
                alias=entry.alias,
                password="entry",
            )
        return UnsupportedError(
            f"the private key '{entry.alias}' has no certificate; a PEM store needs one",
            alias=entry.alias,
        )
    return UnsupportedError(
        f"entry '{entry.alias}' is a {entry.kind} entry, which a PEM store cannot hold",
        remedy=Remedy.SKIP_OR_OTHER_STORETYPE,
        alias=entry.alias,
    )


def _bag(alias: str, key_id: str | None) -> bytes:
    lines = ["Bag Attributes", f"    friendlyName: {alias}"]
    if key_id is not None:
        lines.append(f"    localKeyID: {key_id}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _certificate_pem(cert: Certificate) -> bytes:
    """subject=/issuer= lines for the human reader (as openssl prints them), then the block."""
    try:
        parsed = cert.x509
        comment = (
            f"subject={parsed.subject.rfc4514_string()}\nissuer={parsed.issuer.rfc4514_string()}\n"
        ).encode("utf-8", "replace")
    except FormatError:
        comment = b""
    return comment + armour("CERTIFICATE", _der.first_element(cert.der, "certificate"))


def _key_pem(pkcs8: bytes, password: Password | None, iterations: int) -> bytes:
    if password is None:
        return armour("PRIVATE KEY", pkcs8)
    return armour("ENCRYPTED PRIVATE KEY", encrypt_pkcs8(pkcs8, password, iterations))


# --------------------------------------------------------------------------- PBES2


def encrypt_pkcs8(pkcs8: bytes, password: Password, iterations: int) -> bytes:
    """EncryptedPrivateKeyInfo with PBES2: PBKDF2-HMAC-SHA256 (16-byte salt) and AES-256-CBC.
    Written by :mod:`_pbe` rather than by cryptography, which refuses the empty password and
    fixes the iteration count."""
    scheme = _pbe.PbeScheme("pbes2", iterations, prf="sha256", cipher="aes-256-cbc", salt_length=16)
    algid, ciphertext = _pbe.encrypt(pkcs8, password.reveal(), scheme)
    return _der.seq(algid, _der.octet_string(ciphertext))
