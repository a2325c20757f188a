/*
 * ECAM PCI host bridge and enumeration: see pci.h. Header layouts: the PCI Local Bus and PCI Express Base specifications (type 0/1 headers).
 */
#include "pci.h"

#include <errno.h>
#include <stdio.h>

#include "mmio.h"
#include "mmu.h"

#define PCI_PRIMARY_BUS		0x18	/* type 1: primary, secondary, subordinate, latency */
#define PCI_IO_BASE		0x1c	/* type 1: I/O base/limit, secondary status */
#define PCI_MEMORY_BASE		0x20	/* type 1: memory base/limit */
#define PCI_PREF_MEMORY_BASE	0x24	/* type 1: prefetchable base/limit */
#define PCI_PREF_BASE_UPPER	0x28
#define PCI_PREF_LIMIT_UPPER	0x2c

#define BAR_IO			(1u << 0)
#define BAR_MEM_TYPE_64		(2u << 1)
#define BAR_MEM_PREFETCH	(1u << 3)

#define BRIDGE_WINDOW_ALIGN	0x100000u	/* memory windows of bridges: 1 MiB units */

static uintptr_t cfg_addr(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off)
{
	return h->ecam + ((uintptr_t)(bus - h->bus_first) << 20) + ((uintptr_t)devfn << 12) +
	       (off & 0xffc);
}

static uint32_t cfg_read(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off)
{
	if (h->cfg)
		return h->cfg->read(h, bus, devfn, off & 0xffc);
	return read32(cfg_addr(h, bus, devfn, off));
}

static void cfg_write(const struct pci_host *h, unsigned bus, unsigned devfn, unsigned off, uint32_t v)
{
	if (h->cfg) {
		h->cfg->write(h, bus, devfn, off & 0xffc, v);
		return;
	}
	write32(cfg_addr(h, bus, devfn, off), v);
}

uint32_t pci_cfg_read32(const struct pci_dev *dev, unsigned off)
{
	return cfg_read(dev->host, dev->bus, dev->devfn, off);
}

void pci_cfg_write32(const struct pci_dev *dev, unsigned off, uint32_t value)
{
	cfg_write(dev->host, dev->bus, dev->devfn, off, value);
}

uint16_t pci_command(const struct pci_dev *dev)
{
	return (uint16_t)pci_cfg_read32(dev, PCI_COMMAND);
}

void pci_set_command(const struct pci_dev *dev, uint16_t command)
{
	pci_cfg_write32(dev, PCI_COMMAND, command);	/* status half 0: RW1C bits untouched */
}

void pci_set_master(const struct pci_dev *dev, int enable)
{
	uint16_t cmd = pci_command(dev);

	pci_set_command(dev, enable ? (cmd | PCI_COMMAND_MASTER) : (cmd & ~PCI_COMMAND_MASTER));
}

/* ---- Device tree ------------------------------------------------------------------------ */

/* Parse "ranges" or "dma-ranges": (3 PCI cells, parent address cells, 2 size cells) entries. */
static int parse_ranges(struct pci_host *h, const char *name, struct pci_window *out, unsigned *n)
{
	const struct fdt *fdt = h->fdt;
	int parent = fdt_parent(fdt, h->node);
	uint32_t pac, len;
	const void *prop;
	int err;

	*n = 0;
	if (parent < 0)
		return parent;
	if ((err = fdt_address_cells(fdt, parent, &pac)))
		return err;
	err = fdt_get_prop(fdt, h->node, name, &prop, &len);
	if (err == FDT_ERR_NOTFOUND)
		return 0;
	if (err)
		return -EINVAL;
	uint32_t entry = 4 * (3 + pac + 2);
	if (pac > 2 || len % entry != 0)
		return -EINVAL;
	for (uint32_t off = 0; off < len; off += entry) {
		const uint8_t *e = (const uint8_t *)prop + off;
		uint32_t flags = fdt_load_be32(e);
		uint64_t bus, cpu, size;
		fdt_read_cells(e + 4, 2, &bus);
		fdt_read_cells(e + 12, pac, &cpu);
		fdt_read_cells(e + 12 + 4 * pac, 2, &size);
		unsigned space = (flags >> 24) & 3;
		if (space == 0 || size == 0)
			continue;	/* configuration space or empty: not a window */
		if (*n == PCI_MAX_WINDOWS)
			return -ENOMEM;
		if (fdt_translate(fdt, parent, cpu, &cpu))
			return -EINVAL;
		struct pci_window *w = &out[(*n)++];
		w->space = (enum pci_space)space;
		w->prefetchable = (flags >> 30) & 1;
		w->bus_addr = bus;
		w->cpu_addr = cpu;
		w->size = size;
		w->next = bus;
	}
	return 0;
}

static int parse_iommu_map(struct pci_host *h)
{
	const void *prop;
	uint32_t len;
	int err;

	h->n_iommu_map = 0;
	h->iommu_map_mask = 0xffff;
	err = fdt_get_prop(h->fdt, h->node, "iommu-map", &prop, &len);
	if (err == FDT_ERR_NOTFOUND)
		return 0;
	if (err || len % 16 != 0)
		return -EINVAL;
	for (uint32_t off = 0; off < len; off += 16) {
		const uint8_t *e = (const uint8_t *)prop + off;
		if (h->n_iommu_map == PCI_MAX_IOMMU_MAP)
			return -ENOMEM;
		struct pci_iommu_map_entry *m = &h->iommu_map[h->n_iommu_map++];
		m->rid_base = fdt_load_be32(e);
		m->iommu_phandle = fdt_load_be32(e + 4);
		m->sid_base = fdt_load_be32(e + 8);
		m->length = fdt_load_be32(e + 12);
		/* Four cells per entry hold only for IOMMUs with #iommu-cells = <1>. */
		int iommu = fdt_find_phandle(h->fdt, m->iommu_phandle);
		uint32_t cells;
		if (iommu < 0 || fdt_get_u32(h->fdt, iommu, "#iommu-cells", &cells) || cells != 1)
			return -EINVAL;
	}
	uint32_t mask;
	if (fdt_get_u32(h->fdt, h->node, "iommu-map-mask", &mask) == 0)
		h->iommu_map_mask = mask;
	return 0;
}

/* What every host bridge node has: bus-range (when present), ranges, dma-ranges, iommu-map. */
static int host_parse(struct pci_host *h, const struct fdt *fdt, int node)
{
	const void *range;
	uint32_t len;
	int err;

	h->fdt = fdt;
	h->node = node;
	h->n_dev = 0;
	if (fdt_get_prop(fdt, node, "bus-range", &range, &len) == 0 && len == 8) {
		h->bus_first = fdt_load_be32(range);
		h->bus_last = fdt_load_be32((const uint8_t *)range + 4);
	}
	if ((err = parse_ranges(h, "ranges", h->win, &h->n_win)) ||
	    (err = parse_ranges(h, "dma-ranges", h->inbound, &h->n_inbound))) {
		printf("pci: bad ranges or dma-ranges\n");
		return err;
	}
	if ((err = parse_iommu_map(h))) {
		printf("pci: bad iommu-map\n");
		return err;
	}
	return 0;
}

int pci_host_init(struct pci_host *h, const struct fdt *fdt, int node)
{
	uint64_t base, size;
	int err;

	h->cfg = NULL;
	if (fdt_get_reg(fdt, node, 0, &base, &size)) {
		printf("pci: host bridge without a usable reg\n");
		return -EINVAL;
	}
	h->ecam = ioremap(base, size);	/* the CPU's address: a VA once the MMU remaps devices */
	h->bus_first = 0;
	h->bus_last = (uint32_t)(size >> 20) - 1;
	if ((err = host_parse(h, fdt, node)))
		return err;
	if (size < 0x100000 || h->bus_last < h->bus_first || h->bus_last > 255 ||
	    ((uint64_t)(h->bus_last - h->bus_first + 1) << 20) > size) {
		printf("pci: bus-range does not fit the ECAM region\n");
		return -EINVAL;
	}
	return 0;
}

int pci_host_init_cfg(struct pci_host *h, const struct fdt *fdt, int node,
		      const struct pci_cfg_ops *cfg, void *cfg_priv)
{
	int err;

	h->ecam = 0;
	h->cfg = cfg;
	h->cfg_priv = cfg_priv;
	h->bus_first = 0;
	h->bus_last = 255;
	if ((err = host_parse(h, fdt, node)))
		return err;
	if (h->bus_last < h->bus_first || h->bus_last > 255) {
		printf("pci: bad bus-range\n");
		return -EINVAL;
	}
	return 0;
}

int pci_host_init_from_dt(struct pci_host *h, const struct fdt *fdt)
{
	int node = fdt_find_enabled_compatible(fdt, -1, "pci-host-ecam-generic");

	if (node < 0) {
		printf("pci: no pci-host-ecam-generic node in the device tree\n");
		return -ENODEV;
	}
	return pci_host_init(h, fdt, node);
}

int pci_map_rid(const struct pci_host *h, uint32_t rid, uint32_t *iommu_phandle, uint32_t *sid)
{
	uint32_t masked = rid & h->iommu_map_mask;

	for (unsigned i = 0; i < h->n_iommu_map; i++) {
		const struct pci_iommu_map_entry *m = &h->iommu_map[i];
		if (masked >= m->rid_base && masked - m->rid_base < m->length) {
			*iommu_phandle = m->iommu_phandle;
			*sid = masked - m->rid_base + m->sid_base;
			return 0;
		}
	}
	return -ENOENT;
}

unsigned pci_outbound_memory(const struct pci_host *h, struct iova_range *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->n_win && n < max; i++) {
		if (h->win[i].space == PCI_SPACE_IO)
			continue;	/* I/O space is not a memory address */
		out[n].first = h->win[i].bus_addr;
		out[n].last = h->win[i].bus_addr + h->win[i].size - 1;
		n++;
	}
	return n;
}

unsigned pci_inbound(const struct pci_host *h, struct iova_range *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->n_inbound && n < max; i++) {
		out[n].first = h->inbound[i].bus_addr;
		out[n].last = h->inbound[i].bus_addr + h->inbound[i].size - 1;
		n++;
	}
	return n;
}

/* ---- Enumeration ------------------------------------------------------------------------ */

static struct pci_window *mem_window(struct pci_host *h, enum pci_space space)
{
	for (unsigned i = 0; i < h->n_win; i++)
		if (h->win[i].space == space)
			return &h->win[i];
	return NULL;
}

/* Take <size> bytes, aligned to <size>, from <w>. */
static int window_take(struct pci_window *w, uint64_t size, uint64_t *bus)
{
	uint64_t start = (w->next + size - 1) & ~(size - 1);

	if (start < w->next || start + size < start || start + size > w->bus_addr + w->size)
		return -ENOSPC;
	*bus = start;
	w->next = start + size;
	return 0;
}

/* Size the BARs of a function, with decoding off, and assign the memory ones. */
static int size_and_assign_bars(struct pci_host *h, struct pci_dev *d, unsigned nbars)
{
	uint16_t cmd = pci_command(d);
	int any_mem = 0;

	pci_set_command(d, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < nbars; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		struct pci_bar *bar = &d->bar[i];
		uint32_t orig = pci_cfg_read32(d, off);

		pci_cfg_write32(d, off, 0xffffffffu);
		uint32_t lo = pci_cfg_read32(d, off);
		pci_cfg_write32(d, off, orig);
		if (lo == 0)
			continue;	/* not implemented */

		if (lo & BAR_IO) {
			bar->io = 1;
			bar->size = (uint64_t)(~(lo & ~3u) + 1) & 0xffff;
			pci_cfg_write32(d, off, 0);
			continue;
		}
		uint64_t mask = lo & ~0xfu;
		if ((lo & 6u) == BAR_MEM_TYPE_64) {
			if (i + 1 >= nbars)
				return -EINVAL;
			uint32_t orig_hi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, 0xffffffffu);
			uint32_t hi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, orig_hi);
			mask |= (uint64_t)hi << 32;
			bar->is64 = 1;
		} else {
			mask |= 0xffffffff00000000ull;
		}
		bar->prefetchable = (lo & BAR_MEM_PREFETCH) != 0;
		bar->size = ~mask + 1;

		/* 32-bit window first (a 64-bit BAR can hold a 32-bit address), then 64-bit. */
		struct pci_window *w = mem_window(h, PCI_SPACE_MEM32);
		uint64_t bus;
		int err = w ? window_take(w, bar->size, &bus) : -ENOSPC;
		if (err && bar->is64 && (w = mem_window(h, PCI_SPACE_MEM64)))
			err = window_take(w, bar->size, &bus);
		if (err) {
			printf("pci: %02x:%02x.%u BAR%u: no room for 0x%llx bytes\n", d->bus,
			       d->devfn >> 3, d->devfn & 7, i, (unsigned long long)bar->size);
		} else {
			bar->bus_addr = bus;
			bar->cpu_addr = w->cpu_addr + (bus - w->bus_addr);
			bar->assigned = 1;
			pci_cfg_write32(d, off, (uint32_t)bus);
			if (bar->is64)
				pci_cfg_write32(d, off + 4, (uint32_t)(bus >> 32));
			any_mem = 1;
		}
		if (bar->is64)
			i++;	/* the upper half is part of this BAR */
	}
	cmd &= ~(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	pci_set_command(d, any_mem ? (cmd | PCI_COMMAND_MEMORY) : (cmd & ~PCI_COMMAND_MEMORY));
	return 0;
}

static int scan_bus(struct pci_host *h, unsigned bus, unsigned depth);

/* Number the bus behind a bridge, scan it and open the bridge's memory window over its BARs. */
static int setup_bridge(struct pci_host *h, struct pci_dev *d, unsigned depth)
{
	struct pci_window *w = mem_window(h, PCI_SPACE_MEM32);
	int err;

	if (h->next_bus >= h->bus_last) {
		printf("pci: no bus number left for the bridge at %02x:%02x.%u\n", d->bus,
		       d->devfn >> 3, d->devfn & 7);
		return 0;
	}
	unsigned secondary = ++h->next_bus;
	uint32_t r = pci_cfg_read32(d, PCI_PRIMARY_BUS) & 0xff000000u;
	pci_cfg_write32(d, PCI_PRIMARY_BUS, r | 0xff0000u | secondary << 8 | d->bus);

	uint64_t start = 0;
	if (w) {
		w->next = (w->next + BRIDGE_WINDOW_ALIGN - 1) & ~(uint64_t)(BRIDGE_WINDOW_ALIGN - 1);
		start = w->next;
	}
	if ((err = scan_bus(h, secondary, depth + 1)))
		return err;
	pci_cfg_write32(d, PCI_PRIMARY_BUS, r | h->next_bus << 16 | secondary << 8 | d->bus);

	/* Memory window [start, end) in 1 MiB units; empty: base above limit. */
	uint32_t mem = 0x0000fff0u;
	if (w && w->next > start) {
		w->next = (w->next + BRIDGE_WINDOW_ALIGN - 1) & ~(uint64_t)(BRIDGE_WINDOW_ALIGN - 1);
		mem = (uint32_t)((start >> 16) & 0xfff0) | (uint32_t)(((w->next - 1) >> 16) & 0xfff0) << 16;
	}
	pci_cfg_write32(d, PCI_MEMORY_BASE, mem);
	pci_cfg_write32(d, PCI_PREF_MEMORY_BASE, 0x0000fff0u);	/* no prefetchable window */
	pci_cfg_write32(d, PCI_PREF_BASE_UPPER, 0);
	pci_cfg_write32(d, PCI_PREF_LIMIT_UPPER, 0);
	pci_cfg_write32(d, PCI_IO_BASE, 0x000000f0u);		/* no I/O window */
	/* Forward memory both ways; a bridge must master to pass its devices' DMA upstream. */
	pci_set_command(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

static int scan_bus(struct pci_host *h, unsigned bus, unsigned depth)
{
	if (depth > 8)
		return -ELOOP;
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			unsigned devfn = dev << 3 | fn;
			uint32_t id = cfg_read(h, bus, devfn, PCI_VENDOR_ID);
			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break;
				continue;
			}
			uint32_t hdr = (cfg_read(h, bus, devfn, PCI_HEADER_TYPE) >> 16) & 0xff;
			if (h->n_dev == PCI_MAX_DEVICES) {
				printf("pci: more than %u functions\n", PCI_MAX_DEVICES);
				return -ENOMEM;
			}
			struct pci_dev *d = &h->dev[h->n_dev++];
			*d = (struct pci_dev){.host = h, .bus = (uint8_t)bus, .devfn = (uint8_t)devfn};
			d->vendor = (uint16_t)id;
			d->device = (uint16_t)(id >> 16);
			d->header_type = hdr & 0x7f;
			d->class_rev = cfg_read(h, bus, devfn, PCI_CLASS_REVISION);

			int err = 0;
			if (d->header_type == 0)
				err = size_and_assign_bars(h, d, 6);
			else if (d->header_type == 1)
				err = size_and_assign_bars(h, d, 2);
			if (!err && d->header_type == 1)
				err = setup_bridge(h, d, depth);
			if (err)
				return err;
			if (fn == 0 && !(hdr & 0x80))
				break;	/* single-function device */
		}
	}
	return 0;
}

int pci_enumerate(struct pci_host *h)
{
	h->n_dev = 0;
	h->next_bus = h->bus_first;
	for (unsigned i = 0; i < h->n_win; i++)
		h->win[i].next = h->win[i].bus_addr;
	return scan_bus(h, h->bus_first, 0);
}

struct pci_dev *pci_find_device(struct pci_host *h, uint16_t vendor, uint16_t device)
{
	for (unsigned i = 0; i < h->n_dev; i++)
		if (h->dev[i].vendor == vendor && h->dev[i].device == device)
			return &h->dev[i];
	return NULL;
}
