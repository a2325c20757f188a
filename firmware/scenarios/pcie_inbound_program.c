/*
 * pcie_inbound_program: the iProc root complex decodes inbound only what firmware programs in
 * IARR/IMAP, and only in the sizes and alignments its regions have (Linux pcie-iproc.c).
 *   buggy: firmware sizes a window after the 14 GiB bank at 34G, rounded up to 16 GiB and
 *          placed at the bank (IARR2, size bit 8, PCI/AXI 34G): 34G is not 16G-aligned, so the
 *          region does not decode (socsim warns once, naming IARR2 and the rule) and a DMA to
 *          the bank is an Unsupported Request: the edu sees a master abort, RAM is untouched.
 *   checked: the driver's iproc_ib_setup refuses the same window before writing anything,
 *          with Linux's "unable to configure inbound mapping" (no socsim line).
 *   fixed: the windows of dma-ranges (2 GiB @2G -> IARR2, 32 GiB @32G -> IARR3, 256 GiB
 *          @512G -> IARR4), and the same copy into the bank lands.
 * The SMMU maps the buffers identity (IOVA = physical), so only the bridge decides.
 */
#include <stdio.h>

#include "pages.h"
#include "paxb_edu.h"

static struct paxb_edu s;

int main(void)
{
	printf("pcie_inbound_program: inbound windows the hardware can and cannot express\n");
	if (paxb_edu_setup(&s, 0)) {
		printf("FAIL: setup\n");
		return 1;
	}
	const uint64_t src = BANK_34G, dst = BANK_34G + 0x1000;
	void *src_p = (void *)(uintptr_t)src, *dst_p = (void *)(uintptr_t)dst;
	mem_pattern(src_p, 0x1000, 7);
	mem_pattern(dst_p, 0x1000, 99);
	check(paxb_map_page(&s, src, src) == 0 && paxb_map_page(&s, dst, dst) == 0, "identity map");

	printf("buggy: IARR2 = 16 GiB at pci/axi 0x%llx (the bank, rounded up)\n", (unsigned long long)src);
	iproc_ib_write(&s.rc, 2, 8, BANK_34G, BANK_34G);
	int ok = paxb_copy(&s, src, dst);
	check(!ok, "the DMA is refused (master abort)");
	check(mem_check_pattern(dst_p, 0x1000, 99) < 0, "the destination is untouched");
	printf("buggy: copy in the bank: %s\n", ok ? "delivered" : "Unsupported Request, RAM untouched");

	iproc_ib_invalidate(&s.rc);
	printf("checked: the driver places the same window\n");
	check(iproc_ib_setup(&s.rc, BANK_34G, BANK_34G, 16 * GiB) != 0, "the driver refuses it");
	for (unsigned r = 0; r < IPROC_IB_REGIONS; r++)
		check(!iproc_ib_in_use(&s.rc, r), "nothing was written");

	printf("fixed: the windows of dma-ranges\n");
	check(iproc_pcie_map_dma_ranges(&s.rc) == 0, "dma-ranges programmed");
	ok = paxb_copy(&s, src, dst);
	check(ok, "the DMA is delivered");
	long bad = mem_check_pattern(dst_p, XFER, 7);
	check(bad < 0, "the data arrived");
	printf("fixed: copy in the bank: %s\n", ok && bad < 0 ? "data ok" : "FAILED");

	printf("pcie_inbound_program: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
