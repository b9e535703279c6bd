"""Which truststore a JVM reads by default, and why (``ks where``, ``doctor``, ``apply``'s
default CAs and ``import --all-jdks`` share these rules; no use case of its own).

The JVM's rule (``sun.security.ssl.TrustStoreManager``): the ``javax.net.ssl.trustStore``
property, defaulting to ``<java.home>/lib/security/jssecacerts``; when that file is missing
or unreadable, ``<java.home>/lib/security/cacerts``. A property naming a missing file therefore
falls back to ``cacerts`` (not to ``jssecacerts``). ``NONE`` means no file at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keystore_tool.advice import Advice, Command, Option, Renderer, library_words
from keystore_tool.javahome import TRUSTSTORE_PROPERTY, Jvm, locate_jvm, system_properties
from keystore_tool.jdks import HostRoots, Runtime, discover_runtimes
from keystore_tool.model import Keystore
from keystore_tool.storetypes import sniff_storetype

# Debian/Ubuntu's ca-certificates-java regenerates this file from /etc/ssl/certs whenever
# update-ca-certificates runs, so certificates added to it by hand disappear.
DEBIAN_MANAGED = Path("/etc/ssl/certs/java/cacerts")


def os_store_remedy() -> Advice:
    """What to do instead of editing the OS-managed Java store by hand."""
    return Advice(
        "put your CA certificate in /usr/local/share/ca-certificates/NAME.crt (PEM) and run "
        "update-ca-certificates, or give the JVM a truststore of your own with "
        "-Djavax.net.ssl.trustStore (e.g. {0})",
        (Command("import", (Option("with_default_cas"),)),),
    )


@dataclass
class TruststoreLocation:
    """The truststore a JVM reads by default, and why (``source``)."""

    jvm: Jvm
    source: str  # "property" | "jssecacerts" | "cacerts"
    path: Path
    exists: bool
    storetype: str | None
    set_by: str | None = None  # the environment variable that set the property
    effective_path: Path | None = None  # the file the JVM really reads, after any fallback
    warnings: list[str] = field(default_factory=list)  # see also os_managed
    # The file the JVM reads when it is the OS-managed store (DEBIAN_MANAGED), which a
    # warning with advice (os_store_remedy) follows the others about.
    os_managed: Path | None = None

    @property
    def resolved_path(self) -> Path:
        return Path(os.path.realpath(self.path))

    def notes(self, say: Renderer = library_words) -> list[str]:
        """Every warning, the OS-managed store's advice rendered by ``say``."""
        if self.os_managed is None:
            return list(self.warnings)
        return [*self.warnings, os_store_warning(self.os_managed, say)]

    def as_json(self, say: Renderer = library_words) -> dict[str, Any]:
        """The JSON document of ``ks where``; the advice in its warnings rendered by ``say``."""
        return {
            "java": str(self.jvm.java),
            "java_home": str(self.jvm.home),
            "source": self.source,
            "path": str(self.path),
            "resolved_path": str(self.resolved_path),
            "exists": self.exists,
            "storetype": self.storetype,
            "warnings": self.notes(say),
        }


def os_store_warning(effective: Path, say: Renderer = library_words) -> str:
    """The warning for a JVM reading ``effective``, the OS-managed store."""
    return (
        os_store_remedy()
        .after(
            f"{effective} is {DEBIAN_MANAGED}, managed by Debian's ca-certificates-java: "
            "update-ca-certificates rewrites it and drops manual changes; "
        )
        .render(say)
    )


def _readable_file(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


def locate_truststore(
    java: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> TruststoreLocation:
    """The truststore the JVM found from ``java`` (or JAVA_HOME, or PATH) uses by default."""
    environment = os.environ if env is None else env
    return truststore_of(locate_jvm(java, environment), environment)


def truststore_of(jvm: Jvm, env: Mapping[str, str]) -> TruststoreLocation:
    """The truststore ``jvm`` reads by default in the environment ``env`` (its option
    variables may set ``javax.net.ssl.trustStore``)."""
    environment = env
    security = jvm.security_dir
    jssecacerts = security / "jssecacerts"
    cacerts = security / "cacerts"
    setting = system_properties(environment, jvm.version).get(TRUSTSTORE_PROPERTY)
    warnings: list[str] = []
    if setting is not None and setting.value != "":
        path = Path(setting.value)
        source = "property"
        exists = _readable_file(path)
        effective: Path | None = path
        if setting.value == "NONE":
            exists = False
            effective = None
            warnings.append(
                f"{setting.variable} sets {TRUSTSTORE_PROPERTY}=NONE: the JVM loads no "
                "truststore file (a PKCS#11 token or a provider must supply one)"
            )
        elif not exists:
            effective = cacerts if _readable_file(cacerts) else None
            fallback = f"{cacerts}" if effective else "no truststore at all (every handshake fails)"
            what = "does not exist" if not path.exists() else "is not a readable file"
            warnings.append(
                f"{TRUSTSTORE_PROPERTY}={path} (from {setting.variable}) {what}; the JVM "
                f"falls back to {fallback}"
            )
        else:
            warnings.append(f"{TRUSTSTORE_PROPERTY} is set by {setting.variable}")
    elif _readable_file(jssecacerts):
        path, source, exists, effective = jssecacerts, "jssecacerts", True, jssecacerts
        warnings.append(f"{jssecacerts} exists, so the JVM ignores {cacerts}")
    else:
        path, source = cacerts, "cacerts"
        exists = _readable_file(cacerts)
        effective = cacerts if exists else None
        if not exists:
            warnings.append(f"{cacerts} is missing: the JVM has no default truststore")
    location = TruststoreLocation(
        jvm=jvm,
        source=source,
        path=path,
        exists=exists,
        storetype=sniff_storetype(path) if exists else None,
        set_by=setting.variable if setting is not None and source == "property" else None,
        effective_path=effective,
        warnings=warnings,
    )
    if effective is not None and Path(os.path.realpath(effective)) == DEBIAN_MANAGED:
        location.os_managed = effective
    return location


# The passwords a JVM's default truststore has: none (JDK 18+ cacerts is a password-less
# PKCS12; a JKS reads without one, unverified), then keytool's well-known default.
_DEFAULT_PASSWORDS = (None, "changeit")


def load_default_truststore(
    java: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> tuple[TruststoreLocation, Keystore]:
    """The JVM's default truststore, as :func:`locate_truststore` finds it, read."""
    from keystore_tool.errors import NotFoundError, PasswordError
    from keystore_tool.password import Password
    from keystore_tool.storage import load_store

    location = locate_truststore(java, env)
    if location.effective_path is None:
        raise NotFoundError(
            f"the JVM at {location.jvm.home} has no default truststore to copy "
            f"({location.path} is missing)"
        )
    failure: PasswordError | None = None
    for secret in _DEFAULT_PASSWORDS:
        try:
            keystore = load_store(
                location.effective_path, Password(secret) if secret is not None else None
            )
            return location, keystore
        except PasswordError as exc:
            failure = exc
    raise PasswordError(
        f"cannot read the default truststore {location.effective_path} without its password "
        "(tried none and 'changeit')"
    ) from failure


# --------------------------------------------------------------------------- the whole host

TRUSTSTORE_PASSWORD = "javax.net.ssl.trustStorePassword"

# The store types a JVM's default truststore can have (keystore.type.compat lets the default
# PKCS12 type read JKS too, and Java 8's JKS type read PKCS12).
JVM_TRUSTSTORE_TYPES = ("jks", "pkcs12")


@dataclass(frozen=True)
class Health:
    """What is wrong with a truststore file, judged by its content.

    ``state`` is ``ok``, ``missing``, ``dangling-link``, ``empty-file`` (zero bytes),
    ``no-certificates`` (a store without one trusted certificate: "the trustAnchors
    parameter must be non-empty"), ``wrong-type`` (not a keystore, or a type the JVM cannot
    use as a truststore) or ``unreadable`` (not a regular file, or reading failed)."""

    state: str
    storetype: str | None = None
    entries: int | None = None  # trusted certificates, when the store could be read
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def truststore_health(path: Path, jvm_password: str | None = None) -> Health:
    """``path``'s health as a JVM given ``jvm_password`` (its
    ``javax.net.ssl.trustStorePassword``; none by default) reads it: a PKCS12 whose
    certificates are encrypted yields no trusted certificate to a JVM without the password."""
    problem = _file_problem(path)
    if problem is not None:
        return problem
    storetype = _truststore_type(path)
    if isinstance(storetype, Health):
        return storetype
    count, encrypted = _trusted_count(path, (jvm_password or None,))
    if count is None and not jvm_password:
        # A JVM without the password skips a PKCS12's MAC and reads what is not encrypted.
        count, encrypted = _trusted_count(path, _DEFAULT_PASSWORDS)
        if count is not None and encrypted:
            return Health(
                "no-certificates",
                storetype,
                0,
                f"{path} encrypts its certificates under a password and the JVM is given none "
                f"(javax.net.ssl.trustStorePassword): it trusts nothing",
            )
    if count is None:
        return Health("ok", storetype, None, "cannot be read without its password")
    if count == 0:
        return Health(
            "no-certificates", storetype, 0, f"{path} holds no trusted certificate: TLS fails"
        )
    return Health("ok", storetype, count)


def _file_problem(path: Path) -> Health | None:
    """What keeps ``path`` from being a truststore file before its content is looked at."""
    import stat

    if not os.path.lexists(path):
        return Health("missing", detail=f"{path} does not exist")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Health("dangling-link", detail=f"{path} links to {os.readlink(path)}, missing")
    except OSError as exc:
        return Health("unreadable", detail=f"cannot stat {path}: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return Health("unreadable", detail=f"{path} is not a regular file")
    if info.st_size == 0:
        return Health("empty-file", detail=f"{path} is empty (0 bytes)")
    return None


def _truststore_type(path: Path) -> str | Health:
    """``path``'s store type when a JVM can use it as a truststore, else its health."""
    from keystore_tool.errors import FormatError, KsError
    from keystore_tool.storetypes import sniff_format

    try:
        fmt = sniff_format(path)
    except FormatError:
        return Health("wrong-type", detail=f"{path} is not a keystore")
    except KsError as exc:
        return Health("unreadable", detail=exc.message)
    if fmt.name not in JVM_TRUSTSTORE_TYPES:
        return Health(
            "wrong-type",
            fmt.name,
            detail=f"{path} is a {fmt.name} file; a JVM truststore is JKS or PKCS12",
        )
    return fmt.name


def _trusted_count(path: Path, passwords: tuple[str | None, ...]) -> tuple[int | None, bool]:
    """The trusted certificates of ``path`` with the first password that opens it, and
    whether they are encrypted (PKCS12 certificate bags under a password)."""
    from keystore_tool.errors import KsError
    from keystore_tool.model import PrivateKeyEntry, TrustedCertificateEntry
    from keystore_tool.password import Password
    from keystore_tool.storage import load_store

    for secret in passwords:
        try:
            keystore = load_store(path, Password(secret) if secret is not None else None)
        except KsError:
            continue
        count = sum(isinstance(e, TrustedCertificateEntry | PrivateKeyEntry) for e in keystore)
        info = keystore.read_info
        return count, info is not None and info.cert_pbe not in (None, "none")
    return None, False


@dataclass
class RuntimeTruststore:
    """One runtime of the host and the truststore it reads by default."""

    runtime: Runtime
    location: TruststoreLocation
    health: Health
    os_store: bool  # the file is the OS-managed Java store (Debian's ca-certificates-java)
    shared_with: list[Path] = field(default_factory=list)  # other runtimes reading this file

    @property
    def file(self) -> Path:
        """The file the JVM reads (after any fallback), else the one it looks for."""
        return self.location.effective_path or self.location.path

    @property
    def real_file(self) -> Path:
        return Path(os.path.realpath(self.file))

    def as_json(self, say: Renderer = library_words) -> dict[str, Any]:
        """One runtime of the host survey's JSON document; advice rendered by ``say``."""
        version = self.runtime.version
        return {
            "java_home": str(self.runtime.home),
            "java": str(self.runtime.java) if self.runtime.java else None,
            "version": version.text if version else None,
            "major": version.major if version else None,
            "version_from": self.runtime.version_from,
            "found_as": [str(p) for p in self.runtime.found_as],
            "found_by": list(self.runtime.found_by),
            "truststore": {
                "source": self.location.source,
                "path": str(self.file),
                "resolved_path": str(self.real_file),
                "symlink": str(self.real_file) != str(self.file),
                "os_store": self.os_store,
                "shared_with": [str(p) for p in self.shared_with],
                "health": self.health.state,
                "storetype": self.health.storetype,
                "entries": self.health.entries,
                "detail": self.health.detail,
            },
            "warnings": self.location.notes(say),
        }


@dataclass
class HostSurvey:
    runtimes: list[RuntimeTruststore]

    def truststores(self) -> dict[Path, list[RuntimeTruststore]]:
        """Each distinct truststore file (by real path) and the runtimes reading it."""
        files: dict[Path, list[RuntimeTruststore]] = {}
        for item in self.runtimes:
            files.setdefault(item.real_file, []).append(item)
        return files

    def as_json(self, say: Renderer = library_words) -> dict[str, Any]:
        """The host survey's JSON document; advice rendered by ``say``."""
        return {
            "runtimes": [r.as_json(say) for r in self.runtimes],
            "truststores": [
                {
                    "resolved_path": str(path),
                    "health": users[0].health.state,
                    "storetype": users[0].health.storetype,
                    "entries": users[0].health.entries,
                    "os_store": users[0].os_store,
                    "used_by": [str(u.runtime.home) for u in users],
                }
                for path, users in self.truststores().items()
            ],
        }


def survey_host(
    env: Mapping[str, str] | None = None,
    roots: HostRoots | None = None,
    *,
    os_store: Path = DEBIAN_MANAGED,
    ask_java: bool = True,
) -> HostSurvey:
    """The host survey of ``ks where``: every runtime :func:`discover_runtimes` finds, with the truststore
    each reads by default (as :func:`locate_truststore` decides it) and that file's health."""
    environment = os.environ if env is None else env
    os_real = os.path.realpath(os_store)
    items: list[RuntimeTruststore] = []
    for runtime in discover_runtimes(environment, roots, ask_java=ask_java):
        jvm = Jvm(runtime.java or runtime.home / "bin" / "java", runtime.home, runtime.version)
        location = truststore_of(jvm, environment)
        item = RuntimeTruststore(runtime, location, Health("missing"), os_store=False)
        password = system_properties(environment, runtime.version).get(TRUSTSTORE_PASSWORD)
        item.health = truststore_health(item.file, password.value if password else None)
        item.os_store = os.path.lexists(item.file) and str(item.real_file) == os_real
        items.append(item)
    survey = HostSurvey(items)
    for users in survey.truststores().values():
        for user in users:
            user.shared_with = [u.runtime.home for u in users if u is not user]
    return survey
