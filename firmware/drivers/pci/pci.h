/*
 * PCI host bridge with ECAM ("pci-host-ecam-generic"), described by the device tree:
 *   reg          the ECAM region (1 MiB per bus, 4 KiB per function), bus-range its first bus
 *   ranges       outbound windows (CPU -> PCI): 32-bit and 64-bit memory, I/O
 *   dma-ranges   inbound windows (PCI -> CPU); none means every bus address reaches memory
 *   iommu-map    requester id -> (IOMMU, stream id), with iommu-map-mask
 *
 * Enumeration walks bus 0 and, behind any PCI-to-PCI bridge, the buses it numbers; it sizes
 * every BAR and assigns memory BARs from the outbound memory windows (bottom-up, naturally
 * aligned, in discovery order), then sets Command.Memory on devices that got a BAR. I/O BARs
 * are left unassigned with I/O decode off. Bus mastering stays off until a driver turns it on.
 *
 * Configuration space is accessed with aligned 32-bit ECAM reads and writes only (sub-word
 * fields are read-modify-written in their dword; the status half of the command dword is
 * written as 0, which leaves its write-1-to-clear bits alone).
 */
#ifndef PCI_H
#define PCI_H

#include <stdint.h>

#include "fdt.h"
#include "iova.h"

#define PCI_MAX_DEVICES 32
#define PCI_MAX_WINDOWS 8
#define PCI_MAX_IOMMU_MAP 8

/* Configuration header offsets and bits used here. */
#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		(1u << 0)
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_CLASS_REVISION	0x08
#define PCI_HEADER_TYPE		0x0c	/* byte 2 of the dword */
#define PCI_BAR0		0x10

enum pci_space {
	PCI_SPACE_IO = 1,
	PCI_SPACE_MEM32 = 2,
	PCI_SPACE_MEM64 = 3,
};

struct pci_window {
	enum pci_space space;
	int prefetchable;
	uint64_t bus_addr, cpu_addr, size;
	uint64_t next;		/* allocation cursor (bus address) */
};

struct pci_bar {
	uint64_t size;		/* 0: not implemented */
	uint64_t bus_addr;	/* what the BAR holds */
	uint64_t cpu_addr;	/* where the CPU reaches it; 0 when not assigned */
	uint8_t io, is64, prefetchable, assigned;
};

struct pci_host;

struct pci_dev {
	struct pci_host *host;
	uint8_t bus, devfn;
	uint16_t vendor, device;
	uint8_t header_type;	/* without the multi-function bit */
	uint32_t class_rev;
	struct pci_bar bar[6];
};

struct pci_iommu_map_entry {
	uint32_t rid_base, iommu_phandle, sid_base, length;
};

/*
 * Configuration access of a host bridge without ECAM (iProc's CFG_ADDR/CFG_DATA pair, see
 * drivers/iproc_pcie): aligned dword reads and writes of <off> in function <bus>:<devfn>.
 */
struct pci_cfg_ops {
	uint32_t (*read)(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off);
	void (*write)(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off, uint32_t v);
};

struct pci_host {
	const struct fdt *fdt;
	int node;
	uintptr_t ecam;			/* when cfg is NULL */
	const struct pci_cfg_ops *cfg;	/* NULL: ECAM */
	void *cfg_priv;			/* for cfg's functions */
	uint32_t bus_first, bus_last, next_bus;
	struct pci_window win[PCI_MAX_WINDOWS];
	unsigned n_win;
	struct pci_window inbound[PCI_MAX_WINDOWS];	/* dma-ranges; next unused */
	unsigned n_inbound;
	struct pci_iommu_map_entry iommu_map[PCI_MAX_IOMMU_MAP];
	unsigned n_iommu_map;
	uint32_t iommu_map_mask;
	struct pci_dev dev[PCI_MAX_DEVICES];
	unsigned n_dev;
};

/* Read the host bridge at DT node <node>. */
int pci_host_init(struct pci_host *h, const struct fdt *fdt, int node);

/*
 * Read the host bridge at <node> whose configuration space is reached through <cfg> instead of
 * ECAM: reg is the bridge's own business; bus-range defaults to 0..255.
 */
int pci_host_init_cfg(struct pci_host *h, const struct fdt *fdt, int node,
		      const struct pci_cfg_ops *cfg, void *cfg_priv);

/* Find the first enabled "pci-host-ecam-generic" node and read it. */
int pci_host_init_from_dt(struct pci_host *h, const struct fdt *fdt);

/* Scan, number buses, size and assign BARs. */
int pci_enumerate(struct pci_host *h);

struct pci_dev *pci_find_device(struct pci_host *h, uint16_t vendor, uint16_t device);

uint32_t pci_cfg_read32(const struct pci_dev *dev, unsigned off);
void pci_cfg_write32(const struct pci_dev *dev, unsigned off, uint32_t value);
uint16_t pci_command(const struct pci_dev *dev);
void pci_set_command(const struct pci_dev *dev, uint16_t command);
void pci_set_master(const struct pci_dev *dev, int enable);

/* Requester id: bus << 8 | device << 3 | function. */
static inline uint32_t pci_rid(const struct pci_dev *dev)
{
	return (uint32_t)dev->bus << 8 | dev->devfn;
}

/* Stream id and IOMMU (its phandle) that iommu-map gives requester id <rid>. */
int pci_map_rid(const struct pci_host *h, uint32_t rid, uint32_t *iommu_phandle, uint32_t *sid);

/* Outbound memory windows / inbound windows, as bus-address ranges for lib/iova. */
unsigned pci_outbound_memory(const struct pci_host *h, struct iova_range *out, unsigned max);
unsigned pci_inbound(const struct pci_host *h, struct iova_range *out, unsigned max);

#endif
