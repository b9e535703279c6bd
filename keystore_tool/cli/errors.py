"""The one place that decides what a run says and returns: a library error becomes the line
``ks: error: …`` and its exit code, a command's result its exit code (CLI.md).

The library says what is wrong and carries its context as data (``errors.KsError``); this
module names the options a user of ``ks`` types: a parameter becomes its flag, a
:class:`~keystore_tool.errors.Remedy` the command-line advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keystore_tool.errors import KsError, Remedy, fill

if TYPE_CHECKING:
    from keystore_tool.ops.all_jdks import AllJdksReport
    from keystore_tool.ops.apply import ApplyReport
    from keystore_tool.ops.check import CheckReport
    from keystore_tool.ops.doctor import DoctorReport
    from keystore_tool.ops.verify import VerifyReport

# The contract's codes beyond an error's own (0-5, errors.py).
EXIT_OK = 0
EXIT_FINDINGS = 1  # doctor found something, verify would not trust, a strict import failed
EXIT_WOULD_CHANGE = 10  # apply --check: a store would change
EXIT_EXPIRING = 10  # check: a certificate expires within the window
EXIT_EXPIRED = 11  # check: a certificate has expired
EXIT_UNLOADABLE = 12  # check --target: a named runtime will not load a store

_STOREPASS = "--storepass, --storepass-env or --storepass-file"

# Each remedy in command-line words; fields in braces come from the error's ``details``.
REMEDIES: dict[Remedy, str] = {
    Remedy.STORE_PASSWORD: f"give its password with {_STOREPASS}",
    Remedy.NEW_STORE_PASSWORD: "give --new-storepass",
    Remedy.ENTRY_PASSWORD: "give its password with --entry-pass",
    Remedy.KEY_PASSWORD: "give its password with --key-pass",
    Remedy.TRUSTSTORE_PASSWORD: "give --truststorepass",
    Remedy.REPLACE: "use --replace to overwrite it",
    Remedy.REPLACE_OR_OTHER_ALIAS: "use --replace to overwrite it, or choose another --alias",
    Remedy.OTHER_ALIAS: "choose another --alias",
    Remedy.DELETE_OR_OTHER_ALIAS: "delete it first or choose another --alias",
    Remedy.SKIP_UNSUPPORTED: "pass --skip-unsupported to leave it out",
    Remedy.GIVE_AS_CERTIFICATE: "give it with --cert",
    Remedy.GIVE_AS_KEY: "give it with --key",
    Remedy.GIVE_KEYSTORE: "give the keystore holding it with --keystore",
    Remedy.GIVE_SUBJECT: "give the subject with --dname",
    Remedy.GIVE_SAN: "give --san instead",
    Remedy.GIVE_JAVA: "give --java PATH, set JAVA_HOME, or put java on PATH",
    Remedy.READ_AS_STORETYPE: "read it as --storetype {storetype}",
    Remedy.DROP_STORETYPE: "drop --storetype or name another file",
    Remedy.RAISE_LOCK_TIMEOUT: "try again or raise --lock-timeout",
    Remedy.RAISE_KDF_WORK: (
        "if you trust the file, raise the budget with --max-kdf-work {rounds} (or KS_MAX_KDF_WORK)"
    ),
    Remedy.IMPORT_FROM_SERVER: (
        "import that CA, or the server's root-most certificate: ks import --from-server"
    ),
    Remedy.PIN_OR_TRUST_ON_FIRST_USE: "give --expect-sha256, or --trust-on-first-use",
    Remedy.CHECK_KEY_PASSWORD: "check --key-pass",
    Remedy.CHECK_STORE_PASSWORD: "check --storepass",
    Remedy.GIVE_STORE_PASSWORD_TO_WRITE: "give --storepass",
    Remedy.ENTRY_PASSWORD_TO_CONVERT: "give its password with --entry-pass to convert it",
    Remedy.ENTRY_PASSWORD_FOR_PEM: "give it with --entry-pass so it can be written as PEM",
    Remedy.SKIP_OR_OTHER_STORETYPE: "use --skip-unsupported or another store type",
    Remedy.WRITE_STORE_PASSWORD: f"give {_STOREPASS}",
    Remedy.EXPORT_CHAIN_AS_PEM: "drop --der to export the chain as PEM",
    Remedy.DROP_KEY_SIZE: "drop --keysize",
    Remedy.ENTRY_PASSWORD_OR_SKIP: (
        "give it with --entry-pass, or pass --skip-unsupported to leave it out"
    ),
    Remedy.PKCS12_OR_SKIP: "convert to pkcs12, or pass --skip-unsupported to leave it out",
    Remedy.GIVE_KEY_AS_KEY: "give the key with --key",
    Remedy.REPLACE_OR_OTHER_OUTPUT: "give --replace to overwrite it, or choose another --out",
    Remedy.BUNDLE_KEY_AND_CERTIFICATE: (
        "ks import takes certificates only: a key and its certificate make a key entry with "
        "'ks bundle-p12 --cert CERT --key {source} --out P12'"
    ),
}

# Library parameters whose option is not simply ``--`` + the name with dashes.
FLAGS: dict[str, str] = {
    "store_password": "--storepass",
    "new_store_password": "--new-storepass",
    "entry_password": "--entry-pass",
    "key_password": "--key-pass",
    "truststore_password": "--truststorepass",
    "storetype": "--storetype",
    "expect_sha256": "--expect-sha256",
    "validity_days": "--validity",
}


def flag(parameter: str) -> str:
    """The option a user types for the library parameter ``parameter``."""
    return FLAGS.get(parameter) or "--" + parameter.replace("_", "-")


def remedy_text(remedy: Remedy, details: dict[str, object] | None = None) -> str:
    """``remedy`` in command-line words."""
    return fill(REMEDIES[remedy], details or {})


def message(exc: KsError) -> str:
    """The one line a user reads for ``exc`` (without the ``ks: error:`` prefix)."""
    text = exc.message
    if exc.parameter:
        text = f"{flag(exc.parameter)} {text}"
    if exc.remedy is not None:
        text = f"{text}; {remedy_text(exc.remedy, dict(exc.details))}"
    return text


def exit_code(exc: KsError) -> int:
    """The contract's exit code for ``exc`` (CLI.md): the class decides."""
    return exc.exit_code


def check_exit(report: CheckReport) -> int:
    """``ks check``: the worst of expired, unloadable by a target, expiring."""
    if report.expired:
        return EXIT_EXPIRED
    if report.unloadable:
        return EXIT_UNLOADABLE
    return EXIT_EXPIRING if report.expiring else EXIT_OK


def apply_exit(report: ApplyReport, *, check: bool) -> int:
    """``ks apply``: with ``--check``, whether a store would change."""
    return EXIT_WOULD_CHANGE if check and report.changed else EXIT_OK


def doctor_exit(report: DoctorReport) -> int:
    """``ks doctor``: whether it found something."""
    return EXIT_FINDINGS if report.findings else EXIT_OK


def verify_exit(report: VerifyReport) -> int:
    """``ks verify``: whether the chain is trusted."""
    return EXIT_OK if report.trusted else EXIT_FINDINGS


def import_all_jdks_exit(report: AllJdksReport, *, strict: bool) -> int:
    """``ks import --all-jdks``: with ``--strict``, whether a truststore was not written."""
    return EXIT_FINDINGS if strict and report.failed else EXIT_OK
