#!/usr/bin/env bash
# extract_examples.sh OUTDIR DOC...
# Writes each ```cpp block that follows a "<!-- example: NAME -->" line in the
# documents to OUTDIR/NAME.cpp, exactly as shown: the tests compile and run
# these files, so every C++ example in the documentation is a complete unit.
set -euo pipefail
out=$1
shift
mkdir -p "$out"
for doc in "$@"; do
  awk -v out="$out" -v doc="$doc" '
    /<!-- example: [a-z0-9-]+ -->/ { match($0, /example: [a-z0-9-]+/); name = substr($0, RSTART + 9, RLENGTH - 9); next }
    name != "" && !inside && /^```cpp$/ { inside = 1; file = out "/" name ".cpp"; printf "" > file; next }
    name != "" && !inside && /^```/ { name = ""; next }
    inside && /^```$/ { inside = 0; close(file); name = ""; next }
    inside { print >> file }
  ' "$doc"
done
