#!/usr/bin/env bash
# One GDB system test: socsim runs a scenario with --gdb on a port the kernel picks (port 0; the
# port is read from socsim's "listening on" line, so parallel tests never clash), and Debian's
# gdb-multiarch drives it in batch mode with a command file. Checks, in this order:
#   - every regular expression of EXPECT (one per line, '#' lines skipped) matches a line of GDB's
#     output, each after the previous one's line;
#   - socsim's exit status is STATUS;
#   - with COMPARE=1: socsim's stdout and trace equal those of the same run without --gdb.
# socsim waits for GDB (--gdb-wait) unless LATE=1: then GDB connects to a running core.
# Modes other than a GDB session (MODE=...):
#   garbage  a client sends bytes that are no packets, a packet with a bad checksum and half a
#            packet, then disconnects; socsim must run on to STATUS with one line about it;
#   interrupt  a client continues, sends Ctrl-C, must get a T02 stop reply, then kills the run;
#   busy     a second socsim on the port of the first must say so in one line and exit 125.
#
# usage: gdb_case.sh SOCSIM PLATFORM ELF SCRIPT EXPECT STATUS [socsim options...]
set -u
socsim=$1 platform=$2 elf=$3 script=$4 expect=$5 want_status=$6
shift 6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in gdb.out socsim.out socsim.err; do [ -f "$work/$f" ] && { echo "--- $f"; tail -n 60 "$work/$f"; }; done; exit 1; }

# Starts socsim in the background (pid in $socsim_pid) and sets $port from its first line.
start_socsim() {
  "$socsim" run "$platform" --firmware "$elf" --gdb 127.0.0.1:0 "$@" >"$work/socsim.out" 2>"$work/socsim.err" &
  socsim_pid=$!
  port=""
  for _ in $(seq 400); do
    port=$(sed -n 's/^socsim: gdb: listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/socsim.err")
    [ -n "$port" ] && return 0
    kill -0 "$socsim_pid" 2>/dev/null || fail "socsim ended before listening"
    sleep 0.05
  done
  fail "socsim did not say where it listens"
}

# Waits (at most 60 s) for socsim to end; sets $status.
wait_socsim() {
  for _ in $(seq 1200); do
    kill -0 "$socsim_pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$socsim_pid" 2>/dev/null; then kill "$socsim_pid"; fail "socsim still running after the client finished"; fi
  wait "$socsim_pid"
  status=$?
}

case "${MODE:-gdb}" in
gdb)
  command -v gdb-multiarch >/dev/null || { echo "gdb-multiarch is not installed (scripts/bootstrap): skipped"; exit 77; }
  # LATE=1: the run starts at once and GDB connects to a running core.
  if [ "${LATE:-0}" = 1 ]; then start_socsim "$@"; else start_socsim --gdb-wait "$@"; fi
  timeout 60 gdb-multiarch -batch -nx -ex "set pagination off" -ex "set remotetimeout 30" -ex "set confirm off" \
    -ex "target remote 127.0.0.1:$port" -x "$script" "$elf" >"$work/gdb.out" 2>&1
  wait_socsim
  after=0
  while IFS= read -r re; do
    [ -z "$re" ] || [ "${re:0:1}" = "#" ] && continue
    line=$(grep -n -E -- "$re" "$work/gdb.out" | cut -d: -f1 | awk -v a="$after" '$1 > a { print; exit }')
    [ -n "$line" ] || fail "no line after line $after of GDB's output matches: $re"
    after=$line
  done <"$expect"
  [ "$status" = "$want_status" ] || fail "socsim exited with $status, expected $want_status"
  if [ "${COMPARE:-0}" = 1 ]; then
    "$socsim" run "$platform" --firmware "$elf" --trace "$work/plain.jsonl" "$@" >"$work/plain.out" 2>/dev/null
    start_socsim --gdb-wait --trace "$work/gdb.jsonl" "$@"
    timeout 60 gdb-multiarch -batch -nx -ex "set remotetimeout 30" -ex "target remote 127.0.0.1:$port" -x "$script" "$elf" >/dev/null 2>&1
    wait_socsim
    cmp -s "$work/plain.out" "$work/socsim.out" || fail "stdout differs with GDB attached"
    cmp -s "$work/plain.jsonl" "$work/gdb.jsonl" || fail "the trace differs with GDB attached: $(diff "$work/plain.jsonl" "$work/gdb.jsonl" | head -5)"
  fi
  ;;
garbage)
  start_socsim --gdb-wait "$@"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
  printf 'hello\x00\xff+-#$$qSupported#00' >&3   # noise, then a packet with a wrong checksum
  printf '$m40200000,4' >&3                       # half a packet, then the client is gone
  exec 3>&-
  wait_socsim
  [ "$status" = "$want_status" ] || fail "socsim exited with $status, expected $want_status"
  n=$(grep -c '^socsim: gdb: the debugger disconnected' "$work/socsim.err")
  [ "$n" = 1 ] || fail "expected one line about the disconnection, got $n"
  [ -s "$work/socsim.out" ] || fail "the firmware printed nothing"
  ;;
interrupt)
  # A raw client: continue, Ctrl-C, read the stop reply, kill.
  start_socsim --gdb-wait "$@"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
  printf '$c#63' >&3
  printf '\x03' >&3
  reply=""
  IFS= read -r -t 30 -d '#' reply <&3 || fail "no stop reply after Ctrl-C (got '$reply')"
  case "$reply" in *'$T02'*) ;; *) fail "the stop reply to Ctrl-C is '$reply', not T02" ;; esac
  printf '+$k#6b' >&3
  wait_socsim
  exec 3>&-
  [ "$status" = "$want_status" ] || fail "socsim exited with $status, expected $want_status"
  grep -q '^socsim: gdb: the debugger ended the run$' "$work/socsim.err" || fail "no line saying the debugger ended the run"
  ;;
busy)
  start_socsim --gdb-wait "$@"
  first=$socsim_pid
  "$socsim" run "$platform" --firmware "$elf" --gdb "127.0.0.1:$port" >"$work/second.out" 2>"$work/second.err"
  status=$?
  kill "$first"
  wait "$first" 2>/dev/null
  [ "$status" = 125 ] || fail "the second socsim exited with $status, expected 125"
  [ "$(wc -l <"$work/second.err")" = 1 ] || fail "expected one line on stderr, got: $(cat "$work/second.err")"
  grep -q "cannot listen on 127.0.0.1:$port: Address already in use" "$work/second.err" ||
    fail "unexpected message: $(cat "$work/second.err")"
  ;;
esac
exit 0
