#!/usr/bin/env bash
# Cost of git stores, measured as whole processes in one run:
#   1. a write (note) in a plain store vs the same write in a git store (commit per write);
#   2. 'incident sync' of a 1,000-incident store where 5 incidents changed on each side.
# Usage: scripts/bench-git.sh [path/to/incident]   (default: .build/release/incident, else debug)
set -euo pipefail
BIN=${1:-}
if [ -z "$BIN" ]; then
  if [ -x .build/release/incident ]; then BIN=$PWD/.build/release/incident; else BIN=$PWD/.build/debug/incident; fi
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export HOME=$W/home INCIDENT_USER=bench GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name Bench; git config --global user.email bench@example.com
git config --global init.defaultBranch main; git config --global protocol.file.allow always
ms() { date +%s%N; }
N=${N:-30}

# 1. Writes.
"$BIN" --store "$W/plain" declare "bench" -s high >/dev/null 2>&1
"$BIN" --store "$W/git" init --git >/dev/null 2>&1
"$BIN" --store "$W/git" declare "bench" -s high >/dev/null 2>&1
for round in 1 2; do
  t0=$(ms); for i in $(seq $N); do "$BIN" --store "$W/plain" note 1 "entry $i" >/dev/null 2>&1; done; t1=$(ms)
  for i in $(seq $N); do "$BIN" --store "$W/git" note 1 "entry $i" >/dev/null 2>&1; done; t2=$(ms)
done
plain=$(( (t1 - t0) / N / 1000 )); git=$(( (t2 - t1) / N / 1000 ))
echo "write (note), plain store: ${plain} us per command"
echo "write (note), git store:   ${git} us per command (commit included)"
awk -v a="$plain" -v b="$git" 'BEGIN { printf "ratio git/plain: %.2f\n", b / a }'
test "$(git -C "$W/git" rev-list --count HEAD)" -ge $((2 * N + 2))

# 2. Sync of 1,000 incidents, 5 changed on each side.
git init -q --bare "$W/remote.git"
"$BIN" --store "$W/a" declare "incident 1" -s low >/dev/null 2>&1
python3 - "$W/a" <<'PY'
import json, sys, os
root = sys.argv[1]
src = json.load(open(f"{root}/active/INC-1.json"))
for n in range(2, 1001):
    src["id"] = f"INC-{n}"
    src["state"]["id"] = f"INC-{n}"
    with open(f"{root}/active/INC-{n}.json", "w") as f:
        json.dump(src, f, indent=2, sort_keys=True); f.write("\n")
    os.chmod(f"{root}/active/INC-{n}.json", 0o600)
PY
"$BIN" --store "$W/a" init --git --remote "$W/remote.git" >/dev/null 2>&1
"$BIN" --store "$W/a" sync >/dev/null 2>&1
git clone -q "$W/remote.git" "$W/b"
"$BIN" --store "$W/b" list >/dev/null 2>&1
for i in 11 12 13 14 15; do "$BIN" --store "$W/a" note $i "from a" >/dev/null 2>&1; done
for i in 21 22 23 24 25; do "$BIN" --store "$W/b" note $i "from b" >/dev/null 2>&1; done
"$BIN" --store "$W/b" sync >/dev/null 2>&1
t0=$(ms); out=$("$BIN" --store "$W/a" sync 2>&1); t1=$(ms)
echo "sync of 1,000 incidents, 5 changed on each side: $(( (t1 - t0) / 1000000 )) ms"
echo "  $out" | head -3
test "$(ls "$W/a/active" | wc -l)" -eq 1000
