"""The compatibility model: target names, the tables' shape, and the writer's choice.

What each runtime really does is judged in ``tests/interop/test_targets_matrix.py``; these tests
pin the parsing contract and the choices the matrix cannot reach (runtimes not on the machine:
Java 8, 26; OpenSSL 3.4).
"""

from __future__ import annotations

import pytest

from keystore_tool.compat import (
    JDK_TABLE,
    OPENSSL_TABLE,
    TargetError,
    choose_protection,
    parse_target,
    parse_targets,
    reads,
)
from keystore_tool.errors import UsageError
from keystore_tool.formats.protection import PASSWORDLESS, Protection
from keystore_tool.model import (
    Certificate,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    TrustedCertificateEntry,
)
from tests.certs import issue


@pytest.mark.parametrize(
    ("text", "family", "version"),
    [
        ("jdk8", "jdk", (8, 0)),
        ("jdk8u292", "jdk", (8, 292)),
        ("jdk11", "jdk", (11, 0)),
        ("JDK11.0.9", "jdk", (11, 9)),
        ("jdk26", "jdk", (26, 0)),
        ("openssl3", "openssl", (3, 0)),
        ("openssl3.4", "openssl", (3, 4)),
        ("openssl1.1", "openssl", (1, 1)),
    ],
)
def test_target_forms_parse_to_a_family_and_version(
    text: str, family: str, version: tuple[int, int]
) -> None:
    target = parse_target(text)
    assert (target.family, target.version, target.name) == (family, version, text.lower())


@pytest.mark.parametrize(
    "text", ["java17", "jdk7", "jdk99", "jdk8.0.292", "jdk11u9", "openssl2.0", "openssl", ""]
)
def test_an_unknown_target_is_a_usage_error_that_lists_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_targets([text])
    assert "jdkN.0.U" in caught.value.message and "opensslX.Y" in caught.value.message


def test_target_lists_split_on_commas_keep_order_and_drop_repeats() -> None:
    names = [t.name for t in parse_targets(["jdk17,openssl3.0", "jdk17", "jdk11.0.9"])]
    assert names == ["jdk17", "openssl3.0", "jdk11.0.9"]


def test_every_row_of_every_table_names_its_source() -> None:
    for rule in (*JDK_TABLE, *OPENSSL_TABLE):
        assert len(rule.source) > 10, rule.feature


@pytest.mark.parametrize(
    ("target", "feature", "expected"),
    [
        ("jdk8", "pbe:pbes2-aes256", False),
        ("jdk8u301", "pbe:pbes2-aes256", True),
        ("jdk11", "mac:hmac-sha256", False),
        ("jdk11.0.12", "mac:hmac-sha256", True),
        ("jdk12", "mac:hmac-sha256", True),
        ("jdk25", "mac:pbmac1", False),
        ("jdk26", "mac:pbmac1", True),
        ("openssl3.3", "mac:pbmac1", False),
        ("openssl3.4", "mac:pbmac1", True),
        ("openssl1.1", "pbe:pbe-rc2-40", True),
        ("openssl3.0", "pbe:pbe-rc2-40", False),
        ("openssl1.1", "mac:none", False),
        ("jdk24", "key-encoding:seed", False),
        ("jdk25", "key-encoding:seed", True),
        ("openssl4.0", "store:jks", False),
    ],
)
def test_a_release_between_documented_ones_follows_the_documented_change(
    target: str, feature: str, expected: bool
) -> None:
    assert reads(parse_target(target), feature) is expected


def _key_store() -> Keystore:
    leaf = issue("leaf", key_kind="ec")
    chain = [Certificate(leaf.der)]
    return Keystore(
        [PrivateKeyEntry(alias="client", chain=chain, private_key=leaf.key_pkcs8_der())]
    )


def _trust_store() -> Keystore:
    ca = Certificate(issue("ca", ca=True, key_kind="ec").der)
    return Keystore([TrustedCertificateEntry(alias="ca", certificate=ca)])


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        ("jdk17", Protection("pbes2-aes256", "pbes2-aes256", "hmac-sha256")),
        ("jdk8", Protection("pbe-3des", "pbe-3des", "hmac-sha1")),
        ("jdk11.0.9,openssl3.0", Protection("pbe-3des", "pbe-3des", "hmac-sha1")),
        ("jdk8u301,openssl1.1", Protection("pbes2-aes256", "pbes2-aes256", "hmac-sha256")),
        ("jdk26,openssl3.4", Protection("pbes2-aes256", "pbes2-aes256", "pbmac1")),
        ("jdk26,jdk25", Protection("pbes2-aes256", "pbes2-aes256", "hmac-sha256")),
    ],
)
def test_the_writer_takes_the_strongest_choice_every_target_reads(
    targets: str, expected: Protection
) -> None:
    chosen = choose_protection(parse_targets([targets]), _key_store(), "pkcs12", "changeit")
    assert chosen == expected


def test_a_non_ascii_truststore_for_old_jdks_is_written_without_mac_or_encryption() -> None:
    targets = parse_targets(["jdk17,openssl3.0"])
    assert choose_protection(targets, _trust_store(), "pkcs12", "pässwörd€") == PASSWORDLESS


def test_no_protection_satisfies_openssl11_and_jdk17_with_a_non_ascii_password() -> None:
    with pytest.raises(TargetError) as caught:
        choose_protection(parse_targets(["jdk17,openssl1.1"]), _trust_store(), "pkcs12", "pä")
    assert "jdk17" in caught.value.message and "openssl1.1" in caught.value.message


def test_a_secret_key_for_openssl_is_refused_naming_the_entry() -> None:
    store = Keystore([SecretKeyEntry(alias="db", algorithm="AES", key=b"k" * 16)])
    with pytest.raises(TargetError) as caught:
        choose_protection(parse_targets(["openssl3.0"]), store, "pkcs12", "changeit")
    assert "openssl3.0" in caught.value.message and "'db'" in caught.value.message


def test_a_jks_for_openssl_is_refused() -> None:
    with pytest.raises(TargetError) as caught:
        choose_protection(parse_targets(["jdk17,openssl3.0"]), _key_store(), "jks", "changeit")
    assert "openssl3.0" in caught.value.message and "JKS" in caught.value.message
