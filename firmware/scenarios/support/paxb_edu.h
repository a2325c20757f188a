/*
 * Bring-up shared by the pcie-windows scenarios, everything found in the DTB:
 *   the socsim,iproc-paxb root complex (drivers/iproc_pcie) -> enumerate through CFG_ADDR/DATA
 *   -> the first edu -> its requester id -> iommu-map -> the SMMUv3 -> a stage-1 domain with
 *   the edu's stream attached, bus mastering on.
 * The inbound windows are left as the scenario wants them: off (reset) or programmed from
 * dma-ranges. The IOVA space (4 KiB granule, 48-bit) starts with nothing reserved: each
 * scenario reserves what its allocator knows about. pci_resv is derived from the DT.
 */
#ifndef PAXB_EDU_H
#define PAXB_EDU_H

#include <stdint.h>

#include "check.h"
#include "dma.h"
#include "edu.h"
#include "fdt.h"
#include "iova.h"
#include "iproc_pcie.h"
#include "pci_resv.h"
#include "smmuv3.h"

#define EDU_DMA_TIMEOUT_US 5000000u
#define XFER 2048u
#define GiB (1ull << 30)

/* RAM banks of pcie-windows beyond the boot bank (the DTS's /memory): buffers live here, at
 * fixed physical addresses, because the page allocator serves the boot bank only. */
#define BANK_34G	(34 * GiB)
#define BANK_576G	(576 * GiB)
#define BANK_640G	(640 * GiB)

struct paxb_edu {
	struct fdt fdt;
	struct iproc_pcie rc;
	struct pci_dev *pdev;
	struct edu edu;
	struct smmu_device smmu;
	struct smmu_domain dom;
	uint32_t sid, iommu_phandle;
	struct pci_resv resv;
	struct iova_domain iovad;
};

/* Everything above; with <program_inbound>, the inbound windows from dma-ranges too. */
int paxb_edu_setup(struct paxb_edu *s, int program_inbound);

/* A fresh IOVA space for the edu: the SMMU's 48-bit input range, nothing reserved. */
int paxb_iova_reset(struct paxb_edu *s);

/* Map one 4 KiB page <phys> at <iova> in the edu's domain (read and write). */
int paxb_map_page(struct paxb_edu *s, uint64_t iova, uint64_t phys);
int paxb_unmap_page(struct paxb_edu *s, uint64_t iova);

/*
 * Copy XFER bytes from bus address <src> through the edu's buffer to bus address <dst>
 * (RAM -> device, then device -> RAM). Returns 1 when the device reports no upstream error
 * (the Received Master Abort bit of its status stays clear, an Unsupported Request sets it);
 * the bit is cleared again for the next copy.
 */
int paxb_copy(struct paxb_edu *s, uint64_t src, uint64_t dst);

#endif
