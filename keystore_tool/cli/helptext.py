"""What ``--help``, docs/CLI.md and the man pages teach beyond each option's own help: per command
its examples, exit codes and JSON document, and the conventions every command shares.

One source for all three: ``build_app`` puts EXAMPLES and EXIT CODES into each command's help
epilog, and ``cli/docgen.py`` renders the whole of it as Markdown and roff. Text uses `code`
for literal spelling; nothing else is markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommandDoc:
    """The teaching part of one command's documentation."""

    examples: tuple[tuple[str, str], ...]  # (what it does, the command line)
    description: tuple[str, ...] = ()  # paragraphs for the reference and the man page
    json: str = ""  # the --json document, when the command has one
    exit_codes: tuple[tuple[int, str], ...] = field(default=())  # beyond the contract's 0-5


# The contract's exit codes; every command can end with any of them.
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "done, including 'nothing to change'"),
    (1, "any other failure (unreadable or corrupt input, key/certificate mismatch, I/O error)"),
    (
        2,
        "usage error (unknown option, missing argument, conflicting options, no password and no terminal)",
    ),
    (3, "wrong password, or the store's integrity check failed"),
    (4, "not found: the alias, or an input file"),
    (5, "conflict: the alias exists with different content and `--replace` was not given"),
)

# Options every invocation understands, wherever they stand on the command line.
GLOBAL_OPTIONS: tuple[tuple[str, str], ...] = (
    ("--version", "print the version and exit"),
    ("--debug", "show a traceback instead of the one-line error"),
    ("--no-color", "no colour even on a terminal (as the environment variable NO_COLOR does)"),
)

CONVENTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Stores",
        (
            "`--keystore PATH` (short `-k`) names the store a command reads or changes. "
            "`--storetype` is one of `pkcs12`, `jks`, `jceks`, `pem` (case-insensitive). An "
            "existing file's type is always detected from its content (magic bytes, PEM armour), "
            "never from its name; `--storetype` given for an existing file of another type is an "
            "error (exit 2). A new file's type is `--storetype`, else its extension (`.p12` "
            "`.pfx` `.pkcs12` -> pkcs12, `.jks` -> jks, `.jceks` -> jceks, `.pem` `.crt` -> pem), "
            "else pkcs12.",
            "A read-only format can be listed, inspected, exported and converted; a command that "
            "would change it stops with exit 1 and says to `convert` it.",
        ),
    ),
    (
        "Passwords",
        (
            "Every password has three sources, at most one of which may be given: `--storepass "
            "VALUE`, `--storepass-env VAR`, `--storepass-file PATH` (first line, newline "
            "stripped). Other passwords follow the same pattern with their own prefix "
            "(`--srcstorepass`, `--truststorepass`, `--key-pass` for an encrypted input key file, "
            "`--new-storepass`, `--entry-pass`). A value on the command line is visible to other "
            "users of the machine: prefer `-env` or `-file`.",
            "With no source given: on a terminal the user is prompted without echo; otherwise "
            "reading proceeds without a password where the format allows it (a password-less "
            "PKCS12, a JKS whose integrity then cannot be checked, which is said on stderr) and "
            "writing a password-protected store is exit 2. A password is never printed, logged, "
            "or put in an error message. 'No password' and 'the empty password' differ: reading "
            "without a password first tries the store as password-less, then with the empty "
            "password.",
            "A private-key entry in JKS/JCEKS is protected with the store password unless "
            "`--entry-pass*` is given (keytool's `-keypass`).",
        ),
    ),
    (
        "Output",
        (
            "Human-readable output goes to stdout. `--json` on any command that reports something "
            "prints exactly one JSON document on stdout instead, and nothing else there. "
            "Diagnostics, warnings and notes go to stderr. On a terminal, tables are aligned and "
            "verdicts coloured; through a pipe, or with `NO_COLOR` set or `--no-color`, the text "
            "is plain. Commands that change many entries print one summary line; `-v` lists "
            "every entry.",
        ),
    ),
    (
        "Errors",
        (
            "A failure prints one line `ks: error: <what went wrong and what to do>` on stderr, "
            "no traceback (`--debug` shows one), and exits with one of the codes below. A command "
            "that changes a store either completes or leaves the file exactly as it was, byte "
            "for byte (new file beside it, renamed into place, under an exclusive lock); it keeps "
            "the mode and owner of a store it modifies and every entry it was not asked to "
            "change. A file `ks` creates holding a private key is 0600. A command that changes "
            "nothing leaves the file's bytes and modification time alone.",
        ),
    ),
    (
        "Aliases",
        (
            "Aliases compare case-insensitively, as in Java. JKS and JCEKS store them "
            "lower-cased, as keytool does; PKCS12 keeps the case it was given. A PKCS12 "
            "private-key entry's alias is its key bag's friendlyName; a bag without one gets a "
            "stable generated alias.",
        ),
    ),
    (
        "PEM as a store",
        (
            "`--storetype pem` (or `convert --to pem`) is a text file of PEM blocks; each entry "
            "is preceded by `Bag Attributes` / `friendlyName: ALIAS` lines (the layout `openssl "
            "pkcs12` prints), certificates as `CERTIFICATE` blocks, a private key as `ENCRYPTED "
            "PRIVATE KEY` (PKCS#8, PBES2 AES-256) under the store password, or `PRIVATE KEY` when "
            "there is none, followed by its chain. Reading accepts any PEM file.",
        ),
    ),
    (
        "Entry JSON",
        (
            'Each entry is reported as an object: `{"alias": A, "type": "trusted-cert" | '
            '"private-key" | "secret-key" | "certificate", "sha256": "AB:CD:...", "sha1": ..., '
            '"subject": "CN=...", "issuer": "CN=...", "serial": hex, "not_before": '
            '"2026-01-01T00:00:00Z", "not_after": ..., "key_algorithm": "RSA" | "EC" | '
            '"Ed25519", "key_size": 2048, "chain": [{sha256, subject, issuer, not_after}, ...]}`. '
            "Fingerprints are of the (first) certificate's DER, upper-case hex with colons, as "
            "keytool prints them; names are RFC 4514; `chain` (private-key entries) is leaf "
            "first. `key_algorithm` is keytool's name (`RSA`, `RSASSA-PSS`, `EC`, `DSA`, "
            "`Ed25519`, `Ed448`, `X25519`, `X448`, `ML-DSA-44/65/87`, `ML-KEM-512/768/1024`, "
            "else the OID), `key_size` keytool's size where it gives one (Ed25519/X25519 255, "
            "Ed448/X448 448, none for ML-DSA/ML-KEM). A private-key entry whose key is at hand "
            "may have `key_encoding` (`seed`, `expanded` or `both`, for ML-DSA/ML-KEM PKCS#8). "
            "An entry whose certificate `cryptography` cannot parse (keytool can) has "
            "`warning`, and its fields come from ks' own reader.",
            "A secret-key entry has `alias`, `type`, `algorithm` and `key_size` (bits) where "
            'known. `"certificate"` is a PKCS12 certificate bag that belongs to no key and lacks '
            "Java's trusted-key-usage attribute: Java does not see it, `ks` keeps it and warns.",
        ),
    ),
    (
        "keytool spellings",
        (
            "keytool's verbs and single-dash options are understood: `ks -list -keystore "
            "cacerts -storepass changeit` runs `ks list --keystore cacerts --storepass "
            "changeit` and says so on stderr; `ks keytool -- -importcert ...` is the explicit "
            "form. A keytool option ks has no counterpart for is refused (exit 2) with the ks "
            "spelling of what to do instead; a single-dash option is never read as a cluster "
            "of short options.",
        ),
    ),
    (
        "Shell completion",
        (
            "`ks completion bash|zsh|fish` prints a completion script. Install it with `ks "
            "completion bash > ~/.local/share/bash-completion/completions/ks`, `ks completion "
            'zsh > "${fpath[1]}/_ks"`, or `ks completion fish > '
            "~/.config/fish/completions/ks.fish`.",
        ),
    ),
)

_SERVER = "The TLS server: HOST:PORT, HOST (port 443) or a URL, https://HOST[:PORT]/."
# Typer 0.21 drops an argument's own help text, so the reference takes it from here.
ARGUMENTS: dict[tuple[str, str], str] = {
    ("fetch", "HOST:PORT"): _SERVER,
    ("verify", "HOST:PORT"): _SERVER,
    ("apply", "SPEC"): "The TOML spec naming the stores and their contents.",
    ("completion", "SHELL"): "bash, zsh or fish.",
}

_STORE = "truststore.p12"

COMMAND_DOCS: dict[str, CommandDoc] = {
    "list": CommandDoc(
        examples=(
            ("the JDK's CAs", "ks list -k /etc/ssl/certs/java/cacerts --storepass changeit"),
            ("every certificate in full", f"ks list -k {_STORE} --storepass-env TRUST_PASS -v"),
            ("for a script", f"ks list -k {_STORE} --storepass-env TRUST_PASS --json"),
        ),
        description=("Lists every entry, sorted by alias as keytool lists them.",),
        json='{"keystore": PATH, "storetype": "pkcs12", "entries": [ENTRY, ...]}',
    ),
    "show": CommandDoc(
        examples=(
            (
                "one entry with its chain",
                "ks show -k keystore.p12 --alias client --storepass-env KEY_PASS",
            ),
            (
                "its certificates as PEM",
                "ks show -k keystore.p12 --alias client --storepass-env KEY_PASS --pem",
            ),
        ),
        description=("One entry with its whole chain; `--pem` prints the certificate(s) in PEM.",),
        json='{"keystore": PATH, "storetype": T, "entry": ENTRY}',
    ),
    "import": CommandDoc(
        examples=(
            (
                "trust a certificate (creates the store)",
                f"ks import -k {_STORE} --alias apm --file server.crt --storepass-env TRUST_PASS",
            ),
            (
                "the JVM's CAs plus yours",
                f"ks import -k {_STORE} --with-default-cas --alias corp --file corp-root.pem --storepass-env TRUST_PASS",
            ),
            (
                "pin what a server presents",
                f"ks import -k {_STORE} --alias apm --from-server apm.internal:8200 --expect-sha256 AB:CD:... --storepass-env TRUST_PASS",
            ),
        ),
        description=(
            "Adds trusted certificates, creating the store if it does not exist. FILE may be PEM "
            "(one or many certificates), DER, or PKCS#7 (PEM or DER). One certificate takes alias "
            "A; several take A, A-2, A-3, ... in file order. Without `--alias`, each alias is "
            "derived from the subject's CN (else the SHA-256 prefix), lower-cased, made unique in "
            "the store; a certificate the store already holds under any alias is then reported "
            "unchanged, not added twice.",
            "Idempotent: a certificate already stored under its target alias is left alone; a "
            "different certificate under that alias is exit 5 unless `--replace`. A private key "
            "belongs in a key entry: use `ks bundle-p12`.",
            "With `--from-server`, the server's chain is fetched over TLS (SNI = host) and its "
            "root-most certificate is imported; `--expect-sha256 FP` refuses anything else, and "
            "without it a non-interactive run prints the fingerprint and proceeds only with "
            "`--trust-on-first-use`. `--with-default-cas` seeds a store it creates with the JVM's "
            "default CAs (see `ks where`).",
            "Prints one summary line (`added 3, unchanged 1`); `-v` names every entry.",
            "`--all-jdks` imports into every distinct truststore the host's Java runtimes read "
            "(as `ks where --all` finds them, `--search DIR` adding places), once per real file "
            "and at its real path; the password is the one given, else none for a password-less "
            "PKCS12, else `changeit`. A store that cannot be written is reported and the others "
            "are still written; `--strict` makes that exit 1. Its `--json` is a list of "
            "`{keystore, used_by, changed, added, replaced, unchanged, error, warnings}`.",
        ),
        json='{"keystore": PATH, "changed": bool, "added": [alias, ...], "replaced": [...], "unchanged": [...]}',
    ),
    "bundle-p12": CommandDoc(
        examples=(
            (
                "client certificate + key for a JVM",
                "ks bundle-p12 --cert client.crt --key client.key --chain ca.crt --out keystore.p12 --storepass-env KEY_PASS",
            ),
            (
                "for Java 8 before 8u301",
                "ks bundle-p12 --cert client.crt --key client.key --out keystore.p12 --storepass-env KEY_PASS --legacy",
            ),
        ),
        description=(
            "Bundles a client certificate and its private key (PEM or DER; PKCS#1, SEC1 or "
            "PKCS#8; encrypted or not, with `--key-pass*`) into a PKCS12 keystore with one "
            "private-key entry (default alias `client`). The key must match the certificate "
            "(exit 1 otherwise). Chain certificates are ordered leaf first. The file is created "
            "0600 and replaced atomically; an existing `--out` holding any other entry (or that "
            "the password does not open) stops with exit 5 unless `--replace`, one holding only "
            "this alias is replaced, and one holding exactly this bundle is left alone.",
            "On success it prints the JVM options that use it (`-Djavax.net.ssl.keyStore=...`, "
            "`keyStoreType`, `keyStorePassword=<password>`; the real password only with "
            "`--show-password`). `--target T[,T...]` writes what every named runtime reads (exit 1 "
            "before writing when nothing does); `--legacy` is `--target jdk8`.",
        ),
        json='{"out": PATH, "alias": A, "changed": bool, "entry": ENTRY, "jvm_options": [...]}',
    ),
    "export": CommandDoc(
        examples=(
            (
                "a certificate as PEM",
                f"ks export -k {_STORE} --alias apm --out apm.crt --storepass-env TRUST_PASS",
            ),
            (
                "the whole chain",
                "ks export -k keystore.p12 --alias client --chain --storepass-env KEY_PASS",
            ),
            (
                "the private key too (0600)",
                "ks export -k keystore.p12 --alias client --key --out client-key.pem --storepass-env KEY_PASS",
            ),
        ),
        description=(
            "Writes the entry's certificate (PEM by default) to FILE or stdout. `--key` "
            "additionally writes its private key as unencrypted PKCS#8 PEM, only to `--out` "
            "(created 0600), never to a terminal.",
        ),
    ),
    "delete": CommandDoc(
        examples=(
            ("remove an entry", f"ks delete -k {_STORE} --alias old-ca --storepass-env TRUST_PASS"),
        ),
        description=("Deletes one entry; exit 4 when the alias is not there.",),
        json='{"keystore": PATH, "changed": true, "deleted": A}',
    ),
    "rename": CommandDoc(
        examples=(
            (
                "rename an entry",
                f"ks rename -k {_STORE} --alias apm --to apm-server-cert --storepass-env TRUST_PASS",
            ),
        ),
        description=(
            "Renames one entry (keytool's `-changealias`); exit 5 when the new alias is taken.",
        ),
        json='{"keystore": PATH, "changed": bool, "alias": A, "to": B}',
    ),
    "convert": CommandDoc(
        examples=(
            (
                "JKS to PKCS12",
                "ks convert -k legacy.jks --out modern.p12 --srcstorepass-env OLD --storepass-env NEW",
            ),
            (
                "to a PEM file",
                "ks convert -k keystore.p12 --out keystore.pem --srcstorepass-env PASS --storepass-env PASS",
            ),
        ),
        description=(
            "Copies every entry to a new store of another type (keytool's `-importkeystore`). An "
            "entry the target type cannot hold (a secret key into JKS or PEM) stops the "
            "conversion with exit 1 and names it, unless `--skip-unsupported`. Without "
            "`--storepass*`, the new store gets the source's password (as keytool does) and a "
            "note says so.",
        ),
        json='{"keystore": SRC, "out": DEST, "storetype": T, "copied": [alias, ...], "skipped": [...]}',
    ),
    "fetch": CommandDoc(
        examples=(
            ("what a server presents", "ks fetch apm.internal:8200"),
            ("a URL works too", "ks fetch https://apm.internal:8200/ --out chain.pem"),
        ),
        description=(
            "Prints the chain a TLS server presents (subject, issuer, validity, SHA-256 per "
            "certificate), leaf first, and optionally writes it as PEM. Nothing is verified, so "
            "it works against self-signed servers. The server is `HOST:PORT`, `HOST` (port 443) "
            "or an `https://HOST[:PORT]/` URL. `--servername NAME` overrides SNI (default HOST).",
        ),
        json='{"host": H, "port": P, "chain": [CERT, ...]}',
    ),
    "verify": CommandDoc(
        examples=(
            (
                "would a JVM trust it?",
                f"ks verify apm.internal:8200 --truststore {_STORE} --truststorepass-env TRUST_PASS",
            ),
            (
                "with a client certificate, asking a real JVM too",
                f"ks verify apm.internal:8200 -t {_STORE} -k keystore.p12 --storepass-env KEY_PASS --java /usr/bin/java",
            ),
        ),
        description=(
            "Says whether a JVM using this truststore (and, for client authentication, this "
            "keystore) would complete the TLS handshake with the server: chain built to an "
            "anchor in the truststore, validity, host name. The truststore's password comes from "
            "`--truststorepass*`, the keystore's from `--storepass*`.",
        ),
        json='{"host": H, "port": P, "trusted": bool, "reason": str|null, "chain": [CERT, ...], "anchor": CERT|null, "client_certificate_sent": bool}',
        exit_codes=((1, "a JVM would not complete the handshake (the reason is printed)"),),
    ),
    "where": CommandDoc(
        examples=(
            ("the default truststore", "ks where"),
            ("every JDK on the host", "ks where --all --json"),
            (
                "of another JVM, for a script",
                "ks where --java /usr/lib/jvm/java-17-openjdk-amd64 --json",
            ),
        ),
        description=(
            "Prints the truststore a JVM uses by default: `javax.net.ssl.trustStore` if set "
            "(also in `JAVA_TOOL_OPTIONS`), else `<java.home>/lib/security/jssecacerts` if it "
            "exists, else `<java.home>/lib/security/cacerts`, following symlinks, with the Java "
            "found from `--java`, `JAVA_HOME`, or `java` on `PATH`.",
            "`--all` lists every runtime of the host instead — `JAVA_HOME`, `PATH`, "
            "`/usr/lib/jvm/*`, `/opt/*`, SDKMAN, asdf, `~/.gradle/jdks`, and below each "
            "`--search DIR` — once per real `java.home`, with its version, the truststore it "
            "reads, whether that file is the OS store or shared with other runtimes, and its "
            "health by content (`ok`, `missing`, `dangling-link`, `empty-file`, "
            "`no-certificates`, `wrong-type`, `unreadable`). Its `--json` is "
            '`{"runtimes": [...], "truststores": [...]}` (README, "Every JDK on the host").',
        ),
        json='{"java": PATH, "java_home": PATH, "source": "property"|"jssecacerts"|"cacerts", "path": PATH, "resolved_path": PATH, "exists": bool, "storetype": T|null, "warnings": [...]}',
    ),
    "sync-os-trust": CommandDoc(
        examples=(
            ("rebuild /etc/ssl/certs/java/cacerts from /etc/ssl/certs", "ks sync-os-trust"),
            (
                "what the update-ca-certificates hook runs",
                "ks sync-os-trust --changes - < changes",
            ),
            (
                "a password-less PKCS12 from a bundle",
                "ks sync-os-trust -k cacerts --bundle /etc/ssl/certs/ca-certificates.crt --no-password",
            ),
        ),
        description=(
            "Writes the store Debian's ca-certificates-java writes: JKS, password `changeit`, one "
            "trusted entry `debian:NAME.pem` per `NAME.pem` link of the certificates directory. "
            "`--changes` applies the `+file`/`-file` lines update-ca-certificates gives its hooks "
            "(and drops `debian:` entries whose file is gone); otherwise a full build. Entries "
            "not named `debian:` are kept unless `--prune-manual`. The same certificates give "
            "the same bytes. contrib/ca-certificates/update.d/ks-java-cacerts is the hook.",
        ),
        json='{"keystore": PATH, "mode": "changes"|"full", "storetype": T, "created": bool, "changed": bool, "added": [alias, ...], "replaced": [...], "removed": [...], "unchanged": N, "kept_manual": [...], "skipped": [...]}',
    ),
    "doctor": CommandDoc(
        examples=(
            ("what Java would reject", f"ks doctor -k {_STORE} --storepass-env TRUST_PASS"),
            (
                "which runtimes load it?",
                f"ks doctor -k {_STORE} --storepass-env TRUST_PASS --target jdk11.0.9,jdk17,openssl3.0",
            ),
        ),
        description=(
            "Finds what makes Java reject or ignore entries of a store, each finding with its remedy.",
            "`--target T[,T...]` (jdkN, jdkN.0.U, jdk8uU, opensslX.Y) predicts per runtime whether "
            "it loads the store as ks read it, and what to run when it does not; `--json` adds "
            '`"targets": [{target, loads, problems: [{code, message, aliases}]}]`. '
            "`--target-java N` is `--target jdkN`.",
        ),
        json='{"keystore": PATH, "storetype": T, "findings": [{"severity", "code", "alias", "message", "remedy"}, ...], "java_sees_anchors": N, "targets": [{"target", "loads", "problems": [{"code", "message", "aliases"}]}]}',
        exit_codes=((1, "at least one finding, or a named target does not load the store"),),
    ),
    "apply": CommandDoc(
        examples=(
            ("would anything change?", "ks apply stores.toml --check"),
            ("what would change", "ks apply stores.toml --diff --check"),
            ("make it so", "ks apply stores.toml"),
            (
                "follow mounted certificates, reload on change",
                "ks apply stores.toml --watch --on-change 'kill -HUP 1'",
            ),
        ),
        description=(
            "Makes stores hold what a TOML spec says, idempotently; every store is validated "
            "before any is written. The spec format is in the README. A store's warnings (such "
            "as a key whose `chain` is incomplete) are printed when that store changes, not on "
            "every unchanged run; `-v` repeats them.",
        ),
        json='{"spec": PATH, "check": bool, "changed": bool, "stores": [{"keystore", "storetype", "changed", "created", "added", "replaced", "removed", "unchanged", "password_changed", "mode", "owner", "written"}]}',
        exit_codes=((10, "with `--check`: something would change"),),
    ),
    "check": CommandDoc(
        examples=(
            (
                "expiring within 30 days?",
                "ks check -k truststore.p12 -k keystore.p12 --expires-within 30d",
            ),
            (
                "for node-exporter",
                "ks check -k truststore.p12 --format prometheus > /var/lib/node_exporter/ks.prom",
            ),
        ),
        description=(
            "Reports certificates that have expired or expire within the window, every "
            "certificate of every chain. The store-password options may be repeated: given once, "
            "a password applies to every store; given as many times as `--keystore`, the n-th "
            "applies to the n-th store.",
        ),
        exit_codes=(
            (10, "a certificate expires within the window"),
            (11, "a certificate has expired"),
            (12, "with `--target`: a named runtime will not load a store (none has expired)"),
        ),
        json='{"now": TIME, "expires_within_seconds": N, "ok": bool, "expired": N, "expiring": N, "keystores": [{"keystore", "storetype"}, ...], "certificates": [{"keystore", "alias", "position", "type", "subject", "not_after", "seconds_left", "status"}, ...]}',
    ),
    "genkeypair": CommandDoc(
        examples=(
            (
                "a server key pair",
                "ks genkeypair -k server.p12 --alias server --dname 'CN=svc.example' --san dns:svc.example --storepass-env PASS",
            ),
            (
                "a small CA",
                "ks genkeypair -k ca.p12 --alias ca --dname 'CN=Example CA' --ca --keyalg ec --validity 3650 --storepass-env PASS",
            ),
        ),
        description=(
            "Generates a key pair and a self-signed certificate as a new key entry (keytool's `-genkeypair`).",
        ),
        json='{"keystore": PATH, "entry": ENTRY}',
    ),
    "certreq": CommandDoc(
        examples=(
            (
                "a request for a key entry",
                "ks certreq -k server.p12 --alias server --out server.csr --storepass-env PASS",
            ),
        ),
        description=("Writes a PKCS#10 certificate request (PEM) for a key entry.",),
    ),
    "gencert": CommandDoc(
        examples=(
            (
                "sign a request",
                "ks gencert -k ca.p12 --alias ca --infile server.csr --outfile server.crt --storepass-env PASS",
            ),
        ),
        description=(
            "Signs a certificate request with a key entry and writes the certificate with the CA's chain (PEM).",
        ),
    ),
    "passwd": CommandDoc(
        examples=(
            (
                "a new store password",
                "ks passwd -k keystore.p12 --storepass-env OLD --new-storepass-env NEW",
            ),
            (
                "a password-less truststore",
                f"ks passwd -k {_STORE} --storepass-env OLD --no-new-storepass",
            ),
        ),
        description=(
            "Rewrites a store under a new password (and its JKS/JCEKS key passwords), or under none.",
        ),
        json='{"keystore": PATH, "storetype": T, "changed": bool, "keys_rewrapped": [alias, ...], "warnings": [...]}',
    ),
    "completion": CommandDoc(
        examples=(
            ("bash", "ks completion bash > ~/.local/share/bash-completion/completions/ks"),
            ("zsh", 'ks completion zsh > "${fpath[1]}/_ks"'),
            ("fish", "ks completion fish > ~/.config/fish/completions/ks.fish"),
        ),
        description=("Prints a shell completion script for ks: commands, options and file names.",),
    ),
}


def epilog(name: str) -> str | None:
    """EXAMPLES and EXIT CODES for ``ks NAME --help``, in Click's verbatim paragraphs."""
    doc = COMMAND_DOCS.get(name)
    if doc is None:
        return None
    lines = ["\b", "Examples:"]
    for what, command in doc.examples:
        lines.append(f"  # {what}")
        lines.append(f"  {command}")
    lines += ["", "\b", "Exit codes:"]
    lines.append("  0-5  as every ks command (ks --help)")
    lines.extend(f"  {code:<4} {plain(meaning)}" for code, meaning in doc.exit_codes)
    return "\n".join(lines)


def main_epilog() -> str:
    """The text after ``ks --help``'s commands: global options, exit codes, where to read more."""
    lines = ["\b", "Global options (anywhere on the line):"]
    lines.extend(f"  {name:<11}{what}" for name, what in GLOBAL_OPTIONS)
    lines += ["", "\b", "Exit codes:"]
    lines.extend(f"  {code}  {plain(meaning)}" for code, meaning in EXIT_CODES)
    lines += [
        "",
        "\b",
        "keytool users: 'ks -list -keystore F' works (and says how ks spells it).",
        "Reference: docs/CLI.md and 'man ks'; completion: 'ks completion --help'.",
    ]
    return "\n".join(lines)


def plain(text: str) -> str:
    """Text without the `code` marks, for a terminal."""
    return text.replace("`", "")
