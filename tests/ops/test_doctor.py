"""``ops.doctor`` in-process: each finding is produced by a store built to have it and only by
it, remedies are advice data the CLI renders, and targets are judged with what fixes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from keystore_tool.advice import Advice, Command, Option, library_words
from keystore_tool.cli.advice import advice_text, command_line
from keystore_tool.compat import parse_target
from keystore_tool.errors import PasswordError, UsageError
from keystore_tool.javahome import JavaVersion
from keystore_tool.model import (
    Certificate,
    CertificateEntry,
    Entry,
    Keystore,
    PrivateKeyEntry,
    SecretKeyEntry,
    StoreWarning,
    TrustedCertificateEntry,
)
from keystore_tool.ops import doctor
from keystore_tool.ops.doctor import DoctorReport, diagnose, java_target, target_version
from keystore_tool.ops.doctor.content import check_aliases
from keystore_tool.password import Password
from keystore_tool.storage import dump_bytes
from tests.certs import NOW, Issued, issue

PASSWORD = Password("changeit")
_SHA256_WITH_RSA = bytes.fromhex("06092a864886f70d01010b")


@pytest.fixture(scope="module")
def pki() -> dict[str, Issued]:
    root = issue("Doctor Root", ca=True)
    inter = issue("Doctor Intermediate", issuer=root, ca=True)
    return {"root": root, "inter": inter, "leaf": issue("server", issuer=inter)}


def _write(path: Path, entries: list[Entry], storetype: str = "pkcs12") -> Path:
    path.write_bytes(dump_bytes(Keystore(entries, storetype=storetype), storetype, PASSWORD))
    return path


def _trusted(*ders: bytes) -> list[Entry]:
    return [
        TrustedCertificateEntry(alias=f"ca{i}", certificate=Certificate(d))
        for i, d in enumerate(ders)
    ]


def _key_entry(chain: list[bytes], key: bytes) -> list[Entry]:
    return [PrivateKeyEntry(alias="key", chain=[Certificate(c) for c in chain], private_key=key)]


def _self_signed(cn: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _signed_with(digest_oid_last_byte: int, issuer: Issued) -> bytes:
    """A certificate issued by ``issuer`` that names another RSA signature hash (4: MD5, 5:
    SHA-1); cryptography no longer signs with them, and doctor reads only the name."""
    der = issue("legacy signed", issuer=issuer).der
    return der.replace(_SHA256_WITH_RSA, _SHA256_WITH_RSA[:-1] + bytes([digest_oid_last_byte]))


def _codes(report: DoctorReport) -> set[str]:
    return {f.code for f in report.findings}


def _finding(report: DoctorReport, code: str) -> doctor.Finding:
    (found,) = [f for f in report.findings if f.code == code]
    return found


def test_a_clean_truststore_has_no_finding_and_counts_its_anchors(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    store = _write(tmp_path / "t.p12", _trusted(pki["root"].der, pki["inter"].der))
    report = diagnose(store, PASSWORD)
    assert report.findings == [] and report.targets is None
    assert (report.storetype, report.java_sees_anchors) == ("pkcs12", 2)
    assert report.as_json()["findings"] == [] and "targets" not in report.as_json()


def test_a_store_read_without_its_password_asks_for_it_as_a_jvm_would(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    store = _write(tmp_path / "t.jks", _trusted(pki["root"].der), "jks")
    report = diagnose(store, None)
    # A JKS reads without its password (unverified): doctor judges the content.
    assert report.findings == [] and report.java_sees_anchors == 1
    encrypted = tmp_path / "e.p12"
    data = pkcs12.serialize_java_truststore(
        [pkcs12.PKCS12Certificate(pki["root"].cert, b"root")],
        serialization.BestAvailableEncryption(b"changeit"),
    )
    encrypted.write_bytes(data)
    report = diagnose(encrypted, None)
    assert _codes(report) == {"password-required"} and report.storetype == "pkcs12"
    remedy = _finding(report, "password-required").remedy
    assert advice_text(remedy).endswith(
        "(ks convert), and rerun ks doctor with --storepass* to check its content"
    )
    assert "--" not in str(remedy)
    with pytest.raises(PasswordError):
        diagnose(encrypted, Password("wrong"))


def test_certificates_without_javas_attribute_are_invisible_and_leave_it_empty(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    loose = [CertificateEntry(alias="root", certificate=Certificate(pki["root"].der))]
    report = diagnose(_write(tmp_path / "t.p12", loose), PASSWORD)
    assert _codes(report) == {"not-trusted-by-java", "empty-truststore"}
    assert report.java_sees_anchors == 0
    invisible = _finding(report, "not-trusted-by-java")
    assert invisible.alias == "root"
    assert advice_text(invisible.remedy) == (
        "import the certificates into a store written by ks or keytool: ks export --alias "
        "'root' --out cert.pem, then ks import --file cert.pem"
    )
    assert advice_text(_finding(report, "empty-truststore").remedy) == (
        "import the CA certificates (ks import --file, or --from-server); to keep trusting "
        "public CAs, create it with ks import --with-default-cas"
    )


def test_an_empty_truststore_is_found_but_a_keystore_is_not_one(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    assert _codes(diagnose(_write(tmp_path / "e.p12", []), PASSWORD)) == {"empty-truststore"}
    leaf = pki["leaf"]
    chain = [leaf.der, pki["inter"].der, pki["root"].der]
    keystore = _write(tmp_path / "k.p12", _key_entry(chain, leaf.key_pkcs8_der()))
    report = diagnose(keystore, PASSWORD)
    assert report.findings == [] and report.java_sees_anchors == 1


def test_aliases_made_unique_by_the_reader_are_a_collision(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    store = tmp_path / "c.p12"
    store.write_bytes(
        pkcs12.serialize_java_truststore(
            [
                pkcs12.PKCS12Certificate(pki["root"].cert, b"CA"),
                pkcs12.PKCS12Certificate(pki["inter"].cert, b"ca"),
            ],
            serialization.BestAvailableEncryption(b"changeit"),
        )
    )
    report = diagnose(store, PASSWORD)
    assert _codes(report) == {"alias-collision"}
    collision = _finding(report, "alias-collision")
    assert "aliases used twice" in collision.message
    assert advice_text(collision.remedy) == (
        "rename the entries so that every alias is unique ignoring case (ks rename), "
        "or rebuild the store with ks"
    )


def test_the_collision_is_told_by_the_warning_code_not_its_words() -> None:
    keystore = Keystore(storetype="pkcs12")
    keystore.warnings.append(StoreWarning("two entries were one", "alias-collision"))
    keystore.warnings.append(StoreWarning("something else entirely", "note"))
    findings: list[doctor.Finding] = []
    check_aliases(keystore, findings)
    assert [f.code for f in findings] == ["alias-collision"]
    assert "two entries were one" in findings[0].message


def test_expired_and_expiring_certificates_are_found_with_how_to_renew(
    tmp_path: Path,
) -> None:
    old = issue(
        "Old", ca=True, not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(2)
    )
    soon = issue("Soon", ca=True, not_after=NOW + dt.timedelta(days=5))
    later = issue("Later", ca=True, not_after=NOW + dt.timedelta(days=40))
    report = diagnose(_write(tmp_path / "t.p12", _trusted(old.der, soon.der, later.der)), PASSWORD)
    assert [(f.code, f.alias, f.severity) for f in report.findings] == [
        ("expired", "ca0", "error"),
        ("expires-soon", "ca1", "warning"),
    ]
    assert advice_text(report.findings[0].remedy) == (
        "replace it with a current certificate (ks import --replace --alias ca0) or delete it"
    )
    assert advice_text(report.findings[1].remedy) == (
        "renew it before then (ks import --replace --alias ca1)"
    )


def test_an_expiring_key_entry_is_renewed_by_reissuing_not_importing(tmp_path: Path) -> None:
    svc = issue("svc", not_after=NOW + dt.timedelta(days=3))
    report = diagnose(
        _write(tmp_path / "k.p12", _key_entry([svc.der], svc.key_pkcs8_der())), PASSWORD
    )
    assert "expires-soon" in _codes(report)
    text = advice_text(_finding(report, "expires-soon").remedy)
    assert text == (
        "renew it before then: have a new certificate issued (ks certreq --alias key, then "
        "your CA or ks gencert) and bundle it with its key again (ks bundle-p12)"
    )


def test_small_keys_warn_and_keys_java_refuses_are_errors(tmp_path: Path) -> None:
    rsa1024 = _self_signed("RSA 1024", rsa.generate_private_key(65537, 1024))
    ec192 = _self_signed("EC 192", ec.generate_private_key(ec.SECP192R1()))
    ec256 = _self_signed("EC 256", ec.generate_private_key(ec.SECP256R1()))
    report = diagnose(_write(tmp_path / "t.p12", _trusted(rsa1024, ec192, ec256)), PASSWORD)
    assert [(f.code, f.alias, f.severity) for f in report.findings] == [
        ("weak-key", "ca0", "warning"),
        ("weak-key", "ca1", "error"),
    ]
    assert "1024-bit RSA" in report.findings[0].message
    assert "192-bit EC" in report.findings[1].message


def test_weak_signatures_are_found_except_on_a_self_signed_anchor(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    sha1, md5 = _signed_with(5, pki["root"]), _signed_with(4, pki["root"])
    report = diagnose(_write(tmp_path / "t.p12", _trusted(sha1, md5)), PASSWORD)
    assert [(f.code, f.severity) for f in report.findings] == [
        ("weak-signature", "warning"),
        ("weak-signature", "error"),
    ]
    assert "SHA1" in report.findings[0].message and "MD5" in report.findings[1].message
    anchor = _write(tmp_path / "a.p12", _trusted(pki["root"].der))
    assert diagnose(anchor, PASSWORD).findings == []


def test_a_key_that_is_not_its_certificates_is_a_mismatch(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    chain = [pki["leaf"].der, pki["inter"].der, pki["root"].der]
    store = _write(tmp_path / "k.p12", _key_entry(chain, issue("other").key_pkcs8_der()))
    report = diagnose(store, PASSWORD)
    assert _codes(report) == {"key-mismatch"}
    assert advice_text(report.findings[0].remedy) == (
        "bundle the key with its own certificate (ks bundle-p12 --cert --key)"
    )


@pytest.mark.parametrize(
    ("order", "code", "words"),
    [
        (("leaf", "root", "inter"), "chain-misordered", "rebuild the entry: ks bundle-p12 orders"),
        (("leaf", "stranger"), "chain-broken", "the right intermediates (ks bundle-p12 --chain)"),
        (
            ("leaf",),
            "chain-incomplete",
            "add the intermediate certificates (ks bundle-p12 --chain)",
        ),
    ],
)
def test_a_key_entrys_chain_is_judged_as_a_strict_client_would(
    tmp_path: Path, pki: dict[str, Issued], order: tuple[str, ...], code: str, words: str
) -> None:
    named = {**pki, "stranger": issue("Stranger", ca=True)}
    chain = [named[name].der for name in order]
    # A JKS keeps the chain as written (a PKCS12 reader rebuilds it by issuer).
    store = _write(tmp_path / "k.jks", _key_entry(chain, pki["leaf"].key_pkcs8_der()), "jks")
    report = diagnose(store, PASSWORD)
    assert _codes(report) == {code}
    assert words in advice_text(report.findings[0].remedy)


def test_certificates_cryptography_refuses_are_judged_by_their_dates_only(
    tmp_path: Path, pki: dict[str, Issued], monkeypatch: pytest.MonkeyPatch
) -> None:
    from keystore_tool.errors import FormatError

    old = issue("Old", ca=True, not_before=NOW - dt.timedelta(days=400), not_after=NOW)
    chain = [pki["leaf"].der, pki["inter"].der, pki["root"].der]
    store = _write(
        tmp_path / "t.p12", _trusted(old.der) + _key_entry(chain, pki["leaf"].key_pkcs8_der())
    )

    def refused(self: Certificate) -> x509.Certificate:
        raise FormatError("cryptography refuses it")

    monkeypatch.setattr(Certificate, "x509", property(refused))
    report = diagnose(store, PASSWORD)
    assert [(f.code, f.alias) for f in report.findings] == [("expired", "ca0")]
    assert "'CN=Old' in 'ca0' expired" in report.findings[0].message


def test_findings_render_as_words_for_a_library_caller_and_as_commands_for_the_cli(
    tmp_path: Path,
) -> None:
    report = diagnose(_write(tmp_path / "e.p12", []), PASSWORD)
    library = report.as_json()["findings"][0]["remedy"]
    cli = report.as_json(command_line)["findings"][0]["remedy"]
    assert "--" not in library and "ks import (file)" in library
    assert "ks import --file, or --from-server" in cli


def test_an_advice_renders_its_parts_in_order_and_keeps_literal_braces() -> None:
    advice = Advice("run {0} then {1}", (Command("a", (Option("x", "1"),)), Option("y")))
    assert advice.render(command_line) == "run ks a --x 1 then --y"
    assert str(advice) == library_words(Command("a", (Option("x", "1"),))).join(["run ", " then y"])
    assert advice.after("{odd} ").render(command_line) == "{odd} run ks a --x 1 then --y"
    assert command_line(Option("store_password")) == "--storepass"
    assert library_words(Option("alias", "a b", quoted=True)) == "alias='a b'"


def test_a_target_that_cannot_read_the_store_is_a_finding_with_its_fix(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    store = _write(tmp_path / "t.p12", _trusted(pki["root"].der))
    jdk8 = parse_target("jdk8u292")
    report = diagnose(store, PASSWORD, targets=(jdk8, parse_target("jdk17")))
    assert report.targets is not None
    verdicts = {v.target.name: v for v in report.targets}
    assert verdicts["jdk17"].loads and verdicts["jdk17"].fix is None
    assert not verdicts["jdk8u292"].loads and verdicts["jdk8u292"].fix == "rewrite"
    problems = verdicts["jdk8u292"].problems
    assert [f.code for f in report.findings] == [p.code for p in problems]
    for finding in report.findings:
        assert finding.message.startswith("jdk8u292: ") and finding.severity == "error"
        assert str(finding.remedy) == "rewrite the store for jdk8u292"
    document = report.as_json(fix=lambda verdict: f"fix {verdict.target.name}")
    problems = document["targets"][0]["problems"]
    assert problems and all(p["message"].endswith("; fix jdk8u292") for p in problems)
    assert document["targets"][1] == {"target": "jdk17", "loads": True, "problems": []}


def test_a_jks_for_a_pkcs12_only_target_is_converted(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    store = _write(tmp_path / "t.jks", _trusted(pki["root"].der), "jks")
    (verdict,) = diagnose(store, PASSWORD, targets=(parse_target("openssl3.0"),)).targets or []
    assert verdict.fix == "convert-to-pkcs12"


def test_a_keystore_with_a_non_ascii_password_for_java_8_needs_an_ascii_one(
    tmp_path: Path, pki: dict[str, Issued]
) -> None:
    password = Password("pässwort")
    leaf = pki["leaf"]
    chain = [leaf.der, pki["inter"].der, pki["root"].der]
    keystore = Keystore(_key_entry(chain, leaf.key_pkcs8_der()), storetype="pkcs12")
    store = tmp_path / "k.p12"
    store.write_bytes(dump_bytes(keystore, "pkcs12", password))
    verdicts = diagnose(store, password, targets=(parse_target("jdk8u292"),)).targets or []
    assert [v.fix for v in verdicts] == ["ascii-password"]
    assert "password-not-ascii" in [p.code for p in verdicts[0].problems]


def test_entries_no_file_of_the_target_holds_need_another_runtime(tmp_path: Path) -> None:
    secret = SecretKeyEntry(alias="aes", algorithm="AES", key=bytes(16))
    store = _write(tmp_path / "s.p12", [secret])
    report = diagnose(store, PASSWORD, targets=(parse_target("openssl3.0"),))
    (verdict,) = report.targets or []
    assert verdict.fix == "upgrade" and not verdict.loads
    judged = [f for f in report.findings if f.message.startswith("openssl3.0: ")]
    assert [f.code for f in judged] == [p.code for p in verdict.problems]
    assert all(str(f.remedy).startswith("no file openssl3.0 reads") for f in judged)


def test_a_jvm_version_is_judged_as_one_more_target(tmp_path: Path, pki: dict[str, Issued]) -> None:
    store = _write(tmp_path / "t.p12", _trusted(pki["root"].der))
    java8 = target_version(None, 8)
    assert java8 == JavaVersion(8, 0, "8")
    report = diagnose(store, PASSWORD, target=java8, targets=(parse_target("jdk8"),))
    assert [v.target.name for v in report.targets or []] == ["jdk8"]
    assert java_target(JavaVersion(8, 292, "1.8.0_292")) == parse_target("jdk8u292")
    assert java_target(JavaVersion(17, 2, "17.0.2")) == parse_target("jdk17.0.2")
    assert java_target(JavaVersion(21, 0, "21")) == parse_target("jdk21")
    assert java_target(JavaVersion(7, 0, "7")) is None
    assert target_version(None, None) is None


def test_the_version_to_judge_for_is_one_jvm_or_one_known_release(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not both"):
        target_version(tmp_path, 8)
    with pytest.raises(UsageError) as refused:
        target_version(None, 9)
    assert refused.value.parameter == "target_java"
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n")
    (tmp_path / "jdk" / "release").write_text('JAVA_VERSION="11.0.9"\n')
    assert target_version(tmp_path / "jdk", None) == JavaVersion(11, 9, "11.0.9")
