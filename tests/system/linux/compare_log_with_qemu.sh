#!/bin/bash
# The same kernel, initramfs and command line (`socsim.nvme`: the NVMe disk partitioned, written
# and read back) on QEMU and on socsim: every line of socsim's kernel log that sounds like a
# complaint (warning, error, failure, bogus, ...) must also be in QEMU's log, and the lines that
# say the SMMU, the disk and the data are fine must be in both.
#   compare_log_with_qemu.sh SOCSIM LINUX_DIR QEMU
# Exits 77 (CTest: skipped) without QEMU or without the kernel.
set -u
socsim=$1 dir=$2 qemu=${3:-}
[ -n "$qemu" ] && [ -x "$qemu" ] || { echo "qemu-system-aarch64 is not installed: skipped"; exit 77; }
[ -f "$dir/Image" ] || { echo "no $dir/Image (scripts/fetch-linux): skipped"; exit 77; }
append="console=ttyAMA0 rdinit=/init panic=-1 socsim.nvme"
disk=$(mktemp)
trap 'rm -f "$disk"' EXIT
truncate -s 64M "$disk"

log() {  # the console without time stamps and carriage returns, one line each, sorted
	sed -e 's/\r$//' -e 's/^\[ *[0-9.]*\] //' | sort -u
}
q=$(timeout 120 "$qemu" -M virt,iommu=smmuv3,gic-version=2,highmem=off -cpu cortex-a57 -m 128M -nographic \
	-nic none -kernel "$dir/Image" -initrd "$dir/initramfs.cpio.gz" -append "$append" -device edu \
	-drive "file=$disk,if=none,format=raw,id=disk" -device nvme,drive=disk,serial=socsim-nvme 2>&1 | log)
s=$("$socsim" run virt -c nvme0.status=okay --kernel "$dir/Image" --initrd "$dir/initramfs.cpio.gz" \
	--append "$append" --max-time 10s 2>&1 | log)
failed=0
complaints='warn|error|fail|bogus|invalid|unable|cannot|bug|timeout|timed out|not supported|unknown'
while IFS= read -r line; do
	grep -qxF -- "$line" <<<"$q" || { echo "only on socsim: $line"; failed=1; }
done < <(grep -iE "$complaints" <<<"$s" | grep -vE '^ *[0-9]+: ')  # not /proc/interrupts (gerror)
for want in "arm-smmu-v3 9050000.smmuv3: allocated 32768 entries for evtq" \
	"nvme 0000:00:02.0: Adding to iommu group 0" " nvme0n1: p1" "nvme: 256 KiB written and read back: data ok" \
	"init: powering off"; do
	grep -qxF -- "$want" <<<"$q" || { echo "missing on QEMU: $want"; failed=1; }
	grep -qxF -- "$want" <<<"$s" || { echo "missing on socsim: $want"; failed=1; }
done
[ $failed = 0 ] && echo "socsim's kernel log has no complaint QEMU's lacks; those both print: $(grep -iE "$complaints" <<<"$s" | grep -vE '^ *[0-9]+: ' | paste -sd"|")"
exit $failed
