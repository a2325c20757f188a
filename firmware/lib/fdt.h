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

/* Raw value of property <name> of <node>. */
int fdt_get_prop(const struct fdt *fdt, int node, const char *name, const void **value,
		 uint32_t *len);

/* Typed reads: the property must have exactly this size (u32: one cell, u64: two cells), and a
 * string must end in NUL inside the property. */
int fdt_get_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value);
int fdt_get_u64(const struct fdt *fdt, int node, const char *name, uint64_t *value);
int fdt_get_string(const struct fdt *fdt, int node, const char *name, const char **value);

const char *fdt_strerror(int err);

#endif
