"""JKS and JCEKS, the two stores of Java's own providers, and the pieces BouncyCastle's
readers share with them.

* :mod:`.mutf8`: modified UTF-8 and Java's ``char[]`` passwords;
* :mod:`.datainput`: reading what ``DataOutputStream`` writes;
* :mod:`.container`: the file layout (entries and the keyed SHA-1 digest);
* :mod:`.protectors`: the JKS and JCE key protectors;
* :mod:`.serialization` and :mod:`.sealedkey`: Java serialization, read, and JCEKS's sealed
  secret keys;
* :mod:`.mapping`: what the file's records become in the model, and back.
"""

from __future__ import annotations

from keystore_tool.formats.java.container import (
    ATTR_CERT_TYPES,
    ATTR_TIMESTAMP,
    JCEKS_MAGIC,
    JKS_MAGIC,
    TAG_PRIVATE_KEY,
    TAG_SECRET_KEY,
    TAG_TRUSTED_CERT,
    RawEntry,
    RawStore,
    StoredTrustedCertificate,
    encode_entry,
    parse_store,
    pre_keyed_digest,
    serialize_store,
)
from keystore_tool.formats.java.mapping import (
    CHAINLESS_JCE,
    CHAINLESS_JKS,
    can_hold,
    dump_store,
    load_store,
    sealed_fits,
)
from keystore_tool.formats.java.mutf8 import (
    decode_modified_utf8,
    encode_modified_utf8,
    java_chars,
    write_utf,
)
from keystore_tool.formats.java.protectors import (
    JCEKS_DEFAULT_ITERATIONS,
    jce_protect,
    jks_protect,
    jks_unprotect,
)
from keystore_tool.formats.java.sealedkey import seal_secret_key, unseal_secret_key

__all__ = [
    "ATTR_CERT_TYPES",
    "ATTR_TIMESTAMP",
    "CHAINLESS_JCE",
    "CHAINLESS_JKS",
    "JCEKS_DEFAULT_ITERATIONS",
    "JCEKS_MAGIC",
    "JKS_MAGIC",
    "TAG_PRIVATE_KEY",
    "TAG_SECRET_KEY",
    "TAG_TRUSTED_CERT",
    "RawEntry",
    "RawStore",
    "StoredTrustedCertificate",
    "can_hold",
    "decode_modified_utf8",
    "dump_store",
    "encode_entry",
    "encode_modified_utf8",
    "java_chars",
    "jce_protect",
    "jks_protect",
    "jks_unprotect",
    "load_store",
    "parse_store",
    "pre_keyed_digest",
    "seal_secret_key",
    "sealed_fits",
    "serialize_store",
    "unseal_secret_key",
    "write_utf",
]
