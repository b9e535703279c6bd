"""The targets a file may be written for or judged against, and one table per runtime family:
which release reads which feature, with the source of each fact."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from keystore_tool.errors import UsageError

if TYPE_CHECKING:
    pass

Family = Literal["jdk", "openssl"]
Version = tuple[int, int]  # jdk: (feature release, update); openssl: (major, minor)

TARGET_FORMS = (
    "jdkN (jdk8, jdk11, jdk17, jdk21, jdk24, jdk25, jdk26)",
    "jdkN.0.U (jdk11.0.9, jdk17.0.2)",
    "jdk8uU (jdk8u292)",
    "opensslX.Y (openssl1.1, openssl3.0, openssl3.4, openssl4.0; openssl3 = openssl3.0)",
)
_JDK_FEATURES = range(8, 27)  # the releases the tables speak for: 8 up to 26
_OPENSSL_VERSIONS = {(1, 1), (3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (3, 5), (3, 6), (4, 0)}


@dataclass(frozen=True)
class Target:
    family: Family
    version: Version
    name: str  # as the user spelled it, lower-cased

    def __str__(self) -> str:
        return self.name

    @property
    def runtime(self) -> str:
        if self.family == "openssl":
            return f"OpenSSL {self.version[0]}.{self.version[1]}"
        feature, update = self.version
        if feature == 8:
            return f"Java 8u{update}" if update else "Java 8"
        return f"Java {feature}.0.{update}" if update else f"Java {feature}"


def parse_target(text: str) -> Target:
    """``jdkN``, ``jdkN.0.U``, ``jdk8uU`` or ``opensslX.Y``; a bare ``jdkN`` is N's oldest
    update (it must hold for every update of N)."""
    name = text.strip().lower()
    match = re.fullmatch(r"jdk(\d+)(?:\.0\.(\d+)|u(\d+))?", name)
    if match:
        feature = int(match.group(1))
        update_text = match.group(2) or match.group(3)
        dotted, old_style = match.group(2) is not None, match.group(3) is not None
        if feature in _JDK_FEATURES and not (
            (feature == 8 and dotted) or (feature > 8 and old_style)
        ):
            return Target("jdk", (feature, int(update_text or 0)), name)
    match = re.fullmatch(r"openssl(\d+)(?:\.(\d+))?", name)
    if match:
        version = (int(match.group(1)), int(match.group(2) or 0))
        if version in _OPENSSL_VERSIONS:
            return Target("openssl", version, name)
    raise UsageError(
        f"unknown target '{text.strip()}'; the known forms are {'; '.join(TARGET_FORMS)}"
    )


def parse_targets(values: Iterable[str]) -> tuple[Target, ...]:
    """Every target of comma-separated lists, in order, each once."""
    targets: list[Target] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            target = parse_target(part)
            if target not in targets:
                targets.append(target)
    if not targets:
        raise UsageError(f"no target given; the known forms are {'; '.join(TARGET_FORMS)}")
    return tuple(targets)


# ---- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """``feature`` is read from ``since`` on (None: by no release of the family), by older lines
    from the update ``backports`` names, and no longer from ``until`` on."""

    feature: str
    since: Version | None
    source: str
    backports: tuple[tuple[int, int], ...] = ()
    until: Version | None = None

    def covers(self, version: Version) -> bool:
        if self.until is not None and version >= self.until:
            return False
        if self.since is not None and version >= self.since:
            return True
        return any(version[0] == line and version[1] >= first for line, first in self.backports)


_JDK8 = (8, 0)
_PBES2_BACKPORTS = ((8, 301), (11, 12))
_JDK_PBES2 = (
    "JDK-8076190 (JDK 12): PKCS12 with PBES2/AES and HmacPBESHA256; backported to 8u301 and "
    "11.0.12 (their release notes); measured here: 11.0.9 fails ('Algorithm HmacPBESHA256 not "
    "available', 'keystore password was incorrect'), 11.0.13 loads"
)
_JDK_PBES1 = "PKCS12KeyStore reads RFC 7292's PBEs since JDK 8; measured here on 11.0.9 to 25"

JDK_TABLE: tuple[Rule, ...] = (
    Rule(
        "store:pkcs12", _JDK8, "PKCS12 keystore type since JDK 1.4; default since JDK 9 (JEP 229)"
    ),
    Rule("store:jks", _JDK8, "JKS, Java's original store type; measured here on 11.0.9 to 25"),
    Rule("store:jceks", _JDK8, "JCEKS (SunJCE); measured here on 11.0.9 to 25"),
    Rule("pbe:pbes2-aes256", (12, 0), _JDK_PBES2, _PBES2_BACKPORTS),
    Rule("pbe:pbes2", (12, 0), _JDK_PBES2, _PBES2_BACKPORTS),
    Rule("pbe:pbe-3des", _JDK8, _JDK_PBES1),
    Rule("pbe:pbe-rc2-40", _JDK8, _JDK_PBES1),
    Rule("pbe:pbe-rc2-128", _JDK8, "PBEWithSHA1AndRC2_128 in SunJCE since JDK 8"),
    Rule(
        "pbe:none",
        _JDK8,
        "an unencrypted certificate safe; measured here: keytool 17's "
        "certProtectionAlgorithm=NONE store loads on 11.0.9 to 25",
    ),
    Rule("mac:hmac-sha1", _JDK8, "HmacPBESHA1, Java 8's PKCS12 MAC; measured here on 11.0.9 to 25"),
    Rule("mac:hmac-sha256", (12, 0), _JDK_PBES2, _PBES2_BACKPORTS),
    Rule("mac:hmac-sha224", (12, 0), _JDK_PBES2, _PBES2_BACKPORTS),
    Rule("mac:hmac-sha384", (12, 0), _JDK_PBES2, _PBES2_BACKPORTS),
    Rule(
        "mac:hmac-sha512",
        (12, 0),
        _JDK_PBES2 + "; measured here: openssl -macalg sha512 loads on 11.0.13",
        _PBES2_BACKPORTS,
    ),
    Rule("mac:pbmac1", (26, 0), "JDK 26 release notes: PKCS12 PBMAC1 (RFC 9579) support"),
    Rule(
        "mac:none",
        _JDK8,
        "a PKCS12 without MacData loads (JDK-8076190 made writing one possible); measured here: "
        "keytool 17's macAlgorithm=NONE store loads on 11.0.9 to 25 given any password",
    ),
    Rule(
        "password:non-ascii",
        (25, 0),
        "measured here: a PKCS12 whose password is 'pässwörd€' fails on 11.0.9, 11.0.13, 17 and "
        "21 ('getSecretKey failed: Password is not ASCII') and loads on 25",
    ),
    Rule(
        "password:none",
        _JDK8,
        "measured here: keytool 17's password-less store loads with no password and with the "
        "empty one alike on 11.0.9, 21.0.8 and 25 (an encrypted store loaded with no password "
        "shows no trusted certificate and no key)",
    ),
    Rule("entry:secret-key", _JDK8, "PKCS12 secret bags since JDK 8 (JDK-8005408)"),
    Rule("key:RSA", _JDK8, "SunRsaSign provider, in every JDK"),
    Rule("key:RSASSA-PSS", (11, 0), "JDK-8146293 (JDK 11): RSASSA-PSS keys"),
    Rule("key:EC", _JDK8, "SunEC since JDK 7; measured here: keytool 17's EC key on 11.0.9 to 25"),
    Rule("key:DSA", _JDK8, "SUN provider, in every JDK"),
    Rule("key:X25519", (11, 0), "JEP 324 (JDK 11)"),
    Rule("key:X448", (11, 0), "JEP 324 (JDK 11)"),
    Rule("key:Ed25519", (15, 0), "JEP 339 (JDK 15)"),
    Rule("key:Ed448", (15, 0), "JEP 339 (JDK 15)"),
    Rule(
        "key:ML-DSA",
        (24, 0),
        "JEP 497 (JDK 24); measured here: 11.0.13, 17 and 21 load the store but getKey fails "
        "('2.16.840.1.101.3.4.3.18 KeyFactory not available')",
    ),
    Rule("key:ML-KEM", (24, 0), "JEP 496 (JDK 24)"),
    Rule(
        "key-encoding:expanded",
        (24, 0),
        "JDK 24 reads and writes the expanded form; measured here: keytool 25 writes it",
    ),
    Rule("key-encoding:seed", (25, 0), "the seed form arrived after JDK 24 (DESIGN fact 11)"),
    Rule("key-encoding:both", (25, 0), "the seed form arrived after JDK 24 (DESIGN fact 11)"),
)

_OSSL_ALL = (1, 1)
OPENSSL_TABLE: tuple[Rule, ...] = (
    Rule("store:pkcs12", _OSSL_ALL, "openssl pkcs12; JKS and JCEKS have no OpenSSL reader"),
    Rule(
        "pbe:pbes2-aes256", _OSSL_ALL, "PBES2 since OpenSSL 1.0; measured here on 1.1.1, 3.0, 4.0"
    ),
    Rule("pbe:pbes2", _OSSL_ALL, "PBES2 since OpenSSL 1.0"),
    Rule("pbe:pbe-3des", _OSSL_ALL, "PKCS#12 3DES PBE, in the default provider of 3.0"),
    Rule(
        "pbe:pbe-rc2-40",
        _OSSL_ALL,
        "OpenSSL 3.0 moved RC2 to the legacy provider (migration guide); measured here: 3.0 "
        "and 4.0 refuse keytool's legacy store without -legacy ('unsupported'), 1.1.1 reads it",
        until=(3, 0),
    ),
    Rule("pbe:pbe-rc2-128", _OSSL_ALL, "RC2 is legacy-provider only from 3.0", until=(3, 0)),
    Rule("pbe:none", _OSSL_ALL, "an unencrypted safe needs no algorithm"),
    Rule("mac:hmac-sha1", _OSSL_ALL, "openssl pkcs12's classic MAC"),
    Rule("mac:hmac-sha224", _OSSL_ALL, "openssl pkcs12 -macalg"),
    Rule("mac:hmac-sha256", _OSSL_ALL, "openssl pkcs12 -macalg; 3.0's default"),
    Rule("mac:hmac-sha384", _OSSL_ALL, "openssl pkcs12 -macalg"),
    Rule("mac:hmac-sha512", _OSSL_ALL, "openssl pkcs12 -macalg; measured here on 1.1.1 to 4.0"),
    Rule("mac:pbmac1", (3, 4), "OpenSSL 3.4 release notes: PBMAC1 (RFC 9579) in PKCS#12"),
    Rule(
        "mac:none",
        (3, 0),
        "measured here: 1.1.1's PKCS12_parse refuses a store without MAC given a password "
        "('Invalid password or PKCS12 data'); 3.0 and 4.0 load it",
    ),
    Rule("password:non-ascii", _OSSL_ALL, "UTF-8 passwords since OpenSSL 1.1.0; measured here"),
    Rule("key:RSA", _OSSL_ALL, "in every OpenSSL release"),
    Rule("key:RSASSA-PSS", _OSSL_ALL, "since OpenSSL 1.1.1"),
    Rule("key:EC", _OSSL_ALL, "in every OpenSSL release; measured here on 1.1.1 to 4.0"),
    Rule("key:DSA", _OSSL_ALL, "in every OpenSSL release"),
    Rule("key:X25519", _OSSL_ALL, "since OpenSSL 1.1.0"),
    Rule("key:X448", _OSSL_ALL, "since OpenSSL 1.1.1"),
    Rule("key:Ed25519", _OSSL_ALL, "since OpenSSL 1.1.1"),
    Rule("key:Ed448", _OSSL_ALL, "since OpenSSL 1.1.1"),
    Rule(
        "key:ML-DSA",
        (3, 5),
        "OpenSSL 3.5 release notes: ML-DSA; measured here: 1.1.1 and 3.0 refuse JDK 25's key",
    ),
    Rule("key:ML-KEM", (3, 5), "OpenSSL 3.5 release notes: ML-KEM"),
    Rule("key-encoding:seed", (3, 5), "OpenSSL 3.5 reads seed, expanded and both forms"),
    Rule("key-encoding:both", (3, 5), "OpenSSL 3.5 reads seed, expanded and both forms"),
    Rule(
        "key-encoding:expanded",
        (3, 5),
        "OpenSSL 3.5 reads the expanded form; measured here: 4.0.3 as cryptography 50.0.2 "
        "exposes it refuses JDK 25's expanded ML-DSA key ('Could not deserialize key data')",
        until=(4, 0),
    ),
)

TABLES: dict[Family, tuple[Rule, ...]] = {"jdk": JDK_TABLE, "openssl": OPENSSL_TABLE}
_INDEX = {family: {rule.feature: rule for rule in table} for family, table in TABLES.items()}
# Key algorithms the tables speak for; another algorithm is not judged.
_KEY_FAMILIES = {r.feature[4:] for r in JDK_TABLE if r.feature.startswith("key:")}


def reads(target: Target, feature: str) -> bool:
    rule = _INDEX[target.family].get(feature)
    return rule is not None and rule.covers(target.version)


def _key_family(algorithm: str) -> str:
    for prefix in ("ML-DSA", "ML-KEM"):
        if algorithm.startswith(prefix):
            return prefix
    return algorithm
