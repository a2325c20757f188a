#!/bin/sh
# system.regress.slurm_array: stands up a one-node Slurm on localhost (Debian's munge, slurmctld,
# slurmd; configuration from slurm.conf.in, everything under WORK), submits SUITE... as a job
# array of three shards (`socsim regress --shard $SLURM_ARRAY_TASK_ID/3`), merges the shards'
# JSON with `socsim regress --merge`, and checks the merged verdicts equal a local run's.
# Exit 77 (CTest: skipped) with the reason on stdout when the daemons are not installed or
# cannot run here; the daemons are stopped at the end either way.
# usage: run_slurm_array.sh SOCSIM WORK SUITE... [--var NAME=VALUE...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
socsim=$1 work=$2
shift 2
skip() { echo "SKIP: $*"; exit 77; }
for p in munged slurmctld slurmd sbatch sinfo; do
  command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || skip "$p is not installed (Debian packages munge, slurmctld, slurmd, slurm-client)"
done
PATH=$PATH:/usr/sbin
rm -rf "$work" && mkdir -p "$work/state" "$work/spool" "$work/results"
work=$(cd "$work" && pwd)

# Ports from the process id, so two checkouts on one machine do not collide.
base=$((20000 + ($$ % 20000)))
sed -e "s|@DIR@|$work|g" -e "s|@CTLD_PORT@|$base|g" -e "s|@SLURMD_PORT@|$((base + 1))|g" \
    -e "s|@USER@|$(id -un)|g" -e "s|@CPUS@|$(nproc)|g" "$here/slurm.conf.in" >"$work/slurm.conf"
export SLURM_CONF="$work/slurm.conf"

cleanup() {
  for f in slurmd.pid slurmctld.pid munged.pid; do
    [ -f "$work/$f" ] && kill "$(cat "$work/$f")" 2>/dev/null || true
  done
}
trap cleanup EXIT

dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$work/munge.key"
munged --force --key-file="$work/munge.key" --socket="$work/munge.socket" --pid-file="$work/munged.pid" \
  --log-file="$work/munged.log" --seed-file="$work/munged.seed" 2>"$work/munged.err" ||
  skip "munged does not start here: $(head -1 "$work/munged.err")"
slurmctld -f "$SLURM_CONF" 2>"$work/slurmctld.err" || skip "slurmctld does not start here: $(head -1 "$work/slurmctld.err")"
slurmd -f "$SLURM_CONF" -N localhost 2>"$work/slurmd.err" || skip "slurmd does not start here: $(head -1 "$work/slurmd.err")"
i=0
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
  i=$((i + 1))
  [ $i -gt 60 ] && skip "the node never became idle: $(tail -1 "$work/slurmctld.log" 2>/dev/null)"
  sleep 0.5
done

# The array: three shards of the suites, each on its own task.
cat >"$work/regress.sbatch" <<SB
#!/bin/sh
#SBATCH --array=1-3
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/results/shard-%a.log
exec "$socsim" regress $* -j 1 --work-dir "$work/scratch/\$SLURM_ARRAY_TASK_ID" \\
  --shard "\$SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT" --json "$work/results/shard-\$SLURM_ARRAY_TASK_ID.json"
SB
sbatch --wait --quiet "$work/regress.sbatch" >"$work/sbatch.out" 2>&1 || true
for k in 1 2 3; do
  [ -f "$work/results/shard-$k.json" ] || { echo "FAIL: shard $k wrote no results"; cat "$work/results/shard-$k.log" 2>/dev/null; cat "$work/sbatch.out"; exit 1; }
done
"$socsim" regress --merge "$work/results"/shard-*.json --json "$work/merged.json" >/dev/null || true
"$socsim" regress "$@" -j 2 --work-dir "$work/scratch/local" --json "$work/local.json" >/dev/null || true
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def verdicts(name):
    return sorted((c["suite"], c["name"], c["passed"], c["reason"]) for c in json.load(open(f"{work}/{name}.json"))["cases"])
local, merged = verdicts("local"), verdicts("merged")
assert local == merged, f"the Slurm array's merged results differ from the local run:\n{merged}\n{local}"
print(f"slurm: 3 array tasks ran {len(merged)} cases; merged results equal the local run's")
PY
