/*
 * pci_bme_off: with Command.Bus Master Enable clear a PCI function must not issue memory
 * requests. With the edu attached to the SMMU and both pages mapped, BME is cleared and the edu
 * is told to DMA in both directions. The firmware checks:
 *   - the device still reports the command complete (as QEMU's edu does: it does not know its
 *     requests went nowhere);
 *   - the device write did not reach memory (the page keeps its pattern);
 *   - the device read did not fetch memory (after BME is set again and the buffer is written
 *     out, it does not hold the source page's data);
 *   - the SMMU recorded no event: the requests never got as far as the SMMU;
 *   - with BME set again the same mappings work (a round trip with data checked).
 */
#include <stdio.h>

#include "pages.h"
#include "smmu_edu.h"

#define LEN 64u

static struct smmu_edu s;

int main(void)
{
	printf("pci_bme_off: DMA with bus mastering disabled\n");
	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	void *src = pages_alloc(PAGE_SIZE), *dst = pages_alloc(PAGE_SIZE);
	uint64_t iova_src, iova_dst;
	mem_pattern(src, PAGE_SIZE, 20);
	mem_pattern(dst, PAGE_SIZE, 21);
	if (!check(dma_map_single(&s.dma, (uintptr_t)src, PAGE_SIZE, DMA_TO_DEVICE, &iova_src) == 0 &&
		   dma_map_single(&s.dma, (uintptr_t)dst, PAGE_SIZE, DMA_FROM_DEVICE, &iova_dst) == 0,
		   "map"))
		return 1;
	check(edu_load_buffer(&s, 22, LEN) == 0, "load");

	pci_set_master(s.pdev, 0);
	if (check(!(pci_command(s.pdev) & PCI_COMMAND_MASTER), "BME reads back 0"))
		printf("bme off: Command.Bus Master Enable cleared\n");

	check(edu_to_ram(&s, iova_dst, LEN) == 0, "device write completes");
	if (check(mem_check_pattern(dst, PAGE_SIZE, 21) < 0, "write did not reach memory"))
		printf("bme off: device write did not reach memory\n");
	check(edu_to_device(&s, iova_src, LEN) == 0, "device read completes");
	if (expect_no_event(&s, "bme off"))
		printf("bme off: no SMMU event, the requests never reached the SMMU\n");

	pci_set_master(s.pdev, 1);
	check(edu_to_ram(&s, iova_dst, LEN) == 0, "dma out");
	if (check(mem_check_pattern(dst, LEN, 20) >= 0, "read did not fetch the source page"))
		printf("bme off: device read did not fetch memory\n");

	check(edu_to_device(&s, iova_src, LEN) == 0 && edu_to_ram(&s, iova_dst, LEN) == 0, "dma");
	if (check(mem_check_pattern(dst, LEN, 20) < 0, "round trip with BME on"))
		printf("bme on: round trip through the same mappings: data ok\n");
	expect_no_event(&s, "bme on");

	printf("pci_bme_off: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
