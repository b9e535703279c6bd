#!/usr/bin/env bash
# OpenSSL 1.1.1 as a reader for the target matrix: cryptography 36.0.2's wheel bundles it.
# (OpenSSL 3.0 is /usr/bin/openssl; OpenSSL 4 is the project venv's current cryptography.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
venv="$KS_JUDGES/openssl1.1-venv"
if ! "$venv/bin/python" -c 'import cryptography; assert cryptography.__version__ == "36.0.2"' 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --only-binary=:all: "cryptography==36.0.2"
fi
