/*
 * smmu_gbpa: what the SMMU does with DMA while SMMUEN = 0, as GBPA says.
 *
 * The edu's 28-bit DMA mask keeps it below 256 MiB, where `virt` has no RAM: without
 * translation it can reach only the devices down there. So the bypassed DMA is a device read of
 * the PL011's PeriphID0 register (4 bytes at a physical address found in the DTB), and the
 * result is brought out to RAM afterwards through a translated IOVA (with SMMUEN = 1):
 *   - GBPA.ABORT = 0 (bypass): the device buffer then holds what the CPU reads at that address;
 *   - GBPA.ABORT = 1: the read is aborted, the buffer does not hold it (it keeps a pattern
 *     loaded before, or whatever the device stores for a failed read).
 * An SMMU whose GBPA does not read back ABORT = 1 after the update (QEMU before 8.0 has no
 * GBPA) gets a line saying so and the abort case is not checked; the socsim system test
 * requires the "blocked" line.
 */
#include <stdio.h>

#include "dtb.h"
#include "mmio.h"
#include "pages.h"
#include "smmu_edu.h"

#define GBPA_ABORT (1u << 20)
#define PL011_PERIPHID0 0xfe0

static struct smmu_edu s;

int main(void)
{
	printf("smmu_gbpa: DMA with SMMUEN = 0, GBPA bypass and abort\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	uint64_t uart, size;
	int node = fdt_find_enabled_compatible(&s.fdt, -1, "arm,pl011");
	if (node < 0 || fdt_get_reg(&s.fdt, node, 0, &uart, &size) ||
	    uart + PL011_PERIPHID0 + 3 > s.dma.dma_mask) {
		printf("FAIL: no PL011 the edu can reach\n");
		return 1;
	}
	uint64_t target = uart + PL011_PERIPHID0;
	uint32_t expected = read32((uintptr_t)target);

	void *page = pages_alloc(PAGE_SIZE);
	uint64_t iova;
	if (!check(dma_map_single(&s.dma, (uintptr_t)page, PAGE_SIZE, DMA_FROM_DEVICE, &iova) == 0, "map"))
		return 1;
	volatile uint32_t *word = page;
	uint32_t readback;

	/* Bypass. */
	check(smmu_disable(&s.smmu) == 0, "SMMUEN = 0");
	check(smmu_set_gbpa(&s.smmu, 0, &readback) == 0, "GBPA bypass");
	check(edu_to_device(&s, target, 4) == 0, "dma completes");
	check(smmu_enable(&s.smmu) == 0, "SMMUEN = 1");
	check(edu_to_ram(&s, iova, 4) == 0, "dma out");
	if (check(*word == expected, "bypassed read returned the register"))
		printf("gbpa bypass: device read of the UART's PeriphID0 at its physical address: data ok\n");
	expect_no_event(&s, "gbpa bypass");

	/* Abort. */
	check(edu_load_buffer(&s, 30, 4) == 0, "load");
	check(smmu_disable(&s.smmu) == 0, "SMMUEN = 0");
	check(smmu_set_gbpa(&s.smmu, 1, &readback) == 0, "GBPA abort");
	if (!(readback & GBPA_ABORT)) {
		printf("gbpa abort: GBPA reads 0x%08x after the update, this SMMU does not implement "
		       "GBPA.ABORT: not checked\n", (unsigned)readback);
	} else {
		check(edu_to_device(&s, target, 4) == 0, "dma completes");
		check(smmu_enable(&s.smmu) == 0, "SMMUEN = 1");
		mem_zero(page, PAGE_SIZE);
		check(edu_to_ram(&s, iova, 4) == 0, "dma out");
		if (check(*word != expected, "aborted read did not return the register"))
			printf("gbpa abort: device read of a physical address was blocked\n");
	}
	check(smmu_enable(&s.smmu) == 0, "SMMUEN = 1");
	check(smmu_set_gbpa(&s.smmu, 0, &readback) == 0, "GBPA back to bypass");
	events_drain(&s.smmu);

	printf("smmu_gbpa: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
