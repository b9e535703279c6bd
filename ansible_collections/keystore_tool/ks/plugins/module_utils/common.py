# Copyright: keystore_tool developers
# MIT License (see the repository's LICENSE terms in pyproject.toml)
"""What the keystore_tool modules share: importing the library on the managed host, turning
its errors into one-line failures, and entry lists for diff mode (fingerprints, never keys)."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    from keystore_tool.errors import KsError
    from keystore_tool.password import Password
except ImportError:
    HAS_KEYSTORE_TOOL = False
    KEYSTORE_TOOL_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_KEYSTORE_TOOL = True
    KEYSTORE_TOOL_IMPORT_ERROR = None


def require_keystore_tool(module):
    """Fails the task when the managed host's Python cannot import keystore_tool."""
    if not HAS_KEYSTORE_TOOL:
        module.fail_json(
            msg=missing_required_lib(
                "keystore_tool (pip install keystore_tool into the Python that "
                "ansible_python_interpreter names)"
            ),
            exception=KEYSTORE_TOOL_IMPORT_ERROR,
        )


def password_of(text):
    """A library Password, or None for a password-less store."""
    return None if text is None else Password(text)


def one_line(text):
    return " ".join(str(text).split())


def fail_with(module, where, exc, **result):
    """Ends the task with the error as one line naming the store. KsError messages never
    hold a password; anything else is reported by type and message only (no traceback, whose
    frames could show option values), and Ansible masks every no_log value in it anyway."""
    if isinstance(exc, KsError):
        message = one_line(exc.message)
        if where not in message:
            message = f"{where}: {message}"
        module.fail_json(msg=message, exit_code=exc.exit_code, **result)
    module.fail_json(
        msg=f"{where}: unexpected {type(exc).__name__}: {one_line(exc)}", exit_code=1, **result
    )


def entry_lines(entries):
    """``alias  SHA-256`` lines, sorted as keytool lists them, for diff mode."""
    return "".join(f"{alias}  {sha256}\n" for alias, sha256 in sorted(entries, key=_alias_order))


def _alias_order(item):
    return item[0].lower()
