# Judges of ks' shell completion and man pages: bash, zsh and fish load the generated
# completion scripts; man-db and groff render the man pages (`man -l`).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
apt_install zsh fish man-db groff-base
