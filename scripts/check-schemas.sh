#!/usr/bin/env bash
# Validates real output against schemas/ (JSON Schema draft 2020-12) with Python's
# jsonschema: every --json command of a scripted session, the store's incident files, the
# payload a hook receives, and the shipped runbooks. Run by .ci/run after `swift build`.
#   scripts/check-schemas.sh [path/to/incident]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "$(dirname "${1:-.build/debug/incident}")" && pwd)/$(basename "${1:-.build/debug/incident}")
python3 -c 'import jsonschema' || { echo "check-schemas: python3 -m pip install jsonschema" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export INCIDENT_STORE="$work/store" INCIDENT_USER=alice HOME="$work/home"
out="$work/out"; mkdir -p "$out"
n=0
# j SCHEMA ARGS...: run `incident ARGS --json`, keep stdout for SCHEMA (exit 0 or 8 expected).
j() {
  local schema=$1; shift
  n=$((n + 1))
  local status=0
  "$BIN" "$@" --json > "$out/$n.$schema.json" 2>>"$work/stderr" || status=$?
  if [[ $status -ne 0 && $status -ne 8 ]]; then
    echo "check-schemas: 'incident $*' failed ($status): $(tail -1 "$work/stderr")" >&2; exit 1
  fi
}

j init init
mkdir -p "$INCIDENT_STORE/hooks" "$work/payloads"
cat > "$INCIDENT_STORE/hooks/any" <<EOF
#!/bin/sh
cat > "$work/payloads/\$INCIDENT_EVENT-\$\$.json"
EOF
chmod +x "$INCIDENT_STORE/hooks/any"
j hooks-trust hooks trust
j hooks hooks
j incident declare 'Checkout <b>500s</b>' --severity high --started-at 2026-11-23T13:50:00Z --at 2026-11-23T14:05:00Z --public-title 'Payments failing'
j incident ack 1 --at 2026-11-23T14:09:00Z
j incident assign 1 ic bob --at 2026-11-23T14:10:00Z
j incident severity 1 critical --reason 'all regions' --at 2026-11-23T14:12:00Z
j incident note 1 --kind decision 'Roll back' --at 2026-11-23T14:15:00Z
j comms comms 1 status-page --record --at 2026-11-23T14:20:00Z
j incident phase 1 --at 2026-11-23T14:25:00Z
printf 'log\n' > "$work/lb.log"
j incident evidence add 1 "$work/lb.log" --note 'lb log' --at 2026-11-23T14:26:00Z
j incident evidence transfer 1 E1 --to forensics --at 2026-11-23T14:27:00Z
j incident contain 1 --at 2026-11-23T14:30:00Z
j incident action add 1 'Canary deploys' --owner bob --due 2026-11-25T00:00:00Z --at 2026-11-23T14:31:00Z
j incident resolve 1 --summary 'rolled back' --at 2026-11-23T15:00:00Z
j incident declare 'Disk alarm' --severity low --at 2026-11-24T09:00:00Z
j incident declare 'Tabletop' --severity high --drill --at 2026-11-24T10:00:00Z
j incident show 1
j incident public-title 2 'Slow uploads' --at 2026-11-24T09:05:00Z
j list list --all
j sla sla
j sla sla 1
j sla sla --fail-on breached
j timeline timeline 1
j checklist checklist 1
j actions actions
j drills drills
j stats stats
j evidence-list evidence list 1
j evidence-verify evidence verify 1
j verify verify
j verify verify 1
j doctor doctor
j runbook-list runbook list
j runbook runbook show
j postmortem postmortem 1
j postmortem postmortem 1 --output "$work/pm.md"
j export export 1 --html --output "$work/inc1.html"
j export export 1 --html
j status-page status-page --output "$work/site"
j report report
j report report --by severity --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z
j tick tick --at 2026-11-24T12:00:00Z
j tick tick --at 2026-11-24T12:01:00Z
j hooks-test hooks test any 1
"$BIN" postmortem 1 --publish >/dev/null 2>&1
"$BIN" close 2 --force --reason 'schema check' --at 2026-11-24T12:00:00Z >/dev/null 2>&1

python3 - "$out" "$work" "$INCIDENT_STORE" <<'PY'
import glob, json, os, sys
from jsonschema import Draft202012Validator
out, work, store = sys.argv[1:4]
schemas = {}
for path in glob.glob("schemas/*.schema.json"):
    s = json.load(open(path))
    Draft202012Validator.check_schema(s)
    schemas[os.path.basename(path)[:-len(".schema.json")]] = Draft202012Validator(s, format_checker=Draft202012Validator.FORMAT_CHECKER)
checked = {}
def check(name, doc, where):
    errors = sorted(schemas[name].iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        print(f"check-schemas: {where} does not match schemas/{name}.schema.json at /{'/'.join(map(str, e.absolute_path))}: {e.message}", file=sys.stderr)
        sys.exit(1)
    checked[name] = checked.get(name, 0) + 1
for path in sorted(glob.glob(f"{out}/*.json"), key=lambda p: int(os.path.basename(p).split(".")[0])):
    name = os.path.basename(path).split(".", 1)[1][:-len(".json")]
    check(name, json.load(open(path)), os.path.basename(path))
payloads = glob.glob(f"{work}/payloads/*.json")
if len(payloads) < 10: print(f"check-schemas: only {len(payloads)} hook payloads were captured", file=sys.stderr); sys.exit(1)
for path in payloads: check("hook-payload", json.load(open(path)), "hook payload " + os.path.basename(path))
files = glob.glob(f"{store}/active/*.json") + glob.glob(f"{store}/archive/*/*.json")
if len(files) < 3: print(f"check-schemas: only {len(files)} incident files", file=sys.stderr); sys.exit(1)
for path in files: check("incident-file", json.load(open(path)), path)
for path in sorted(glob.glob("runbooks/*.json")): check("runbook", json.load(open(path)), path)
check("runbook", json.load(open(f"{store}/runbook.json")), "the store's runbook.json")
unused = sorted(set(schemas) - set(checked))
if unused: print(f"check-schemas: no real output was checked against: {', '.join(unused)}", file=sys.stderr); sys.exit(1)
print("check-schemas: " + ", ".join(f"{k} ×{v}" for k, v in sorted(checked.items())) + " match schemas/")
PY
