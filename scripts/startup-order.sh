#!/usr/bin/env bash
# Regenerates scripts/startup-order.txt, the symbol ordering file the release link of `incident`
# passes to lld (Package.swift): the functions and data that the everyday commands touch, in the
# order they first touch them, so that start-up faults in a few packed pages instead of
# ~150 pages scattered over 12 MB of code and 0.5 MB of .bss.
#
#   scripts/startup-order.sh            # build the release binary (static, Linux) and trace it
#   scripts/startup-order.sh BINARY     # trace an already built release `incident`
#
# Needs valgrind (lackey), cc, python3, llvm-nm (from the Swift toolchain, or nm). Takes a few
# minutes: every command runs under valgrind's lackey, which reports each instruction and data
# address. A stale file is harmless: names that no longer exist are skipped (lld is told not to
# warn), and whatever is not listed keeps the linker's default order. Regenerate after large
# changes to the start-up path (command table, store loading, rendering).
set -euo pipefail
cd "$(dirname "$0")/.."
out=scripts/startup-order.txt

if [ $# -ge 1 ]; then
  bin=$(realpath "$1")
  benchgen=$(dirname "$bin")/incident-benchgen
else
  swift build -c release -Xswiftc -static-executable --product incident >&2
  swift build -c release -Xswiftc -static-executable --product incident-benchgen >&2
  bin_dir=$(swift build -c release -Xswiftc -static-executable --show-bin-path)
  bin=$bin_dir/incident; benchgen=$bin_dir/incident-benchgen
fi
command -v valgrind >/dev/null || { echo "startup-order: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
nm=$(command -v llvm-nm || echo "$(dirname "$(realpath "$(command -v swift)")")/llvm-nm")
[ -x "$nm" ] || nm=nm

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# first-touch filter: reads lackey's trace, prints each access inside the binary's image that
# touches a byte nothing touched before ("I addr" for code, "D addr" per data word)
cat > "$work/ftouch.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  unsigned long lo = strtoul(argv[1], 0, 16), hi = strtoul(argv[2], 0, 16);
  unsigned char *seen = calloc(hi - lo + 64, 1);
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    char *p = line; while (*p == ' ') p++;
    char k = *p; if (k != 'I' && k != 'L' && k != 'S' && k != 'M') continue;
    p++; while (*p == ' ') p++;
    char *e; unsigned long a = strtoul(p, &e, 16), n = 1;
    if (*e == ',') n = strtoul(e + 1, 0, 10);
    if (n < 1) n = 1; if (n > 64) n = 64;
    if (a < lo || a >= hi) continue;
    int fresh = 0;
    for (unsigned long i = 0; i < n; i++) if (!seen[a - lo + i]) { seen[a - lo + i] = 1; fresh = 1; }
    if (!fresh) continue;
    if (k == 'I') { printf("I %lx\n", a); continue; }
    printf("D %lx\n", a);
    for (unsigned long b = (a | 7) + 1; b < a + n; b += 8) printf("D %lx\n", b);
  }
  return 0;
}
C
cc -O2 -o "$work/ftouch" "$work/ftouch.c"

# the image's address range: lowest to highest allocated section
read -r lo hi < <(readelf -SW "$bin" | awk '/^ *\[ *[0-9]+\]/ { sub(/^ *\[ *[0-9]+\] */, ""); if ($3 !~ /^0+$/) print $3, $5 }' |
  python3 -c 'import sys
r=[(int(a,16),int(s,16)) for a,s in (l.split() for l in sys.stdin)]
print("%x %x" % (min(a for a,_ in r), max(a+s for a,s in r)))')

# A generated store (as scripts/bench.sh measures, smaller). The derived indexes are keyed to the
# running binary, which under valgrind is valgrind's tool: warm them under lackey first, so the
# traces follow the everyday warm paths rather than a rebuild of the indexes.
export INCIDENT_STORE=$work/store INCIDENT_USER=bench NO_COLOR=1
"$benchgen" "$INCIDENT_STORE" 200 800 >/dev/null
active_id=INC-802; big_id=INC-801
for c in "list --all" "sla" "list"; do valgrind --tool=lackey --basic-counts=no "$bin" $c >/dev/null 2>&1 || true; done

# Most important first: --version is every command's start-up; then the everyday commands.
commands=("--version" "show $active_id" "list" "sla" "note $big_id" "list --all")
i=0
for c in "${commands[@]}"; do
  i=$((i + 1))
  if [ "${c%% *}" = note ]; then set -- $c "startup-order trace entry"; else set -- $c; fi
  valgrind --tool=lackey --trace-mem=yes --log-fd=9 "$bin" "$@" 9>&1 >/dev/null 2>/dev/null | "$work/ftouch" "$lo" "$hi" > "$work/$i.touch"
  echo "traced: incident $c ($(wc -l < "$work/$i.touch") first touches)" >&2
done

# addresses -> symbols (every alias at the address), first touch first, each once
"$nm" -n -S --defined-only "$bin" > "$work/nm"
python3 - "$work/nm" "$work"/[0-9]*.touch > "$out" <<'PY'
import sys, bisect
syms = []
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split(None, 3)
    if len(p) == 4: a, size, t, name = p
    elif len(p) == 3: a, t, name = p; size = "0"
    else: continue
    if t in "aAN": continue
    syms.append((int(a, 16), int(size, 16), name))
syms.sort(key=lambda s: s[0])
starts = [s[0] for s in syms]
seen, order = set(), []
for f in sorted(sys.argv[2:], key=lambda f: int(f.rsplit("/", 1)[1].split(".")[0])):
    for line in open(f):
        a = int(line.split()[1], 16)
        i = bisect.bisect_right(starts, a) - 1
        if i < 0: continue
        start, size, _ = syms[i]
        if size and a >= start + size: continue
        while i >= 0 and syms[i][0] == start:
            name = syms[i][2]
            if name not in seen: seen.add(name); order.append(name)
            i -= 1
print("\n".join(order))
PY
echo "wrote $out: $(wc -l < "$out") symbols" >&2
