#!/bin/sh
# system.regress.shards_merge_to_the_whole: a suite run whole, then as shards 1/3, 2/3 and 3/3
# merged with --merge, must give the same cases with the same verdicts; the JUnit of both is
# read by a real consumer (Debian's python3-junitparser) and must agree with the JSON.
# usage: check_shards.sh SOCSIM WORK_DIR SUITE... [--var NAME=VALUE...]
set -eu
socsim=$1 work=$2
shift 2
rm -rf "$work" && mkdir -p "$work"
run() { "$socsim" regress "$@" --work-dir "$work/scratch" >/dev/null || true; }
run "$@" -j 2 --json "$work/whole.json" --junit "$work/whole.xml"
for k in 1 2 3; do run "$@" -j 2 --shard "$k/3" --json "$work/shard$k.json"; done
"$socsim" regress --merge "$work/shard1.json" "$work/shard2.json" "$work/shard3.json" \
  --json "$work/merged.json" --junit "$work/merged.xml" >/dev/null || true
/usr/bin/python3 - "$work" <<'PY'
import json, sys
from junitparser import JUnitXml
work = sys.argv[1]
def verdicts(name):
    return sorted((c["suite"] + ":" + c["name"], c["passed"], c["reason"])
                  for c in json.load(open(f"{work}/{name}.json"))["cases"])
whole, merged = verdicts("whole"), verdicts("merged")
shards = [verdicts(f"shard{k}") for k in (1, 2, 3)]
names = [n for s in shards for n, _, _ in s]
assert len(names) == len(set(names)), f"a case ran in two shards: {names}"
assert whole == merged, f"merged shards differ from the whole run:\n{whole}\n{merged}"
assert all(shards), "a shard ran nothing"
for xml in ("whole", "merged"):
    suite = JUnitXml.fromfile(f"{work}/{xml}.xml")
    cases = sorted((c.classname, c.name, c.is_passed) for s in suite for c in s)
    expected = sorted((n.split(":")[0].split("/")[-2] + "/cases", n.split(":", 1)[1], p) for n, p, _ in whole)
    assert cases == expected, f"{xml}.xml disagrees with the JSON: {cases} {expected}"
    assert suite.tests == len(whole) and suite.failures == sum(1 for _, p, _ in whole if not p)
print(f"{len(whole)} cases; shards of {[len(s) for s in shards]}; merged equals whole; JUnit read by junitparser")
PY
