#!/usr/bin/env bash
# The copies in the documents of files and test regions. Every region of
# test code (shell, INI) marked "README:begin NAME" ... "README:end NAME"
# must appear, line for line, in the README: the examples people copy are
# the ones the tests run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0
while IFS= read -r file; do
  for name in $(grep -o 'README:begin [a-z0-9-]*' "$file" | cut -d' ' -f2); do
    snippet=$(awk -v n="$name" '$0 ~ "README:end "n {p=0} p {print} $0 ~ "README:begin "n {p=1}' "$file")
    doc=$(grep -l -F "<!-- example: $name -->" "$root/README.md" "$root"/scenarios/README.md 2>/dev/null | head -1 || true)
    if [ -z "$doc" ]; then
      echo "no document marks <!-- example: $name --> (from $file)"; status=1; continue
    fi
    block=$(awk -v n="$name" 'index($0, "<!-- example: "n" -->") {f=1; next} f && /^```/ {if (in_block) exit; in_block=1; next} f && in_block {print}' "$doc")
    if [ "$block" != "$snippet" ]; then
      echo "$doc: example '$name' differs from $file:"
      diff <(echo "$snippet") <(echo "$block") || true
      status=1
    fi
  done
done < <(grep -rl 'README:begin' "$root/tests" --include='*.cpp' --include='*.sh' --include='*.ini')
# "<!-- example-file: PATH -->" before a block: the block is that file, whole.
for doc in "$root/README.md" "$root/scenarios/README.md"; do
  [ -f "$doc" ] || continue
  for file in $(grep -o '<!-- example-file: [^ ]* -->' "$doc" | cut -d' ' -f3); do
    block=$(awk -v f="$file" 'index($0, "<!-- example-file: "f" -->") {g=1; next} g && /^```/ {if (in_block) exit; in_block=1; next} g && in_block {print}' "$doc")
    if [ "$block" != "$(cat "$root/$file")" ]; then
      echo "$doc: the copy of $file differs from the file:"
      diff <(cat "$root/$file") <(echo "$block") || true
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "README examples match the tested code"
exit $status
