#!/usr/bin/env bash
# node-forge, a JavaScript PKCS12 writer, installed into $KS_JUDGES/node (the tests run a
# small node script against it; NODE_PATH points there).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v node >/dev/null 2>&1 || apt_install nodejs
command -v npm >/dev/null 2>&1 || apt_install npm
target="$KS_JUDGES/node"
if [ ! -f "$target/node_modules/node-forge/package.json" ]; then
  mkdir -p "$target"
  npm install --silent --no-audit --no-fund --prefix "$target" node-forge@1 >/dev/null
fi
