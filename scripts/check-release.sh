#!/usr/bin/env bash
# The README's install build, checked: builds `incident` exactly as the Set-up section says,
# checks that on Linux it is a static executable (no dynamic loader, no shared library), and
# walks an incident from declare to resolve with it in a temporary store, including the
# login name (no --as, INCIDENT_USER or USER) and, as root, a uid the password file does not
# know: a static C library resolves users differently. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" = Linux ]; then flags=(-c release -Xswiftc -static-executable); else flags=(-c release); fi
echo "check-release: swift build ${flags[*]} --product incident" >&2
swift build "${flags[@]}" --product incident >/dev/null 2>/tmp/check-release-build.$$ || {
  cat /tmp/check-release-build.$$ >&2; rm -f /tmp/check-release-build.$$; exit 1; }
rm -f /tmp/check-release-build.$$
bin="$(swift build "${flags[@]}" --show-bin-path)/incident"

fail() { echo "check-release: $*" >&2; exit 1; }

if [ "$(uname -s)" = Linux ]; then
  if readelf -lW "$bin" | grep -q 'INTERP'; then fail "$bin asks for a dynamic loader: it is not a static executable"; fi
  if readelf -dW "$bin" 2>/dev/null | grep -q 'NEEDED'; then fail "$bin needs shared libraries"; fi
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() { env -i PATH=/usr/bin:/bin HOME="$dir" INCIDENT_STORE="$dir/store" NO_COLOR=1 "$bin" "$@"; }

"$bin" --version | grep -q '^incident ' || fail "--version printed no version"
id=$(run declare "Release check" --severity high --as alice 2>/dev/null) || fail "declare failed"
[ "$id" = INC-1 ] || fail "declare printed '$id', not INC-1"
run ack "$id" --as alice >/dev/null || fail "ack failed"
# No INCIDENT_USER, USER or LOGNAME: the author comes from the user database.
run note "$id" "written by the login name" >/dev/null || fail "a note without --as failed"
author=$(id -un)
run timeline "$id" | grep -q "$author: written by the login name" || fail "the note's author is not the login name '$author'"
# A user the password file does not know (LDAP, sssd, a container's arbitrary uid): the
# static C library must not be asked (its NSS modules can crash it); the author is USER.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
  chmod -R a+rwX "$dir"
  env -i PATH=/usr/bin:/bin HOME="$dir" INCIDENT_STORE="$dir/store" NO_COLOR=1 USER=ghost \
    setpriv --reuid=54321 --regid=54321 --clear-groups "$bin" note "$id" "from an unknown uid" >/dev/null \
    || fail "a note by a uid with no password entry failed (exit $?)"
  run timeline "$id" | grep -q "ghost: from an unknown uid" || fail "the unknown uid's note is not by USER (ghost)"
else
  echo "check-release: not root (or no setpriv): the unknown-uid check did not run" >&2
fi
run show "$id" | grep -q 'Release check' || fail "show did not show the incident"
run list | grep -q "$id" || fail "list did not list the incident"
run sla >/dev/null || fail "sla failed"
run verify >/dev/null || fail "verify found a problem in a store this binary wrote"
run resolve "$id" --summary "fixed" --as alice >/dev/null || fail "resolve failed"
# A bad argument still gets one sentence and its exit code from the static binary.
set +e; run show INC-99 2>"$dir/err" >/dev/null; code=$?; set -e
[ "$code" = 3 ] || fail "show of an unknown incident exited $code, not 3"
[ "$(wc -l <"$dir/err")" = 1 ] || fail "show of an unknown incident printed more than one line on stderr"
echo "check-release: $bin is a working release build ($(du -h "$bin" | cut -f1))" >&2
