#!/usr/bin/env bash
# Renders the HTML export, the metrics report and the status page in headless Chromium,
# checks the DOM the browser built (not our own text), and saves screenshots to
# docs/screenshots/. Run by .ci/run after `swift build`.
#   scripts/check-html.sh [path/to/incident]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/incident}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $CHROMIUM ]]; then echo "check-html: chromium is not installed" >&2; exit 1; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export INCIDENT_STORE="$work/store" INCIDENT_USER=alice HOME="$work/home"
inc() { "$BIN" "$@"; }

# A demo incident: hostile title, back-filled entries, a breached and a met deadline,
# comms, evidence with custody, an action item; a second, internal-only incident; a drill.
inc declare '<script>alert(1)</script> Checkout 500s' --severity high --started-at 2026-11-23T13:50:00Z \
    --at 2026-11-23T14:05:00Z --public-title 'Card payments failing for some customers' \
    --summary '5% of card payments fail in eu-west' >/dev/null 2>&1
inc ack 1 --at 2026-11-23T15:20:00Z >/dev/null
inc assign 1 ic 'Dana Internal-Name' --at 2026-11-23T15:21:00Z >/dev/null
inc assign 1 comms carol --at 2026-11-23T15:22:00Z >/dev/null
inc note 1 'Deploy of payments v1.5 finished' --at 2026-11-23T13:45:00Z >/dev/null
inc note 1 'PLANTED-INTERNAL-NOTE: the DB password was pasted in #ops' --at 2026-11-23T15:25:00Z >/dev/null
inc note 1 --kind decision 'Roll back to v1.4.2 rather than hot-fix' --at 2026-11-23T15:30:00Z >/dev/null
inc comms 1 status-page --record --at 2026-11-23T15:32:00Z >/dev/null 2>&1
printf 'GET /checkout 500\n' > "$work/lb.log"
inc evidence add 1 "$work/lb.log" --note 'load balancer log' --at 2026-11-23T15:35:00Z >/dev/null
inc evidence transfer 1 E1 --to forensics --at 2026-11-23T15:40:00Z >/dev/null
inc contain 1 --summary 'Rolled back' --at 2026-11-23T15:50:00Z >/dev/null
inc resolve 1 --summary 'Error rate at baseline' --at 2026-11-23T16:30:00Z >/dev/null
inc action add 1 'Canary payments deploys' --owner bob --due 2026-12-01T00:00:00Z --term long --at 2026-11-23T16:40:00Z >/dev/null
inc declare 'Internal-only disk alarm' --severity low --at 2026-11-24T09:00:00Z >/dev/null 2>&1
inc ack 2 --at 2026-11-24T09:20:00Z >/dev/null
inc declare 'Login latency' --severity medium --started-at 2026-11-25T08:00:00Z --at 2026-11-25T08:10:00Z >/dev/null 2>&1
inc ack 3 --at 2026-11-25T08:30:00Z >/dev/null
inc resolve 3 --at 2026-11-25T11:00:00Z >/dev/null
inc declare 'Tabletop: region loss' --severity critical --drill --public-title 'Drill' --at 2026-11-26T10:00:00Z >/dev/null 2>&1

out="$work/out"
mkdir -p "$out"
inc export 1 --html --output "$out/export.html" --at 2026-11-23T17:00:00Z >/dev/null
inc report --by severity --html --output "$out/report.html" --at 2026-11-27T00:00:00Z >/dev/null
inc status-page --output "$out/status" --at 2026-11-24T10:00:00Z --title 'Acme status' >/dev/null
inc show 1 --json > "$out/show.json"

render() {  # file -> DOM on stdout
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
      --dump-dom "file://$1" 2>/dev/null
}
shoot() {   # file png width height
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
      --hide-scrollbars --window-size="$3,$4" --screenshot="$2" "file://$1" >/dev/null 2>&1
  [[ -s $2 ]] || { echo "check-html: no screenshot $2" >&2; exit 1; }
}
render "$out/export.html" > "$out/export.dom"
render "$out/report.html" > "$out/report.dom"
render "$out/status/index.html" > "$out/status.dom"

python3 - "$out" <<'PY'
import json, sys
from html.parser import HTMLParser
out = sys.argv[1]

class DOM(HTMLParser):
    """Collects elements (tag, attrs) and the text inside each element with an id or class."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.text, self.stack = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag not in ("br", "meta", "link", "input", "img", "hr", "wbr", "source"):
            self.stack.append((tag, a, len(self.text)))
    def handle_endtag(self, tag):
        if not any(t == tag for t, _, _ in self.stack): return
        while self.stack:
            t, a, start = self.stack.pop()
            if t == tag:
                if a.get("id"): self.named.setdefault(a["id"], "".join(self.text[start:]))
                break
    def handle_data(self, data): self.text.append(data)
    named = {}

def parse(name):
    d = DOM(); d.named = {}
    d.feed(open(f"{out}/{name}", encoding="utf-8").read())
    return d

def fail(msg):
    print(f"check-html: {msg}", file=sys.stderr); sys.exit(1)

export = parse("export.dom")
tags = [t for t, _ in export.elements]
if "script" in tags: fail("the export contains a <script> element")
title = export.named.get("title", "")
if "<script>alert(1)</script>" not in title: fail(f"the hostile title is not shown as text: {title!r}")
show = json.load(open(f"{out}/show.json"))
entries = [a for t, a in export.elements if t == "li" and "entry" in a.get("class", "").split()]
if len(entries) != len(show["timeline"]): fail(f"{len(entries)} timeline elements for {len(show['timeline'])} entries")
ticks = [a for t, a in export.elements if t == "circle" and a.get("class") == "tick"]
if len(ticks) != len(show["timeline"]): fail(f"{len(ticks)} ticks on the axis for {len(show['timeline'])} entries")
classes = [a.get("class", "") for _, a in export.elements]
for needed in ("deadline met", "deadline breached"):
    if needed not in classes: fail(f"no '{needed}' deadline drawn")
if "hash chain verifies" not in export.named.get("chain", ""): fail("the export does not say the hash chain verifies")
for t, a in export.elements:
    for k in ("src", "href"):
        if a.get(k, "").startswith(("http:", "https:", "//")): fail(f"the export fetches {a[k]}")

status = parse("status.dom")
text = "".join(status.text)
if "script" in [t for t, _ in status.elements]: fail("the status page contains a <script> element")
for secret in ("PLANTED-INTERNAL-NOTE", "Dana Internal-Name", "alert(1)", "Internal-only disk alarm",
               "5% of card payments", "forensics", "INC-", "Drill", "Roll back"):
    if secret in text: fail(f"the status page shows internal text: {secret}")
if "Card payments failing for some customers" not in text: fail("the status page lacks the public title")

report = parse("report.dom")
if "script" in [t for t, _ in report.elements]: fail("the report contains a <script> element")
bars = [a for t, a in report.elements if t == "g" and a.get("class") == "bar"]
if not bars: fail("the report has no SVG bars")
print(f"check-html: export ({len(entries)} timeline entries), report ({len(bars)} bars) and status page check out in Chromium's DOM")
PY

mkdir -p docs/screenshots
shoot "$out/export.html" docs/screenshots/export.png 1100 1800
shoot "$out/report.html" docs/screenshots/report.png 1100 1300
shoot "$out/status/index.html" docs/screenshots/status-page.png 1000 800
echo "check-html: screenshots in docs/screenshots/"
