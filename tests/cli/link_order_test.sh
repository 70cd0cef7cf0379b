#!/usr/bin/env bash
# link_order_test.sh MOCKSERVE LINK_ORDER_LD
# The command is laid out as mockserver/cli/link_order.ld says (see
# ci/link-order): most of the sections it names still exist and sit in
# .text.ordered, at the front of the code, or .rodata.ordered; a list gone
# stale leaves an idle server's code and constants scattered again (more
# resident memory, a slower start) without failing anything else. And the
# command loads libc alone (no libm: see mockserver/CMakeLists.txt).
set -euo pipefail
mockserve=$1
script=$2
map=$mockserve.map
status=0
[ -f "$map" ] || { echo "no link map at $map"; exit 1; }
# In the map, each of the script's lines is echoed (" *(SECTION)") and
# followed by the input sections it took (" .SECTION"), if any.
read -r named placed < <(awk '
  /^[^ ]/ { inside = ($1 == ".text.ordered" || $1 == ".rodata.ordered"); next }
  inside && /^ \*/ && !/^ \*fill\*/ { named++; waiting = 1; next }
  inside && /^ \./ && waiting { placed++; waiting = 0 }
  END { print named + 0, placed + 0 }' "$map")
listed=$(grep -c '^    \*' "$script")
echo "$script lists $listed sections; the link placed $placed of the $named it read in .text.ordered and .rodata.ordered"
if [ "$named" -ne "$listed" ]; then
  echo "the link did not read $script whole ($named of $listed lines)"; status=1
elif [ $((placed * 100)) -lt $((listed * 85)) ]; then
  echo "over 15 % of the sections $script names are gone: run ci/link-order (see its header)"; status=1
fi
first=$(readelf -S -W "$mockserve" | sed -n 's/.*\] \(\.text[^ ]*\).*/\1/p' | head -1)
[ "$first" = ".text.ordered" ] || { echo "the command's first code section is $first, not .text.ordered"; status=1; }
needed=$(readelf -d "$mockserve" | awk '/NEEDED/ { gsub(/[\[\]]/, "", $5); print $5 }' | sort | tr '\n' ' ')
[ "$needed" = "ld-linux-x86-64.so.2 libc.so.6 " ] || { echo "the command loads $needed(libc and the loader only, expected)"; status=1; }
exit $status
