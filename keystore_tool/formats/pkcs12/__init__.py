"""PKCS#12 (RFC 7292) as Java's ``PKCS12KeyStore`` reads and writes it, over our own DER codec.

Why not cryptography's ``load_pkcs12``: it keeps one private key and drops secret keys and bag
attributes, so a rewrite would lose entries. Here every bag becomes an entry or is kept
verbatim, and every bag attribute (friendlyName, localKeyId, Oracle's trusted-key-usage, and any
unknown one) is kept as raw DER in ``entry.attributes["pkcs12.attributes"]`` and written back.

How entries come out of bags, following Java:

* a key bag becomes a private-key entry; its chain is the certificate bag with the same
  localKeyId, then issuers found among all certificate bags by issuer/subject name (the
  authority/subject key identifiers break ties), until a self-issued certificate;
* a certificate bag with the trusted-key-usage attribute becomes a trusted-certificate entry;
* a secret bag (Java's: an encrypted PKCS#8 whose algorithm OID names the key's algorithm)
  becomes a secret-key entry;
* any other certificate bag becomes a ``certificate`` entry, which Java does not see (warned);
* any other bag is kept in ``keystore.properties["pkcs12.unknown_bags"]`` and written back.

A bag without a friendlyName gets the alias Java would give it: a counter ("1", "2", …) over
the unnamed key and trusted-certificate bags in file order; a certificate entry (which Java never
names) gets ``cert-`` plus the first 16 hex digits of its SHA-256. A generated alias that is
taken, or a friendlyName used twice, gets ``-2``, ``-3``… appended (Java would let the later
bag overwrite the earlier; ks keeps both and warns).
"""

from keystore_tool.formats.pkcs12.keys import ShroudedKeyEntry
from keystore_tool.formats.pkcs12.oids import (
    OID_ANY_EKU,
    OID_CERT_BAG,
    OID_DATA,
    OID_ENCRYPTED_DATA,
    OID_FRIENDLY_NAME,
    OID_KEY_BAG,
    OID_LOCAL_KEY_ID,
    OID_SECRET_BAG,
    OID_SHROUDED_KEY_BAG,
    OID_TRUSTED_KEY_USAGE,
    OID_X509_CERT,
    SECRET_KEY_ALGORITHMS,
)
from keystore_tool.formats.pkcs12.pfx import _parse_pfx as _parse_pfx
from keystore_tool.formats.pkcs12.profile import (
    DEFAULT_ITERATIONS,
    LEGACY_MAC_ITERATIONS,
    LEGACY_PBE_ITERATIONS,
)
from keystore_tool.formats.pkcs12.reader import load
from keystore_tool.formats.pkcs12.writer import can_hold, dump

__all__ = [
    "DEFAULT_ITERATIONS",
    "LEGACY_MAC_ITERATIONS",
    "LEGACY_PBE_ITERATIONS",
    "OID_ANY_EKU",
    "OID_CERT_BAG",
    "OID_DATA",
    "OID_ENCRYPTED_DATA",
    "OID_FRIENDLY_NAME",
    "OID_KEY_BAG",
    "OID_LOCAL_KEY_ID",
    "OID_SECRET_BAG",
    "OID_SHROUDED_KEY_BAG",
    "OID_TRUSTED_KEY_USAGE",
    "OID_X509_CERT",
    "SECRET_KEY_ALGORITHMS",
    "ShroudedKeyEntry",
    "can_hold",
    "dump",
    "load",
]
