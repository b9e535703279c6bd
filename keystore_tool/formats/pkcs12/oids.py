"""The OIDs of PKCS#12's structures and bag attributes, and the secret-key algorithms of Java's
secret bags.
"""

from __future__ import annotations

OID_DATA = "1.2.840.113549.1.7.1"
OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
OID_SECRET_BAG = "1.2.840.113549.1.12.10.1.5"
OID_X509_CERT = "1.2.840.113549.1.9.22.1"
OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"
OID_LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
OID_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1"
OID_ANY_EKU = "2.5.29.37.0"
OID_SKI = "2.5.29.14"
OID_AKI = "2.5.29.35"


# Secret-key algorithm OIDs of Java's secret bags, and the names Java gives them.
SECRET_KEY_ALGORITHMS = {
    "2.16.840.1.101.3.4.1": "AES",
    "1.2.840.113549.2.7": "HmacSHA1",
    "1.2.840.113549.2.8": "HmacSHA224",
    "1.2.840.113549.2.9": "HmacSHA256",
    "1.2.840.113549.2.10": "HmacSHA384",
    "1.2.840.113549.2.11": "HmacSHA512",
    "1.2.840.113549.2.12": "HmacSHA512/224",
    "1.2.840.113549.2.13": "HmacSHA512/256",
    "1.2.840.113549.3.7": "DESede",
    # What JDK 17's PKCS12KeyStore writes (KnownOIDs), so listed after the names above: the
    # last OID of a name is the one ks writes.
    "1.3.14.3.2.17": "DESede",
    "1.2.840.113549.3.4": "ARCFOUR",
    "2.16.840.1.101.3.4.2.13": "HmacSHA3-224",
    "2.16.840.1.101.3.4.2.14": "HmacSHA3-256",
    "2.16.840.1.101.3.4.2.15": "HmacSHA3-384",
    "2.16.840.1.101.3.4.2.16": "HmacSHA3-512",
    "1.2.840.113549.1.5.12": "PBKDF2WithHmacSHA1",
    "1.3.14.3.2.7": "DES",
    "1.2.840.113549.3.2": "RC2",
    "1.2.840.113549.1.5.3": "PBEWithMD5AndDES",
    "1.2.840.113549.1.5.10": "PBEWithSHA1AndDES",
    "1.2.840.113549.1.12.1.1": "PBEWithSHA1AndRC4_128",
    "1.2.840.113549.1.12.1.2": "PBEWithSHA1AndRC4_40",
    "1.2.840.113549.1.12.1.3": "PBEWithSHA1AndDESede",
    "1.2.840.113549.1.12.1.5": "PBEWithSHA1AndRC2_128",
    "1.2.840.113549.1.12.1.6": "PBEWithSHA1AndRC2_40",
}
_SECRET_OIDS_BY_NAME = {name.lower(): oid for oid, name in SECRET_KEY_ALGORITHMS.items()}
