/*
 * Driver for socsim's iProc PAXB-like PCIe root complex ("socsim,iproc-paxb",
 * docs/hardware/iproc-pcie.md), following Linux drivers/pci/controller/pcie-iproc.c:
 *
 * - configuration space has no ECAM window: the root complex's own header (00:00.0) is reached
 *   through CFG_IND_ADDR/CFG_IND_DATA, every other function through CFG_ADDR (bus << 20 |
 *   device << 15 | function << 12 | register | type 1) and CFG_DATA (iproc_pcie_map_cfg_bus,
 *   iproc_pcie_map_ep_cfg_reg). drivers/pci enumerates through these (pci_host_init_cfg).
 * - the inbound windows are not live at reset: firmware programs one IARR region (and its IMAP
 *   windows) per dma-ranges entry (iproc_pcie_map_dma_ranges, iproc_pcie_setup_ib,
 *   iproc_pcie_ib_write). The entry goes to the first unused memory region that has its size
 *   exactly; the AXI (CPU) and PCI addresses must both be aligned to that size. Anything else
 *   is refused before a register is written, with Linux's messages ("axi .. or pci .. not
 *   aligned", "unable to configure inbound mapping").
 *
 * The region table is PAXB v2's (paxb_v2_ib_map in pcie-iproc.c):
 *   region  unit    sizes                       IMAP windows  IARR   IMAP lo, hi, stride
 *   IARR0   1 KiB   32 KiB (I/O: MSI steering)  8             0xd00  0xc00, +0x40, 4
 *   IARR1   1 MiB   8 MiB                       8             0xd08  0xd70, +4, 8
 *   IARR2   1 MiB   64 MiB .. 16 GiB            1             0xd10  0xcc0, +4, 8
 *   IARR3   1 GiB   1 .. 32 GiB                 8             0xe00  0xe08, +4, 8
 *   IARR4   1 GiB   32 .. 512 GiB               8             0xe68  0xe70, +4, 8
 * IARR low word = PCI address bits 31:0 | BIT(size index), high word = bits 63:32; a region of
 * size S with W windows is W slices of S/W, IMAP k = AXI address of slice k | VALID (bit 0).
 *
 * The placement (iproc_ib_place) is pure and host-tested (firmware/tests).
 */
#ifndef IPROC_PCIE_H
#define IPROC_PCIE_H

#include <stdint.h>

#include "pci.h"

#define IPROC_CFG_IND_ADDR	0x120
#define IPROC_CFG_IND_DATA	0x124
#define IPROC_CFG_ADDR		0x1f8
#define IPROC_CFG_DATA		0x1fc
#define IPROC_LINK_STATUS	0xf0c
#define IPROC_LINK_PHYLINKUP	(1u << 3)
#define IPROC_LINK_DL_ACTIVE	(1u << 2)
#define IPROC_IMAP_VALID	1u

#define IPROC_IB_REGIONS	5
#define IPROC_IB_MAX_SIZES	9

struct iproc_ib_region {
	const char *name;
	int memory;		/* 1: takes memory dma-ranges entries; 0: IARR0 (I/O, for MSIs) */
	uint64_t size_unit;
	uint16_t sizes[IPROC_IB_MAX_SIZES];	/* in size units; size bit i selects sizes[i] */
	unsigned n_sizes;
	unsigned n_windows;
	uint32_t iarr;		/* IARR low word; the high word follows at +4 */
	uint32_t imap;		/* IMAP window 0 low word */
	uint32_t imap_hi;	/* from a window's low word to its high word */
	uint32_t imap_stride;	/* from one window to the next */
};

extern const struct iproc_ib_region iproc_ib_regions[IPROC_IB_REGIONS];

/* Where one inbound window goes, and why it cannot go anywhere. */
enum iproc_ib_result {
	IPROC_IB_OK,
	IPROC_IB_NOT_ALIGNED,	/* a region has the size, an address is not aligned to it */
	IPROC_IB_NO_REGION,	/* no unused memory region has this size */
};

struct iproc_ib_place {
	unsigned region, size_idx;	/* valid for IPROC_IB_OK and IPROC_IB_NOT_ALIGNED */
	uint32_t iarr_lo, iarr_hi;
	uint64_t window_size;		/* size / windows: what each IMAP maps */
};

/*
 * Choose the region for the inbound window AXI <axi>, PCI <pci>, <size> as Linux's
 * iproc_pcie_setup_ib does: the first memory region not in <in_use> (bit per region) with an
 * allowed size equal to <size>; its addresses must be aligned to the size (Linux then fails
 * without trying another region).
 */
enum iproc_ib_result iproc_ib_place(uint32_t in_use, uint64_t axi, uint64_t pci, uint64_t size,
				    struct iproc_ib_place *out);

struct iproc_pcie {
	uintptr_t base;
	struct pci_host host;	/* ranges, dma-ranges, iommu-map, enumeration (drivers/pci) */
};

/* Find the first enabled "socsim,iproc-paxb" node, map its registers, check the link and read
 * the bridge's properties. Enumeration is pci_enumerate(&p->host). */
int iproc_pcie_init(struct iproc_pcie *p, const struct fdt *fdt);

uint32_t iproc_read(const struct iproc_pcie *p, uint32_t off);
void iproc_write(const struct iproc_pcie *p, uint32_t off, uint32_t v);

/* 1 when region <r> has a size bit set (Linux's iproc_pcie_ib_is_in_use). */
int iproc_ib_in_use(const struct iproc_pcie *p, unsigned r);

/* Turn every inbound region off (IMAP windows invalid, IARR zero), as Linux's
 * iproc_pcie_invalidate_mapping does with what a boot loader left. */
void iproc_ib_invalidate(struct iproc_pcie *p);

/*
 * Program IARR <region> with size index <size_idx> at PCI <pci>, then its IMAP windows from
 * AXI <axi> on (iproc_pcie_ib_write's order: IARR low, IARR high, then each window low, high).
 * No check at all: the hardware judges what it gets. iproc_ib_setup is the checked path.
 */
void iproc_ib_write(struct iproc_pcie *p, unsigned region, unsigned size_idx, uint64_t axi,
		    uint64_t pci);

/* One inbound window, placed and checked as Linux does; 0 or -EINVAL (messages printed). */
int iproc_ib_setup(struct iproc_pcie *p, uint64_t axi, uint64_t pci, uint64_t size);

/* Every dma-ranges entry, in DT order (iproc_pcie_map_dma_ranges); stops at the first error. */
int iproc_pcie_map_dma_ranges(struct iproc_pcie *p);

#endif
