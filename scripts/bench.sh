#!/usr/bin/env bash
# Speed, as ratios against a floor measured in the same run (the machine is noisy).
# Floor: starting a process that does nothing (/bin/true). Each command runs N times on a
# store with ACTIVE active incidents and ARCHIVED archived ones.
# Usage: scripts/bench.sh [N] [ACTIVE] [ARCHIVED]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}; active=${2:-50}; archived=${3:-500}
swift build -c release >/dev/null
bin=$(swift build -c release --show-bin-path)/incident
store=$(mktemp -d)/store
export INCIDENT_STORE=$store INCIDENT_USER=bench
for i in $(seq "$archived"); do
  id=$($bin declare "archived $i" -s low --at 2026-01-05T10:00:00Z 2>/dev/null)
  $bin resolve "$id" --at 2026-01-05T11:00:00Z >/dev/null; $bin close "$id" --at 2026-01-05T11:01:00Z >/dev/null
done
for i in $(seq "$active"); do $bin declare "active $i" -s high 2>/dev/null >/dev/null; done
time_ms() {  # average milliseconds per run of "$@"
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $(( (end - start) / n / 1000 ))
}
floor=$(time_ms /bin/true)
printf "floor (/bin/true): %d µs per run; store: %d active, %d archived\n" "$floor" "$active" "$archived"
printf "%-28s %10s %8s\n" command "µs/run" "× floor"
for cmd in "--version" "note 1 bench-entry" "show 1" "sla 1" "list" "sla" "list --all" "timeline 1" "postmortem 1" "verify 1"; do
  # shellcheck disable=SC2086
  us=$(time_ms $bin $cmd)
  printf "%-28s %10d %8.1f\n" "$cmd" "$us" "$(echo "$us / $floor" | bc -l)"
done
