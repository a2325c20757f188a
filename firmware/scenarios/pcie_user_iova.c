/*
 * pcie_user_iova: a user-managed IOVA space (the way VFIO users such as DPDK map "IOVA as VA")
 * picks its own IOVAs and maps them in the IOMMU. VFIO does not report the PCI windows or the
 * holes between inbound windows as reserved (Linux keeps them inside iommu-dma), so nothing
 * stops such an IOVA from landing where the root complex never sends it to the IOMMU:
 *   buggy 1: a buffer at VA 0x1_0000_0000 mapped at that IOVA: it is in the hole between the
 *            2 GiB and the 32 GiB window, and the bridge refuses the DMA (Unsupported Request);
 *   buggy 2: a buffer whose VA equals the peer edu's BAR0 bus address: the edu's write goes peer
 *            to peer into the other edu's BAR (socsim: pcie_p2p), which refuses a 2048-byte
 *            write; the IOMMU never sees it and the RAM page mapped at that IOVA stays untouched;
 *   fixed:   the user reads the reserved regions first (pci_resv: sysfs reserved_regions plus
 *            the windows and holes Linux leaves out) and takes its IOVAs outside them: the same
 *            copies arrive.
 */
#include <stdio.h>

#include "pages.h"
#include "paxb_edu.h"

static struct paxb_edu s;

/* Copy the source page through the edu into <dst_phys>, mapped at IOVA <dst_iova>. */
static int copy_to(const char *what, uint64_t src_iova, uint64_t dst_iova, uint64_t dst_phys)
{
	mem_pattern((void *)(uintptr_t)dst_phys, 0x1000, 99);
	if (!check(paxb_map_page(&s, dst_iova, dst_phys) == 0, "map the destination"))
		return 0;
	int ok = paxb_copy(&s, src_iova, dst_iova);
	int arrived = mem_check_pattern((void *)(uintptr_t)dst_phys, XFER, 3) < 0;
	int untouched = mem_check_pattern((void *)(uintptr_t)dst_phys, 0x1000, 99) < 0;
	printf("%s: IOVA 0x%llx: %s\n", what, (unsigned long long)dst_iova,
	       arrived ? "the copy arrived" :
	       !ok ? "the DMA failed (master abort), RAM untouched" :
	       untouched ? "the edu saw no error, but RAM is untouched: the write went elsewhere" :
	       "FAILED: data");
	check(paxb_unmap_page(&s, dst_iova) == 0, "unmap");
	return arrived;
}

int main(void)
{
	printf("pcie_user_iova: a user-managed IOVA space that ignores the reserved regions\n");
	if (paxb_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	/* The peer: the other edu on the bus, and its BAR0 bus address. */
	const struct pci_dev *peer = NULL;
	for (unsigned i = 0; i < s.rc.host.n_dev; i++)
		if (&s.rc.host.dev[i] != s.pdev && s.rc.host.dev[i].vendor == EDU_VENDOR_ID &&
		    s.rc.host.dev[i].device == EDU_DEVICE_ID)
			peer = &s.rc.host.dev[i];
	if (!check(peer && peer->bar[0].assigned, "a peer edu with BAR0")) {
		printf("pcie_user_iova: FAILED\n");
		return 1;
	}
	const uint64_t peer_bar = peer->bar[0].bus_addr;
	printf("pci: peer edu at %02x:%02x.%u, BAR0 at bus 0x%llx\n", peer->bus, peer->devfn >> 3,
	       peer->devfn & 7, (unsigned long long)peer_bar);

	/* The source: a RAM page at 34G, identity (in the 32 GiB window: legal). */
	const uint64_t src = BANK_34G;
	mem_pattern((void *)(uintptr_t)src, 0x1000, 3);
	check(paxb_map_page(&s, src, src) == 0, "map the source");
	void *dst = pages_alloc(PAGE_SIZE);
	const uint64_t dst_phys = (uintptr_t)dst;

	check(!copy_to("buggy (hole)", src, 0x100000000ull, dst_phys), "the copy into the hole fails");
	check(!copy_to("buggy (peer BAR)", src, peer_bar, dst_phys), "the copy onto the peer BAR fails");
	check(pci_resv_overlaps(&s.resv, 0x100000000ull, 0x100000fffull) &&
	      pci_resv_overlaps(&s.resv, peer_bar, peer_bar + 0xfff), "both IOVAs were reserved regions");

	/* Fixed: the user's IOVA space starts from the reserved regions. */
	uint64_t iova;
	check(paxb_iova_reset(&s) == 0 && pci_resv_reserve(&s.iovad, &s.resv) == 0, "reserve");
	check(iova_alloc(&s.iovad, 0x1000, s.resv.bus_dma_limit, &iova) == 0 &&
	      !pci_resv_overlaps(&s.resv, iova, iova + 0xfff), "an IOVA outside every region");
	check(copy_to("fixed", src, iova, dst_phys), "the copy arrives");

	printf("pcie_user_iova: %s\n", check_failures ? "FAILED" : "passed");
	return check_failures ? 1 : 0;
}
