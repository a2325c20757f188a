#!/bin/bash
# The same scripted U-Boot session on QEMU and on socsim must print the same `pci` lines.
#   compare_pci_with_qemu.sh SOCSIM BIOS SESSION QEMU
# QEMU gets the session as `expect` would type it: the first line when autoboot starts
# counting, each next line after a `=> ` prompt (socsim does the same with uart0.input-prompt).
# Exits 77 (CTest: skipped) without QEMU or without the U-Boot image.
set -u
socsim=$1 bios=$2 session=$3 qemu=${4:-}
[ -n "$qemu" ] && [ -x "$qemu" ] || { echo "qemu-system-aarch64 is not installed: skipped"; exit 77; }
[ -f "$bios" ] || { echo "$bios is not installed (u-boot-qemu): skipped"; exit 77; }

pci_lines() {  # the lines printed by the `pci` command, without carriage returns
	tr -d '\r' | awk '/^=> pci$/ { on = 1; next } /^=> / { on = 0 } on'
}

coproc QEMU { exec "$qemu" -M virt,iommu=smmuv3,highmem=off -cpu cortex-a57 -m 128M -nographic -nic none \
	-bios "$bios" -device edu 2>&1; }
qemu_out=""
wait_for() {  # reads QEMU's output until it ends with $1 (30 s at most per character)
	local c
	while IFS= read -r -t 30 -n 1 -d '' c <&"${QEMU[0]}"; do
		[ -z "$c" ] && c=$'\n'
		qemu_out+=$c
		[[ $qemu_out == *"$1" ]] && return 0
	done
	return 1
}
first=1
while IFS= read -r line || [ -n "$line" ]; do
	if [ $first = 1 ]; then wait_for "stop autoboot:" || break; first=0; else wait_for "=> " || break; fi
	printf '%s\r' "$line" >&"${QEMU[1]}"
done < "$session"
wait_for "poweroff ..." >/dev/null
qemu_pid=$QEMU_PID
exec {QEMU[1]}>&-
wait "$qemu_pid" 2>/dev/null

socsim_out=$("$socsim" run virt --bios "$bios" -c "uart0.input=$session" -c 'uart0.input-prompt="=> "' --max-time 5s)
status=$?
q=$(printf '%s' "$qemu_out" | pci_lines)
s=$(printf '%s' "$socsim_out" | pci_lines)
if [ -z "$q" ] || [ "$q" != "$s" ]; then
	printf -- '`pci` lines differ (or are missing)\n--- QEMU ---\n%s\n--- socsim (status %s) ---\n%s\n' "$q" "$status" "$s"
	exit 1
fi
printf -- 'same `pci` lines on QEMU and socsim:\n%s\n' "$s"
[ "$status" = 0 ] || { echo "socsim ended with status $status, expected 0"; exit 1; }
