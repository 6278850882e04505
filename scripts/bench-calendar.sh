#!/usr/bin/env bash
# The cost of a business calendar: `show` and `sla` on two identical stores, one whose
# runbook has no calendar and one with a calendar (Europe/Berlin, holidays), both read with
# TZ=UTC, then with the reader in Europe/Berlin too. Runs alternate between the stores so
# machine noise hits both alike; the figure is the ratio (target: at most 1.10).
# Usage: scripts/bench-calendar.sh [N] [ACTIVE]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}; active=${2:-20}
swift build -c release >/dev/null
bin=$(swift build -c release --show-bin-path)/incident
tmp=$(mktemp -d)
export INCIDENT_USER=bench
"$bin" runbook show default --json >"$tmp/default.json"
python3 - "$tmp/default.json" "$tmp/calendar.json" <<'PY'
import json, sys
rb = json.load(open(sys.argv[1]))
rb["calendar"] = {"timeZone": "Europe/Berlin", "holidays": ["2026-12-24", "2026-12-25", "2026-12-31"]}
json.dump(rb, open(sys.argv[2], "w"))
PY
for kind in plain calendar; do
  store="$tmp/$kind"
  if [ "$kind" = plain ]; then INCIDENT_STORE=$store TZ=UTC "$bin" init >/dev/null
  else INCIDENT_STORE=$store TZ=UTC "$bin" init --runbook "$tmp/calendar.json" --time-zone Europe/Berlin >/dev/null; fi
  # A store created by init records the machine's zone; the plain store must have none.
  if [ "$kind" = plain ]; then python3 - "$store/runbook.json" <<'PY'
import json, sys
p = sys.argv[1]; rb = json.load(open(p)); rb.pop("calendar", None)
json.dump(rb, open(p, "w"), indent=2, sort_keys=True)
PY
  fi
  for i in $(seq "$active"); do
    INCIDENT_STORE=$store TZ=UTC "$bin" declare "active $i" -s medium --at 2026-11-20T15:00:00Z >/dev/null 2>&1
  done
done
grep -q timeZone "$tmp/plain/runbook.json" && { echo "plain store has a calendar" >&2; exit 1; }
us() {  # microseconds per run, over N runs
  local start end; start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N); echo $(( (end - start) / n / 1000 ))
}
printf "%-34s %12s %12s %7s\n" "command (N=$n, $active active)" "no calendar" "calendar" "ratio"
for reader in UTC Europe/Berlin; do
  for cmd in "show 1" "sla 1" "sla" "show 1 --json"; do
    p=0; c=0
    for round in 1 2 3 4; do  # interleaved
      # shellcheck disable=SC2086
      p=$(( p + $(INCIDENT_STORE=$tmp/plain TZ=$reader us "$bin" $cmd) ))
      # shellcheck disable=SC2086
      c=$(( c + $(INCIDENT_STORE=$tmp/calendar TZ=$reader us "$bin" $cmd) ))
    done
    printf "%-34s %10d µs %10d µs %7.3f\n" "TZ=$reader $cmd" $((p / 4)) $((c / 4)) "$(echo "$c / $p" | bc -l)"
  done
done
rm -rf "$tmp"
