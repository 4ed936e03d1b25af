#!/usr/bin/env bash
# Every server binary and tool answers --help with its own flags and what they mean, and
# names the files that define them by their place in the repository, never by the build
# machine's paths (--helpfull too).
#   usage: help_test.sh BINARY FLAG [BINARY FLAG ...]   (FLAG: one flag the binary must list)
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
while [ $# -ge 2 ]; do
  binary=$1 flag=$2
  shift 2
  name=$(basename "$binary")
  help=$("$binary" --help 2>&1 || true)
  grep -q -- "-$flag" <<<"$help" || fail "$name --help does not list --$flag: $help"
  grep -q "No flags matched" <<<"$help" && fail "$name --help: no flags matched"
  full=$("$binary" --helpfull 2>&1 || true)
  grep -q "$PWD\|/work/\|/build/\|/tmp/" <<<"$full" && fail "$name --helpfull names a build path: $(grep -m1 "/" <<<"$full")"
  echo "$name --help lists --$flag"
done
