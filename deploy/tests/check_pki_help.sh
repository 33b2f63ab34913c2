#!/bin/sh
# make-pki.sh --help: the usage block at the top of the script, and none of its code.
set -eu
help=$("$1" --help)
echo "$help" | grep -q '^Usage: make-pki.sh' || { echo "no usage line in: $help" >&2; exit 1; }
if echo "$help" | grep -q 'set -euo'; then echo "--help prints script lines" >&2; exit 1; fi
