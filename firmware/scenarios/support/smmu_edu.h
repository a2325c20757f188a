/*
 * Bring-up shared by the SMMU / PCI / IOVA scenarios on `virt`: everything is found in the DTB
 * the loader passed (QEMU's or socsim's), nothing is typed twice:
 *   PCI host bridge ("pci-host-ecam-generic") -> enumerate -> the edu device -> its requester
 *   id -> iommu-map -> the SMMU node (must be "arm,smmu-v3") and the edu's stream id.
 * Then the SMMU is probed and reset, a stage-1 domain is created and the edu's stream attached,
 * and an IOVA space (4 KiB granule, 48-bit) is set up with the bridge's windows reserved.
 *
 * It prints only lines that QEMU and socsim must agree on.
 */
#ifndef SMMU_EDU_H
#define SMMU_EDU_H

#include <stdint.h>

#include "check.h"
#include "dma.h"
#include "edu.h"
#include "fdt.h"
#include "iova.h"
#include "pci.h"
#include "smmuv3.h"

/* Generous: QEMU's edu completes a DMA 100 ms of virtual time after the command. */
#define EDU_DMA_TIMEOUT_US 5000000u
/* Bytes per data-checked DMA: half the edu's buffer (see EDU_DMA_MAX_END). */
#define XFER 2048u

struct smmu_edu {
	struct fdt fdt;
	struct pci_host pci;
	struct pci_dev *pdev;
	struct edu edu;
	struct smmu_device smmu;
	struct smmu_domain dom;
	uint32_t sid;
	struct iova_domain iovad;
	struct dma_device dma;
};

/*
 * Find and set up everything. With <enable>, SMMUEN is set and the edu's stream is attached to
 * the domain with bus mastering on; without, the SMMU is left reset with SMMUEN = 0.
 */
int smmu_edu_setup(struct smmu_edu *s, int enable);

/* Failed checks so far (each printed as "FAIL: ..."). */

/* Events read until the queue is empty: how many, the first one, and whether all of them
 * have the first one's type, stream and direction with an input address in [lo, hi]. */
struct event_summary {
	unsigned count;
	struct smmu_event first;
	int consistent;
};
void events_collect(struct smmu_device *smmu, struct event_summary *sum, uint64_t lo, uint64_t hi);
/* Drop every pending event. */
void events_drain(struct smmu_device *smmu);
/* "F_TRANSLATION stream 0x8 iova 0x0ffff000 write" */
void event_print(const char *prefix, const struct smmu_event *ev);

/* Expect exactly the fault <type> for a DMA at [iova, iova + len) in direction <rnw>; prints
 * "<what>: <event>" and checks. */
int expect_fault(struct smmu_edu *s, const char *what, unsigned type, uint64_t iova, uint32_t len,
		 int rnw);
/* Expect no event at all. */
int expect_no_event(struct smmu_edu *s, const char *what);

/*
 * DMA helpers through the edu. A "round trip" copies <len> bytes from bus address <src> into
 * the device buffer and back out to <dst>.
 */
int edu_to_device(struct smmu_edu *s, uint64_t src, uint32_t len);
int edu_to_ram(struct smmu_edu *s, uint64_t dst, uint32_t len);

/* Map a scratch page with a known pattern and load the device buffer from it (through the
 * SMMU), so later checks can tell what the device wrote. Unmaps it again. */
int edu_load_buffer(struct smmu_edu *s, uint32_t seed, uint32_t len);

#endif
