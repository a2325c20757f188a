/*
 * pcie_p2p_alias: an IOVA that equals a peer's BAR address never reaches the IOMMU. The root
 * complex (like any PCIe switch without ACS) claims a bus address inside its outbound memory
 * windows as peer-to-peer and routes it to the BAR there. On pcie-windows the 2 MiB 32-bit
 * window sits at bus 0xffe0_0000, inside the 2 GiB inbound window, and holds the two edus'
 * BARs; a driver with a 32-bit DMA mask (or iommu-dma's 32-bit-first allocation for PCI
 * devices) gets its IOVAs top-down from 0xffff_ffff, i.e. first inside the second edu's BAR.
 * Linux reserves the outbound windows in every PCI device's IOVA space for this reason
 * ("iommu/dma: Avoid PCI host bridge windows", 2016).
 *   buggy: the IOVA space reserves the inbound holes (everything outside dma-ranges) but not
 *          the outbound windows: the copy's buffers land at 0xffff_f000 and 0xffff_e000, in
 *          edu1's BAR; edu0's DMA goes peer to peer into it (socsim: pcie_p2p, the IOMMU never
 *          saw it) and RAM stays untouched;
 *   fixed: every region pci_resv derives (holes and outbound windows) reserved: the buffers
 *          land below 0xffe0_0000, go through the SMMU and the copy arrives.
 */
#include <stdio.h>

#include "pages.h"
#include "paxb_edu.h"

static struct paxb_edu s;

/* Map two boot-bank pages for a 32-bit-mask device, copy one into the other through edu0. */
static int copy_32bit(const char *form)
{
	struct dma_device dev = {
		.name = "edu",
		.dma_mask = 0xffffffffull,
		.bus_dma_limit = s.resv.bus_dma_limit,
		.ops = &smmu_iommu_ops,
		.domain = &s.dom,
		.iovad = &s.iovad,
	};
	void *src = pages_alloc(PAGE_SIZE), *dst = pages_alloc(PAGE_SIZE);
	uint64_t src_dma, dst_dma;

	mem_pattern(src, 0x1000, 7);
	mem_pattern(dst, 0x1000, 99);
	if (!check(dma_map_single(&dev, (uintptr_t)src, 0x1000, DMA_TO_DEVICE, &src_dma) == 0 &&
		   dma_map_single(&dev, (uintptr_t)dst, 0x1000, DMA_FROM_DEVICE, &dst_dma) == 0, "map"))
		return 0;
	printf("%s: buffers at IOVA 0x%llx and 0x%llx%s\n", form, (unsigned long long)src_dma,
	       (unsigned long long)dst_dma,
	       pci_resv_overlaps(&s.resv, src_dma, src_dma + 0xfff) ? ", inside an outbound window" : "");
	int ok = paxb_copy(&s, src_dma, dst_dma);
	int arrived = mem_check_pattern(dst, XFER, 7) < 0;
	int untouched = mem_check_pattern(dst, 0x1000, 99) < 0;
	printf("%s: copy %s\n", form,
	       arrived ? "arrived" :
	       untouched ? "never reached RAM (it went to the peer's BAR)" : "FAILED: data");
	(void)ok;
	check(dma_unmap_single(&dev, src_dma, 0x1000) == 0 && dma_unmap_single(&dev, dst_dma, 0x1000) == 0,
	      "unmap");
	return arrived;
}

int main(void)
{
	printf("pcie_p2p_alias: an IOVA inside an outbound window goes peer to peer\n");
	if (paxb_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	for (unsigned i = 0; i < s.rc.host.n_dev; i++) {
		const struct pci_dev *d = &s.rc.host.dev[i];
		if (d->vendor == EDU_VENDOR_ID && d->device == EDU_DEVICE_ID && d->bar[0].assigned)
			printf("pci: %02x:%02x.%u BAR0 at bus 0x%llx%s\n", d->bus, d->devfn >> 3, d->devfn & 7,
			       (unsigned long long)d->bar[0].bus_addr, d == s.pdev ? " (the DMA master)" : "");
	}

	/* Buggy: the holes between (and around) the inbound windows only. */
	struct iova_range gaps[PCI_RESV_MAX_WINDOWS + 1];
	unsigned n_gaps = 0;
	check(iova_inbound_gaps(s.resv.inbound, s.resv.n_inbound, gaps, &n_gaps) == 0, "the holes");
	for (unsigned i = 0; i < n_gaps; i++)
		check(iova_reserve(&s.iovad, gaps[i].first, gaps[i].last) == 0, "reserve a hole");
	check(!copy_32bit("buggy"), "the copy onto the peer's BAR never reaches RAM");

	/* Fixed: the outbound windows too (pci_resv_reserve: everything Linux reserves). */
	check(paxb_iova_reset(&s) == 0 && pci_resv_reserve(&s.iovad, &s.resv) == 0, "reserve");
	check(copy_32bit("fixed"), "the copy arrives");

	printf("pcie_p2p_alias: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
