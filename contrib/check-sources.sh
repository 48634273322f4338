#!/bin/sh
# Source checks the compiler does not make: banned functions and
# header self-containment are part of the house rules.
set -eu
cd "$(dirname "$0")/.."
status=0
files=$(find src modules contrib t -name '*.[ch]' -not -path '*/build*')
# shellcheck disable=SC2086
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets)[[:space:]]*\(' $files \
    | grep -vE '\b(snprintf|vsnprintf)\('; then
    echo "check-sources: banned function (use snprintf, dfx_buf_*)" >&2
    status=1
fi
# shellcheck disable=SC2086
if grep -nP '\t' $files >/dev/null 2>&1; then
    grep -lP '\t' $files | sed 's/^/check-sources: tab in /' >&2
    status=1
fi
exit $status
