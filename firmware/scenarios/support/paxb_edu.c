#include "paxb_edu.h"

#include <errno.h>
#include <stdio.h>

#include "dtb.h"
#include "mmu.h"

#define PCI_STATUS_RX_MASTER_ABORT	(1u << 13)	/* status half of the command dword */

int paxb_edu_setup(struct paxb_edu *s, int program_inbound)
{
	int err;

	if ((err = dtb_open(&s->fdt))) {
		printf("setup: no DTB: %s\n", fdt_strerror(err));
		return -ENODEV;
	}
	if ((err = iproc_pcie_init(&s->rc, &s->fdt)) || (err = pci_enumerate(&s->rc.host)))
		return err;
	s->pdev = pci_find_device(&s->rc.host, EDU_VENDOR_ID, EDU_DEVICE_ID);
	if (!s->pdev) {
		printf("setup: no edu device (1234:11e8) on the PCI bus\n");
		return -ENODEV;
	}
	if ((err = edu_init(&s->edu, s->pdev)))
		return err;
	if (pci_map_rid(&s->rc.host, pci_rid(s->pdev), &s->iommu_phandle, &s->sid)) {
		printf("setup: iommu-map has no entry for the edu\n");
		return -ENODEV;
	}
	/* The edu's DT node, if described, for its reserved-memory regions. */
	int node = fdt_find_enabled_compatible(&s->fdt, s->rc.host.node, "pci1234,11e8");
	if ((err = pci_resv_from_dt(&s->resv, &s->fdt, s->rc.host.node, node))) {
		printf("setup: %s\n", pci_resv_strerror(err));
		return err;
	}

	int smmu_node = fdt_find_phandle(&s->fdt, s->iommu_phandle);
	uint64_t addr, size;
	if (smmu_node < 0 || !fdt_is_compatible(&s->fdt, smmu_node, "arm,smmu-v3") ||
	    fdt_get_reg(&s->fdt, smmu_node, 0, &addr, &size) || size < 0x20000) {
		printf("setup: the edu's IOMMU is not a usable arm,smmu-v3\n");
		return -ENODEV;
	}
	uint32_t max_sid = 0;
	for (unsigned i = 0; i < s->rc.host.n_dev; i++) {
		uint32_t ph, sid;
		if (pci_map_rid(&s->rc.host, pci_rid(&s->rc.host.dev[i]), &ph, &sid) == 0 &&
		    ph == s->iommu_phandle && sid > max_sid)
			max_sid = sid;
	}
	if ((err = smmu_probe(&s->smmu, ioremap(addr, size), max_sid)) || (err = smmu_reset(&s->smmu)) ||
	    (err = smmu_domain_init(&s->dom, &s->smmu)) || (err = smmu_attach(&s->dom, s->sid)) ||
	    (err = smmu_enable(&s->smmu)))
		return err;
	pci_set_master(s->pdev, 1);
	printf("pci: edu at %02x:%02x.%u, stream id 0x%x, behind the SMMU\n", s->pdev->bus,
	       s->pdev->devfn >> 3, s->pdev->devfn & 7, (unsigned)s->sid);
	if (program_inbound && (err = iproc_pcie_map_dma_ranges(&s->rc)))
		return err;
	return paxb_iova_reset(s);
}

int paxb_iova_reset(struct paxb_edu *s)
{
	return iova_domain_init(&s->iovad, "edu", SMMU_GRANULE, 0, (1ull << SMMU_IAS_BITS) - 1);
}

int paxb_map_page(struct paxb_edu *s, uint64_t iova, uint64_t phys)
{
	return smmu_map(&s->dom, iova, phys, SMMU_GRANULE, IOMMU_READ | IOMMU_WRITE);
}

int paxb_unmap_page(struct paxb_edu *s, uint64_t iova)
{
	int err = smmu_unmap(&s->dom, iova, SMMU_GRANULE);
	int err2 = smmu_flush(&s->dom, iova, SMMU_GRANULE);
	return err ? err : err2;
}

int paxb_copy(struct paxb_edu *s, uint64_t src, uint64_t dst)
{
	int err = edu_dma(&s->edu, EDU_RAM_TO_DEVICE, src, 0, XFER, EDU_DMA_TIMEOUT_US);
	if (!err)
		err = edu_dma(&s->edu, EDU_DEVICE_TO_RAM, dst, 0, XFER, EDU_DMA_TIMEOUT_US);
	check(err == 0, "the edu completes its commands");
	uint32_t cmd = pci_cfg_read32(s->pdev, PCI_COMMAND);
	int aborted = ((cmd >> 16) & PCI_STATUS_RX_MASTER_ABORT) != 0;
	if (aborted)	/* write 1 to clear, command half unchanged */
		pci_cfg_write32(s->pdev, PCI_COMMAND, (cmd & 0xffff) | PCI_STATUS_RX_MASTER_ABORT << 16);
	return !aborted;
}
