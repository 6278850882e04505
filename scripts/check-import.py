#!/usr/bin/env python3
"""Checks `incident runbook import` against documents kept outside the repository.

  check-import.py public DIR BINARY   DIR holds NN.md and expected.json (level names and
                                      every deadline each document states)
  check-import.py seeds DIR BINARY    DIR holds the five seed documents; each import is
                                      compared, level by level and timer by timer, with the
                                      shipped runbook built from that seed (runbooks/*.json)

Run from .ci/run (it reads ../shared); `swift test` uses the repository's own fixtures.
Exits non-zero on any difference.
"""
import glob
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def norm(name):
    return re.sub(r"[ \-_.\t]", "", name.lower())


def run_import(binary, path):
    p = subprocess.run([binary, "runbook", "import", path, "--json"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"import of {path} failed ({p.returncode}): {p.stderr.strip()}")
    return json.loads(p.stdout)


def minutes(d):
    """'15m' -> ('min', 15); '3bd' -> ('bd', 3)."""
    m = re.fullmatch(r"(\d+)(m|h|d|w|bd|bh)", d)
    n, u = int(m.group(1)), m.group(2)
    return {"m": ("min", n), "h": ("min", n * 60), "d": ("min", n * 1440), "w": ("min", n * 10080),
            "bd": ("bd", n), "bh": ("bh", n)}[u]


def level_index(levels, name):
    for i, l in enumerate(levels):
        if norm(name) in {norm(l["id"]), norm(l["title"])} | {norm(a) for a in l.get("aliases") or []}:
            return i
    return None


# The kind of deadline in the answer key -> the imported timers that may hold it.
WHAT = {
    "acknowledge": {"acknowledge"}, "response": {"acknowledge"}, "resolve": {"resolve"},
    "contain": {"contain"}, "fix": {"permanent-fix"}, "first_update": {"first-update"},
    "escalate": {"escalate", "exec-notification", "notify-stakeholders"},
    "notify": {"escalate", "exec-notification", "notify-stakeholders", "notify-customers", "notify-regulators"},
}


def check_public(directory, binary):
    key = json.load(open(os.path.join(directory, "expected.json")))
    total = passed = 0
    failures = []
    for doc in key:
        out = run_import(binary, os.path.join(directory, doc["file"]))
        rb = out["runbook"]
        levels = rb["levels"]
        problems = []
        # Level names as written, most severe first.
        total += 1
        names_ok = len(levels) == len(doc["levels"]) and all(level_index(levels, n) == i for i, n in enumerate(doc["levels"]))
        if names_ok:
            passed += 1
        else:
            problems.append(f"levels {[l['title'] for l in levels]} != {doc['levels']}")
        expected = set()

        def want(level, value, pred, label):
            nonlocal total, passed
            total += 1
            idxs = range(len(levels)) if level == "*" else [level_index(levels, level)]
            ok = True
            for i in idxs:
                if i is None:
                    ok = False
                    continue
                lid = levels[i]["id"]
                hits = [t for t in rb["timers"] if pred(t) and t["durations"].get(lid) and minutes(t["durations"][lid]) == value]
                if not hits:
                    ok = False
                for t in hits:
                    expected.add((t["id"], lid))
            if ok:
                passed += 1
            else:
                problems.append(f"missing {label} {value[1]}{value[0]} for {level}")

        for d in doc["deadlines"]:
            value = ("bd", d["business_days"]) if "business_days" in d else ("min", d["minutes"])
            kinds = WHAT.get(d["what"], {d["what"]})
            want(d["level"], value, lambda t, kinds=kinds: t["id"] in kinds and t["start"] == "declared" and not t.get("repeats"), d["what"])
        for r in doc["repeats"]:
            value = ("bd", r["every_business_days"]) if "every_business_days" in r else ("min", r["every_minutes"])
            want(r["level"], value, lambda t: bool(t.get("repeats")), "cadence")
        for a in doc["after_resolution"]:
            want(a["level"], ("min", a["minutes"]), lambda t: t["start"] == "resolved", "after resolution")
        # Nothing invented: every imported deadline is in the key.
        for t in rb["timers"]:
            for lid, d in t["durations"].items():
                if (t["id"], lid) not in expected:
                    problems.append(f"extra {t['id']} {d} for {lid} (not in the key)")
        if problems:
            failures.append((doc["file"], problems))
    for f, ps in failures:
        for p in ps:
            print(f"{f}: {p}")
    print(f"public runbooks: {passed}/{total} expected facts found, {len(key) - len(failures)}/{len(key)} documents exact")
    return not failures


# Shipped timer ids -> a kind shared with the importer's ids.
KIND = {"acknowledge": "ack", "response": "ack", "resolve": "resolve", "restore": "resolve", "contain": "contain",
        "permanent-fix": "fix", "patch": "fix", "comms-update": "update", "first-update": "first-update",
        "exec-notification": "exec", "notify-stakeholders": "stakeholders", "notify-customers": "customers",
        "notify-regulators": "regulators", "escalate": "escalate", "postmortem": "postmortem",
        "incident-report": "postmortem", "review": "review"}


def check_seeds(directory, binary):
    shipped = {}
    for path in glob.glob(os.path.join(REPO, "runbooks", "*.json")):
        rb = json.load(open(path))
        if rb["name"] == "default":
            continue
        for s in rb.get("sources") or []:
            m = re.match(r"seed (\d{3})_", s)
            if m:
                shipped[m.group(1)] = rb
    ok = True
    stated = matched = 0
    for seed in sorted(glob.glob(os.path.join(directory, "*"))):
        number = os.path.basename(seed)[:3]
        if number not in shipped:
            continue
        ref = shipped[number]
        out = run_import(binary, seed)
        rb, report = out["runbook"], out["report"]
        text = json.dumps(report)
        lines = []
        # Levels: the same ladder, most severe first.
        if len(rb["levels"]) != len(ref["levels"]):
            ok = False
            lines.append(f"  levels: {len(rb['levels'])} imported, {len(ref['levels'])} shipped")
        mapping = {}
        for i, l in enumerate(ref["levels"]):
            names = [l["id"], l["title"]] + (l.get("aliases") or [])
            hit = next((j for j, m in enumerate(rb["levels"]) if any(level_index([m], n) == 0 for n in names)), None)
            mapping[l["id"]] = hit
            if hit != i:
                ok = False
                lines.append(f"  level {l['id']}: imported at position {hit}, shipped at {i}")
        imported = {}
        for t in rb["timers"]:
            for lid, d in t["durations"].items():
                imported[(KIND[t["id"]], lid)] = (t, d)
        seen = set()
        for t in ref["timers"]:
            kind = KIND.get(t["id"], t["id"])
            for lid, d in t["durations"].items():
                j = mapping.get(lid)
                ilid = rb["levels"][j]["id"] if j is not None else None
                got = imported.get((kind, ilid))
                if got:
                    seen.add((kind, ilid))
                    stated += 1
                    it, idur = got
                    same = minutes(idur) == minutes(d) and it["start"] == t["start"] and bool(it.get("repeats")) == bool(t.get("repeats")) \
                        and (not t.get("repeats") or (it.get("until") or ["resolved"]) == (t.get("until") or ["resolved"]))
                    if same:
                        matched += 1
                        lines.append(f"  same      {t['id']:18} {lid:9} {d}")
                    else:
                        ok = False
                        lines.append(f"  DIFFERENT {t['id']:18} {lid:9} shipped {d} from {t['start']}, imported {idur} from {it['start']}")
                else:
                    # A judgement the document does not state: the report must name it for a person.
                    title = rb["levels"][j]["title"] if j is not None else lid
                    def names(detail):
                        what, _, rest = detail.partition(" for ")
                        return KIND.get(what) == kind and re.search(r"(^|[ ,])" + re.escape(title) + r"([,:]|$)", rest.split(":")[0] + ":") is not None
                    named = any(i["kind"] == "untimed" and names(i["detail"]) for i in report["mapped"])
                    if named:
                        lines.append(f"  person    {t['id']:18} {lid:9} shipped {d}: the document gives no number; the report leaves it to a person")
                    else:
                        ok = False
                        lines.append(f"  MISSING   {t['id']:18} {lid:9} shipped {d}: not imported and not named in the report")
        for (kind, ilid), (t, d) in sorted(imported.items()):
            if (kind, ilid) not in seen:
                stated += 1
                lines.append(f"  stated    {t['id']:18} {ilid:9} {d}: the document states it; the shipped runbook leaves it out (its judgement)")
        print(f"seed {number} vs runbooks/{ref['name']}.json:")
        print("\n".join(lines))
    print(f"seeds: {matched} of the shipped deadlines the documents state are imported with the same value; {stated} numbers imported in all")
    return ok


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("public", "seeds"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, directory, binary = sys.argv[1:]
    good = check_public(directory, binary) if mode == "public" else check_seeds(directory, binary)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
