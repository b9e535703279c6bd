"""keytool's spelling of a command line turned into ks' own, before Typer sees it.

``ks -list -keystore F -storepass P`` (keytool's words), ``ks keytool -- -list ...`` (the
explicit form) and ``ks list -keystore F`` (a ks command with keytool's options) all become
``ks list --keystore F --storepass P``; the caller prints the ks spelling as a note. A keytool
word ks has no counterpart for is refused with what to do instead: never guessed at, and never
read as a cluster of short options (``-keystore`` as ``-k eystore``).
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass

from keystore_tool.errors import UsageError

# keytool verb (dash or none) → ks command.
VERBS: dict[str, str] = {
    "list": "list",
    "importcert": "import",
    "import": "import",
    "exportcert": "export",
    "export": "export",
    "importkeystore": "convert",
    "delete": "delete",
    "changealias": "rename",
    "storepasswd": "passwd",
    "genkeypair": "genkeypair",
    "genkey": "genkeypair",
    "certreq": "certreq",
    "gencert": "gencert",
    "printcert": "fetch",
}

REFUSED_VERBS: dict[str, str] = {
    "keypasswd": "'ks passwd --new-entry-pass' changes key passwords with the store's",
    "genseckey": "ks does not generate secret keys; keytool -genseckey writes a JCEKS or PKCS12 ks can read",
    "importpass": "ks does not store passwords as secret keys",
    "printcertreq": "'openssl req -in FILE -noout -text' prints a request",
    "gencrl": "ks does not issue CRLs",
    "printcrl": "'openssl crl -in FILE -noout -text' prints a CRL",
    "showinfo": "'ks where' shows the JVM's truststore",
    "keyclone": "'ks export --key' and 'ks bundle-p12' copy a key entry",
    "selfcert": "'ks genkeypair' makes a self-signed certificate",
    "identitydb": "ks does not read identity databases",
}

# keytool options that take a value (the next word); the rest are flags.
_VALUED = frozenset(
    [
        "keystore",
        "storepass",
        "alias",
        "file",
        "storetype",
        "keypass",
        "destkeystore",
        "srckeystore",
        "deststorepass",
        "srcstorepass",
        "new",
        "dname",
        "keyalg",
        "keysize",
        "validity",
        "deststoretype",
        "srcstoretype",
        "destalias",
        "srcalias",
        "infile",
        "outfile",
        "sslserver",
        "ext",
        "sigalg",
        "startdate",
        "providername",
        "providerclass",
        "providerarg",
        "providerpath",
        "srckeypass",
        "destkeypass",
        "jarfile",
        "addprovider",
        "groupname",
        "srcprovidername",
        "destprovidername",
    ]
)

# Options spelled the same way (with two dashes) by every command that takes them.
_COMMON: dict[str, str] = {
    "keystore": "--keystore",
    "storepass": "--storepass",
    "alias": "--alias",
    "storetype": "--storetype",
    "keypass": "--entry-pass",
    "dname": "--dname",
    "keyalg": "--keyalg",
    "keysize": "--keysize",
    "validity": "--validity",
    "infile": "--infile",
    "outfile": "--outfile",
    "help": "--help",
    "noprompt": "",  # ks never prompts when stdin is not a terminal
    "trustcacerts": "",  # ks imports a CA certificate without asking
}

# Per ks command: keytool option → ks option ("" = dropped: ks does it anyway).
_BY_COMMAND: dict[str, dict[str, str]] = {
    "import": {"file": "--file"},
    "export": {"file": "--out", "rfc": ""},
    "convert": {
        "srckeystore": "--keystore",
        "destkeystore": "--out",
        "srcstorepass": "--srcstorepass",
        "deststorepass": "--storepass",
        "deststoretype": "--to",
        "srcstoretype": "",
        "srckeypass": "--entry-pass",
    },
    "rename": {"destalias": "--to"},
    "passwd": {"new": "--new-storepass"},
    "certreq": {"file": "--out"},
    "gencert": {"rfc": ""},
    "fetch": {"sslserver": "", "rfc": ""},
}

# keytool options refused with what ks does instead, whatever the command.
_REFUSED: dict[str, str] = {
    "cacerts": "name the file with --keystore ('ks where' prints the JVM's cacerts)",
    "rfc": "'ks show --pem' prints an entry's certificates as PEM",
    "protected": "ks takes passwords from --storepass-env or --storepass-file instead",
    "srcalias": "'ks convert' copies every entry; 'ks export' one",
    "destalias": "give the new alias with 'ks rename --to'",
    "ext": "give extensions with --san, --key-usage, --ext-key-usage and --ca",
    "sigalg": "ks signs with SHA-256 (RSA, EC) or Ed25519, by the key's type",
    "startdate": "ks certificates start now",
    "destkeypass": "the new store's key entries take its store password",
    "file": "this command has no -file: see its --help",
    "new": "'ks passwd --new-storepass' changes a store password",
}
for _name in ["providername", "providerclass", "providerarg", "providerpath", "addprovider"]:
    _REFUSED[_name] = "ks has no JCA providers; it reads JKS, JCEKS, PKCS12 and PEM itself"

# Values of these options are passwords: never translated, never shown in the note.
_SECRET_OPTIONS = frozenset(
    [
        "--storepass",
        "--srcstorepass",
        "--truststorepass",
        "--new-storepass",
        "--entry-pass",
        "--new-entry-pass",
        "--key-pass",
    ]
)


@dataclass(frozen=True)
class Translation:
    """The command line ks runs, and the note that says so (``None``: nothing translated)."""

    args: list[str]
    note: str | None


def translate(args: list[str], commands: Container[str]) -> Translation:
    """ks' own spelling of ``args``, which may be keytool's; ``commands`` are ks' command names."""
    explicit = args[:1] == ["keytool"]
    if explicit:
        rest = args[1:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        verb_at = next((i for i, a in enumerate(rest) if a[:1] == "-" and _verb(a)), None)
        if verb_at is None:
            raise UsageError(
                "'ks keytool' needs a keytool command such as -list or -importcert after it"
            )
        return _keytool_line(rest, verb_at)
    if args and args[0] in commands:
        return _ks_line(args[0], args[1:])
    verb_at = next(
        (i for i, a in enumerate(args) if (i == 0 or a[:1] == "-") and _verb(a) is not None),
        None,
    )
    if verb_at is None:
        return Translation(args, None)
    return _keytool_line(args, verb_at)


def _verb(word: str) -> str | None:
    name = word[1:] if word.startswith("-") and not word.startswith("--") else word
    if name in REFUSED_VERBS:
        raise UsageError(f"keytool's -{name} has no ks counterpart: {REFUSED_VERBS[name]}")
    return name if name in VERBS else None


def _keytool_line(args: list[str], verb_at: int) -> Translation:
    verb = _verb(args[verb_at])
    assert verb is not None
    command = VERBS[verb]
    rest = args[:verb_at] + args[verb_at + 1 :]
    options = set(_option_names(rest))
    if command == "fetch" and "sslserver" not in options:
        raise UsageError(
            "keytool's -printcert prints a file; ks prints a server's chain with "
            "'ks fetch HOST:PORT' (-printcert -sslserver) and a stored one with 'ks show'"
        )
    translated = _ks_options(command, rest)
    if command == "export" and "rfc" not in options:
        translated.append("--der")  # keytool -exportcert writes DER unless -rfc
    return _noted([command, *translated])


def _ks_line(command: str, rest: list[str]) -> Translation:
    translated = _ks_options(command, rest)
    if translated == rest:
        return Translation([command, *rest], None)
    return _noted([command, *translated])


def _option_names(words: list[str]) -> list[str]:
    return [w[1:].split(":")[0] for w in words if _is_keytool_option(w)]


def _is_keytool_option(word: str) -> bool:
    return len(word) > 2 and word[0] == "-" and word[1] != "-" and word[1:2].isalpha()


def _ks_options(command: str, words: list[str]) -> list[str]:
    out: list[str] = []
    rest = iter(words)
    for word in rest:
        if word in _SECRET_OPTIONS or (word.startswith("--") and word.endswith(("-env", "-file"))):
            # A ks option that takes a secret: its value is passed on untouched.
            out.append(word)
            out.extend(_next(rest))
        elif _is_keytool_option(word):
            out.extend(_translated_option(command, word, rest))
        else:
            out.append(word)
    return out


def _next(words: Iterator[str]) -> list[str]:
    return [word for word in (next(words, None),) if word is not None]


def _translated_option(command: str, word: str, rest: Iterator[str]) -> list[str]:
    """ks' words for one keytool option (taking its value from ``rest``)."""
    name, _, modifier = word[1:].partition(":")
    ks_name = _ks_name(command, name, modifier)
    if ks_name is None:
        return [word]  # not keytool's: Typer says what is wrong with it
    value = None
    if name in _VALUED:
        taken = _next(rest)
        if not taken:
            raise UsageError(f"keytool's -{name} needs a value")
        value = taken[0]
    if command == "fetch" and name == "sslserver":
        return [value or ""]
    if not ks_name:
        return []
    return [ks_name] if value is None else [ks_name, value]


def _ks_name(command: str, name: str, modifier: str) -> str | None:
    """The ks option for keytool's ``-name[:modifier]`` in ``command`` ("" when ks needs none);
    None for a word keytool does not know either."""
    ks_name = _BY_COMMAND.get(command, {}).get(name, _COMMON.get(name))
    if ks_name is None:
        if name in _REFUSED:
            raise UsageError(
                f"keytool's -{name} has no 'ks {command}' counterpart: {_REFUSED[name]}"
            )
        if name in _VALUED or name in _FLAGS:
            raise UsageError(
                f"keytool's -{name} has no 'ks {command}' counterpart; see 'ks {command} --help'"
            )
        return None
    if modifier:
        if modifier not in ("env", "file") or not ks_name.endswith(("pass", "storepass")):
            raise UsageError(f"keytool's -{name}:{modifier} is not understood")
        ks_name = f"{ks_name}-{modifier}"
    return ks_name


_FLAGS = frozenset(
    [
        "rfc",
        "v",
        "noprompt",
        "trustcacerts",
        "protected",
        "cacerts",
        "srcprotected",
        "destprotected",
    ]
)


def _noted(args: list[str]) -> Translation:
    shown: list[str] = []
    hide_next = False
    for word in args:
        name, equals, _ = word.partition("=")
        if hide_next:
            shown.append("***")
        elif equals and name in _SECRET_OPTIONS:
            shown.append(f"{name}=***")  # --storepass=VALUE hides its value too
        else:
            shown.append(_quoted(word))
        hide_next = word in _SECRET_OPTIONS
    return Translation(args, f"running it as ks spells it: ks {' '.join(shown)}")


def _quoted(word: str) -> str:
    if word and all(c.isalnum() or c in "-_./:=@,+%" for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"
