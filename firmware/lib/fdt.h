/*
 * A small flattened device tree (DTB) reader for the firmware.
 *
 * Debian's libfdt is built for the host only, so the firmware carries its own reader. It only
 * reads, and it never trusts the blob: every offset is checked against the blob's sizes before
 * it is used, every walk advances by at least one token, so a garbage blob gives an error and
 * never a read outside the blob or an endless loop.
 *
 * Nodes are named by their offset in the structure block (an int >= 0); functions that can fail
 * return 0 or a node offset on success and a negative FDT_ERR_* on failure.
 */
#ifndef FDT_H
#define FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

enum fdt_error {
	FDT_ERR_NOTFOUND = -1,	/* no such node or property */
	FDT_ERR_BADHEADER = -2,	/* not a DTB, an unsupported version, or sizes that do not fit */
	FDT_ERR_BADSTRUCT = -3,	/* the structure block is malformed or truncated */
	FDT_ERR_BADVALUE = -4,	/* the property has the wrong size, or is not a string */
	FDT_ERR_BADPATH = -5,	/* the path does not start with '/' */
	FDT_ERR_NOSPACE = -6,	/* more entries than the caller's array holds */
};

/* A checked view of one blob; fill it with fdt_init(). */
struct fdt {
	const uint8_t *blob;
	uint32_t total_size;
	uint32_t struct_off, struct_size;	/* structure block: tokens */
	uint32_t strings_off, strings_size;	/* strings block: property names */
};

/* DTBs are big-endian; byte loads also keep unaligned reads safe with the MMU off. */
static inline uint32_t fdt_load_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Check the header of the blob at <blob>, which may not extend past <max_size> bytes. */
int fdt_init(struct fdt *fdt, const void *blob, size_t max_size);

/* Offset of the node at <path>, e.g. "/", "/chosen", "/memory@40000000". A component without
 * a unit address matches a node with one ("/memory" finds "/memory@40000000"). */
int fdt_find_node(const struct fdt *fdt, const char *path);

/* First node after <after> (-1: from the start) whose "compatible" list holds <compatible>. */
int fdt_find_compatible(const struct fdt *fdt, int after, const char *compatible);

/* The node that follows <after> in document order (-1: the root), whatever its depth. */
int fdt_next_node(const struct fdt *fdt, int after);

/* Raw value of property <name> of <node>. */
int fdt_get_prop(const struct fdt *fdt, int node, const char *name, const void **value,
		 uint32_t *len);

/* Typed reads: the property must have exactly this size (u32: one cell, u64: two cells), and a
 * string must end in NUL inside the property. */
int fdt_get_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value);
int fdt_get_u64(const struct fdt *fdt, int node, const char *name, uint64_t *value);
int fdt_get_string(const struct fdt *fdt, int node, const char *name, const char **value);

/*
 * Structure and addresses. A node's "reg" is read with its parent's #address-cells and
 * #size-cells (defaults 2 and 1, as the Devicetree Specification says) and translated to the
 * root's address space (the CPU's physical addresses) through every ancestor's "ranges": an
 * empty "ranges" is the identity, a missing one means the address cannot be translated.
 * Values wider than 64 bits (more than two cells) give FDT_ERR_BADVALUE.
 */

/* Offset of the parent of <node>; FDT_ERR_NOTFOUND for the root. */
int fdt_parent(const struct fdt *fdt, int node);

/* #address-cells / #size-cells that <node> gives its children (defaults 2 / 1). */
int fdt_address_cells(const struct fdt *fdt, int node, uint32_t *cells);
int fdt_size_cells(const struct fdt *fdt, int node, uint32_t *cells);

/* Entry <index> of <node>'s "reg", translated to a CPU physical address. */
int fdt_get_reg(const struct fdt *fdt, int node, uint32_t index, uint64_t *addr, uint64_t *size);

/* Translate <addr> in the address space of <node>'s children to a CPU physical address. */
int fdt_translate(const struct fdt *fdt, int node, uint64_t addr, uint64_t *cpu_addr);

/* The node whose "phandle" property is <phandle>. */
int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle);

/* 1 when <node>'s "compatible" list holds <compatible>; 0 otherwise. */
int fdt_is_compatible(const struct fdt *fdt, int node, const char *compatible);

/* 1 when <node> is enabled: no "status", or "okay" / "ok"; 0 otherwise. */
int fdt_is_enabled(const struct fdt *fdt, int node);

/* First enabled node after <after> (-1: from the start) compatible with <compatible>. */
int fdt_find_enabled_compatible(const struct fdt *fdt, int after, const char *compatible);

/*
 * PCI bus nodes (Devicetree Specification, PCI bus binding; Linux drivers/of/address.c parses
 * the same layout): an address is three cells, phys.hi (flags: the space code in bits 25:24,
 * prefetchable in bit 30) then a 64-bit bus address. Each "ranges" (outbound, CPU -> PCI) or
 * "dma-ranges" (inbound, PCI -> CPU) entry is (PCI address, parent-bus address, size).
 */
#define FDT_PCI_SPACE(flags)	(((flags) >> 24) & 3)
#define FDT_PCI_PREFETCH	(1u << 30)
enum fdt_pci_space {
	FDT_PCI_SPACE_CONFIG = 0,
	FDT_PCI_SPACE_IO = 1,
	FDT_PCI_SPACE_MEM32 = 2,
	FDT_PCI_SPACE_MEM64 = 3,
};

struct fdt_pci_range {
	uint32_t flags;		/* phys.hi */
	uint64_t pci_addr;	/* bus address */
	uint64_t parent_addr;	/* in the parent bus's address space, not translated further */
	uint64_t size;
};

/*
 * Every entry of property <name> ("ranges" or "dma-ranges") of the PCI bus node <node>, in DT
 * order and unfiltered (callers pick the spaces they want); *count is how many. <node> must
 * have #address-cells = 3 and #size-cells 1 or 2, its parent #address-cells 1 or 2, else
 * FDT_ERR_BADVALUE; so is a length that is not a whole number of entries. An empty property
 * gives no entries; FDT_ERR_NOSPACE when there are more than <max>.
 */
int fdt_get_pci_ranges(const struct fdt *fdt, int node, const char *name, struct fdt_pci_range *out,
		       unsigned max, unsigned *count);

/* <cells> big-endian cells at <p> as one number; FDT_ERR_BADVALUE for more than two cells. */
int fdt_read_cells(const void *p, uint32_t cells, uint64_t *value);

const char *fdt_strerror(int err);

#endif
