#!/usr/bin/env bash
# man_page_test.sh MOCKSERVE MANPAGE
# The manual documents every flag that `mockserve --help` lists, and the
# version it names is the command's.
set -euo pipefail
mockserve=$1
page=$2
status=0
for flag in $("$mockserve" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
  escaped=${flag//-/\\-}
  if ! grep -qF -- "$escaped" "$page"; then
    echo "$page does not document $flag"; status=1
  fi
done
version=$("$mockserve" --version | cut -d' ' -f2)
grep -qF "\"mockserve $version\"" "$page" || { echo "$page names another version than mockserve $version"; status=1; }
[ $status -eq 0 ] && echo "the manual documents every flag of mockserve $version"
exit $status
