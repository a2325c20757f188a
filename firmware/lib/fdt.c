/*
 * Flattened device tree reader: see fdt.h. Format: Devicetree Specification v0.4, chapter 5.
 */
#include "fdt.h"

#include <string.h>

/* Header fields (big-endian u32 each, in this order). Version 17 is what dtc, QEMU and libfdt
 * write; it is the first to carry size_dt_struct, which bounds the token walk. */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_DT_STRUCT = 8,
	HDR_OFF_DT_STRINGS = 12,
	HDR_OFF_MEM_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP_VERSION = 24,
	HDR_BOOT_CPUID_PHYS = 28,
	HDR_SIZE_DT_STRINGS = 32,
	HDR_SIZE_DT_STRUCT = 36,
	HDR_SIZE = 40,
};

/* Structure block tokens. */
enum {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
};

/* One decoded token. */
struct token {
	uint32_t type;
	uint32_t off;		/* offset of the token in the structure block */
	const char *name;	/* BEGIN_NODE: node name; PROP: property name */
	const uint8_t *value;	/* PROP: value */
	uint32_t len;		/* PROP: value length */
};

/* Does [off, off + len) lie inside a block of <size> bytes? Written so that it cannot overflow. */
static int in_block(uint32_t off, uint32_t len, uint32_t size)
{
	return off <= size && len <= size - off;
}

int fdt_init(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;

	if (!blob || max_size < HDR_SIZE)
		return FDT_ERR_BADHEADER;
	if (fdt_load_be32(b + HDR_MAGIC) != FDT_MAGIC)
		return FDT_ERR_BADHEADER;

	uint32_t total = fdt_load_be32(b + HDR_TOTALSIZE);
	uint32_t struct_off = fdt_load_be32(b + HDR_OFF_DT_STRUCT);
	uint32_t struct_size = fdt_load_be32(b + HDR_SIZE_DT_STRUCT);
	uint32_t strings_off = fdt_load_be32(b + HDR_OFF_DT_STRINGS);
	uint32_t strings_size = fdt_load_be32(b + HDR_SIZE_DT_STRINGS);

	/* Node offsets are returned as int: keep every offset below INT32_MAX. */
	if (total < HDR_SIZE || total > max_size || total > INT32_MAX)
		return FDT_ERR_BADHEADER;
	if (fdt_load_be32(b + HDR_VERSION) < 17 || fdt_load_be32(b + HDR_LAST_COMP_VERSION) > 17)
		return FDT_ERR_BADHEADER;
	if (struct_off < HDR_SIZE || struct_off % 4 != 0 || !in_block(struct_off, struct_size, total))
		return FDT_ERR_BADHEADER;
	if (strings_off < HDR_SIZE || !in_block(strings_off, strings_size, total))
		return FDT_ERR_BADHEADER;

	fdt->blob = b;
	fdt->total_size = total;
	fdt->struct_off = struct_off;
	fdt->struct_size = struct_size;
	fdt->strings_off = strings_off;
	fdt->strings_size = strings_size;
	return 0;
}

/* Length of the NUL-terminated string at <off> in a block of <size> bytes, or -1 when no NUL
 * comes before the end of the block. */
static int32_t bounded_strlen(const uint8_t *block, uint32_t off, uint32_t size)
{
	for (uint32_t i = off; i < size; i++)
		if (block[i] == '\0')
			return (int32_t)(i - off);
	return -1;
}

/* Round up to the next token boundary. Offsets stay below INT32_MAX, so this cannot wrap. */
static uint32_t align4(uint32_t off)
{
	return (off + 3) & ~3u;
}

/*
 * Decode the token at *cursor and move *cursor past it. Every token is at least 4 bytes, so a
 * walk built on this always advances and ends at the end of the structure block at the latest.
 */
static int next_token(const struct fdt *fdt, uint32_t *cursor, struct token *tok)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t size = fdt->struct_size;
	uint32_t off = *cursor;

	if (!in_block(off, 4, size))
		return FDT_ERR_BADSTRUCT;
	tok->type = fdt_load_be32(s + off);
	tok->off = off;
	off += 4;

	switch (tok->type) {
	case FDT_BEGIN_NODE: {
		int32_t n = bounded_strlen(s, off, size);
		if (n < 0)
			return FDT_ERR_BADSTRUCT;
		tok->name = (const char *)s + off;
		off = align4(off + (uint32_t)n + 1);
		break;
	}
	case FDT_PROP: {
		if (!in_block(off, 8, size))
			return FDT_ERR_BADSTRUCT;
		uint32_t len = fdt_load_be32(s + off);
		uint32_t name_off = fdt_load_be32(s + off + 4);
		off += 8;
		if (!in_block(off, len, size))
			return FDT_ERR_BADSTRUCT;
		const uint8_t *strings = fdt->blob + fdt->strings_off;
		if (bounded_strlen(strings, name_off, fdt->strings_size) < 0)
			return FDT_ERR_BADSTRUCT;
		tok->name = (const char *)strings + name_off;
		tok->value = s + off;
		tok->len = len;
		off = align4(off + len);
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return FDT_ERR_BADSTRUCT;
	}
	*cursor = off;
	return 0;
}

/* Start of the path component after any '/' at <p>. */
static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return p;
}

/* Does node name <name> match the path component at <want> (ended by '/' or NUL)? */
static int name_matches(const char *name, const char *want)
{
	size_t len = strcspn(want, "/");

	if (strncmp(name, want, len) != 0)
		return 0;
	if (name[len] == '\0')
		return 1;
	/* "memory" matches "memory@40000000" when the path leaves the unit address out. */
	return name[len] == '@' && memchr(want, '@', len) == NULL;
}

int fdt_find_node(const struct fdt *fdt, const char *path)
{
	if (!path || path[0] != '/')
		return FDT_ERR_BADPATH;

	const char *want = skip_slashes(path);	/* next component to find */
	int depth = 0;				/* depth of the current node, root = 1 */
	int matched = 0;			/* depth of the deepest node on the path so far */
	uint32_t cursor = 0;
	struct token tok;

	for (;;) {
		int err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;

		switch (tok.type) {
		case FDT_BEGIN_NODE:
			depth++;
			if (depth == 1) {
				matched = 1;	/* the root */
			} else if (depth == matched + 1 && name_matches(tok.name, want)) {
				matched = depth;
				want = skip_slashes(want + strcspn(want, "/"));
			} else {
				break;
			}
			if (*want == '\0')
				return (int)tok.off;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return FDT_ERR_BADSTRUCT;
			/* Sibling names are unique: once the deepest match closes, the path is absent. */
			if (depth == matched)
				return FDT_ERR_NOTFOUND;
			depth--;
			break;
		case FDT_END:
			return FDT_ERR_BADSTRUCT;	/* the root node never closed */
		default:
			break;	/* FDT_PROP, FDT_NOP */
		}
	}
}

int fdt_get_prop(const struct fdt *fdt, int node, const char *name, const void **value,
		 uint32_t *len)
{
	uint32_t cursor = (uint32_t)node;
	struct token tok;
	int err;

	if (node < 0)
		return FDT_ERR_NOTFOUND;
	err = next_token(fdt, &cursor, &tok);
	if (err)
		return err;
	if (tok.type != FDT_BEGIN_NODE)
		return FDT_ERR_BADSTRUCT;

	/* A node's properties come before its subnodes. */
	for (;;) {
		err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;
		if (tok.type == FDT_NOP)
			continue;
		if (tok.type != FDT_PROP)
			return FDT_ERR_NOTFOUND;
		if (strcmp(tok.name, name) == 0) {
			*value = tok.value;
			*len = tok.len;
			return 0;
		}
	}
}

int fdt_get_u32(const struct fdt *fdt, int node, const char *name, uint32_t *value)
{
	const void *p;
	uint32_t len;
	int err = fdt_get_prop(fdt, node, name, &p, &len);

	if (err)
		return err;
	if (len != 4)
		return FDT_ERR_BADVALUE;
	*value = fdt_load_be32(p);
	return 0;
}

int fdt_get_u64(const struct fdt *fdt, int node, const char *name, uint64_t *value)
{
	const void *p;
	uint32_t len;
	int err = fdt_get_prop(fdt, node, name, &p, &len);

	if (err)
		return err;
	if (len != 8)
		return FDT_ERR_BADVALUE;
	*value = (uint64_t)fdt_load_be32(p) << 32 | fdt_load_be32((const uint8_t *)p + 4);
	return 0;
}

int fdt_get_string(const struct fdt *fdt, int node, const char *name, const char **value)
{
	const void *p;
	uint32_t len;
	int err = fdt_get_prop(fdt, node, name, &p, &len);

	if (err)
		return err;
	if (len == 0 || ((const char *)p)[len - 1] != '\0')
		return FDT_ERR_BADVALUE;
	*value = p;
	return 0;
}

/* Is <compatible> one of the NUL-separated strings of a compatible property? */
static int list_has(const uint8_t *list, uint32_t len, const char *compatible)
{
	size_t want = strlen(compatible);
	uint32_t i = 0;

	while (i < len) {
		const uint8_t *end = memchr(list + i, '\0', len - i);
		if (!end)
			return 0;	/* unterminated last entry: not a string list */
		size_t n = (size_t)(end - (list + i));
		if (n == want && memcmp(list + i, compatible, n) == 0)
			return 1;
		i += (uint32_t)n + 1;
	}
	return 0;
}

int fdt_find_compatible(const struct fdt *fdt, int after, const char *compatible)
{
	uint32_t cursor = 0;
	struct token tok;
	int err;

	if (after >= 0) {
		/* Step over <after>'s own BEGIN_NODE so the search starts at what follows it. */
		cursor = (uint32_t)after;
		err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;
	}
	for (;;) {
		err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;
		if (tok.type == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (tok.type != FDT_BEGIN_NODE)
			continue;

		const void *list;
		uint32_t len;
		err = fdt_get_prop(fdt, (int)tok.off, "compatible", &list, &len);
		if (err == 0 && list_has(list, len, compatible))
			return (int)tok.off;
		if (err != 0 && err != FDT_ERR_NOTFOUND)
			return err;
	}
}

int fdt_next_node(const struct fdt *fdt, int after)
{
	uint32_t cursor = 0;
	struct token tok;
	int err;

	if (after >= 0) {
		cursor = (uint32_t)after;
		if ((err = next_token(fdt, &cursor, &tok)))
			return err;
		if (tok.type != FDT_BEGIN_NODE)
			return FDT_ERR_BADSTRUCT;	/* <after> is not a node's offset */
	}
	for (;;) {
		if ((err = next_token(fdt, &cursor, &tok)))
			return err;
		if (tok.type == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (tok.type == FDT_BEGIN_NODE)
			return (int)tok.off;
	}
}

const char *fdt_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case FDT_ERR_NOTFOUND:
		return "not found";
	case FDT_ERR_BADHEADER:
		return "bad DTB header";
	case FDT_ERR_BADSTRUCT:
		return "malformed DTB structure";
	case FDT_ERR_BADVALUE:
		return "property has the wrong size or type";
	case FDT_ERR_BADPATH:
		return "path must start with '/'";
	case FDT_ERR_NOSPACE:
		return "more entries than the reader's table holds";
	default:
		return "unknown error";
	}
}

/* Deepest node nesting the structure walkers below follow; deeper trees give BADSTRUCT. */
#define FDT_MAX_DEPTH 64

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0;
	uint32_t cursor = 0;
	struct token tok;

	if (node < 0)
		return FDT_ERR_NOTFOUND;
	for (;;) {
		int err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;
		switch (tok.type) {
		case FDT_BEGIN_NODE:
			if ((int)tok.off == node)
				return depth == 0 ? FDT_ERR_NOTFOUND : stack[depth - 1];
			if (depth == FDT_MAX_DEPTH)
				return FDT_ERR_BADSTRUCT;
			stack[depth++] = (int)tok.off;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return FDT_ERR_BADSTRUCT;
			depth--;
			break;
		case FDT_END:
			return FDT_ERR_NOTFOUND;	/* <node> is not a node's offset */
		default:
			break;
		}
	}
}

static int cells_or_default(const struct fdt *fdt, int node, const char *name, uint32_t fallback,
			    uint32_t *cells)
{
	int err = fdt_get_u32(fdt, node, name, cells);

	if (err == FDT_ERR_NOTFOUND) {
		*cells = fallback;
		return 0;
	}
	return err;
}

int fdt_address_cells(const struct fdt *fdt, int node, uint32_t *cells)
{
	return cells_or_default(fdt, node, "#address-cells", 2, cells);
}

int fdt_size_cells(const struct fdt *fdt, int node, uint32_t *cells)
{
	return cells_or_default(fdt, node, "#size-cells", 1, cells);
}

int fdt_read_cells(const void *p, uint32_t cells, uint64_t *value)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	if (cells > 2)
		return FDT_ERR_BADVALUE;
	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | fdt_load_be32(b + 4 * i);
	*value = v;
	return 0;
}

/*
 * Translate <addr>, an address in the space of <bus>'s children, one level up through <bus>'s
 * "ranges". <bus> must not be the root.
 */
static int translate_one(const struct fdt *fdt, int bus, uint64_t *addr)
{
	int parent = fdt_parent(fdt, bus);
	uint32_t child_ac, parent_ac, sc, len;
	const void *ranges;
	int err;

	if (parent < 0)
		return parent;
	if ((err = fdt_address_cells(fdt, bus, &child_ac)) || (err = fdt_size_cells(fdt, bus, &sc)) ||
	    (err = fdt_address_cells(fdt, parent, &parent_ac)))
		return err;
	err = fdt_get_prop(fdt, bus, "ranges", &ranges, &len);
	if (err)
		return err;
	if (len == 0)
		return 0;	/* identity */

	uint32_t entry = 4 * (child_ac + parent_ac + sc);
	if (child_ac > 2 || parent_ac > 2 || sc > 2 || entry == 0 || len % entry != 0)
		return FDT_ERR_BADVALUE;
	for (uint32_t off = 0; off < len; off += entry) {
		const uint8_t *e = (const uint8_t *)ranges + off;
		uint64_t child, cpu, size;
		fdt_read_cells(e, child_ac, &child);
		fdt_read_cells(e + 4 * child_ac, parent_ac, &cpu);
		fdt_read_cells(e + 4 * (child_ac + parent_ac), sc, &size);
		if (*addr >= child && *addr - child < size) {
			*addr = cpu + (*addr - child);
			return 0;
		}
	}
	return FDT_ERR_NOTFOUND;
}

int fdt_translate(const struct fdt *fdt, int node, uint64_t addr, uint64_t *cpu_addr)
{
	/* Each step moves one level up, so the walk ends at the root within FDT_MAX_DEPTH steps. */
	for (int steps = 0; steps < FDT_MAX_DEPTH; steps++) {
		int parent = fdt_parent(fdt, node);
		if (parent == FDT_ERR_NOTFOUND) {	/* <node> is the root */
			*cpu_addr = addr;
			return 0;
		}
		if (parent < 0)
			return parent;
		int err = translate_one(fdt, node, &addr);
		if (err)
			return err;
		node = parent;
	}
	return FDT_ERR_BADSTRUCT;
}

int fdt_get_reg(const struct fdt *fdt, int node, uint32_t index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	uint32_t ac, sc, len;
	const void *reg;
	int err;

	if (parent < 0)
		return parent == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : parent;	/* the root has no reg */
	if ((err = fdt_address_cells(fdt, parent, &ac)) || (err = fdt_size_cells(fdt, parent, &sc)))
		return err;
	if ((err = fdt_get_prop(fdt, node, "reg", &reg, &len)))
		return err;
	uint32_t entry = 4 * (ac + sc);
	if (ac > 2 || sc > 2 || entry == 0 || len % entry != 0)
		return FDT_ERR_BADVALUE;
	if (index >= len / entry)
		return FDT_ERR_NOTFOUND;

	const uint8_t *e = (const uint8_t *)reg + index * entry;
	uint64_t a;
	fdt_read_cells(e, ac, &a);
	fdt_read_cells(e + 4 * ac, sc, size);
	return fdt_translate(fdt, parent, a, addr);
}

int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle)
{
	uint32_t cursor = 0;
	struct token tok;

	if (phandle == 0 || phandle == 0xffffffffu)
		return FDT_ERR_NOTFOUND;	/* reserved values, never a node's phandle */
	for (;;) {
		int err = next_token(fdt, &cursor, &tok);
		if (err)
			return err;
		if (tok.type == FDT_END)
			return FDT_ERR_NOTFOUND;
		if (tok.type != FDT_BEGIN_NODE)
			continue;
		uint32_t value;
		if (fdt_get_u32(fdt, (int)tok.off, "phandle", &value) == 0 && value == phandle)
			return (int)tok.off;
	}
}

int fdt_is_compatible(const struct fdt *fdt, int node, const char *compatible)
{
	const void *list;
	uint32_t len;

	if (fdt_get_prop(fdt, node, "compatible", &list, &len))
		return 0;
	return list_has(list, len, compatible);
}

int fdt_is_enabled(const struct fdt *fdt, int node)
{
	const char *status;
	int err = fdt_get_string(fdt, node, "status", &status);

	if (err == FDT_ERR_NOTFOUND)
		return 1;
	if (err)
		return 0;
	return strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

int fdt_find_enabled_compatible(const struct fdt *fdt, int after, const char *compatible)
{
	int node = after;

	/* fdt_find_compatible() moves forward by at least one token, so this ends. */
	for (;;) {
		node = fdt_find_compatible(fdt, node, compatible);
		if (node < 0 || fdt_is_enabled(fdt, node))
			return node;
	}
}

int fdt_get_pci_ranges(const struct fdt *fdt, int node, const char *name, struct fdt_pci_range *out,
		       unsigned max, unsigned *count)
{
	int parent = fdt_parent(fdt, node);
	uint32_t ac, sc, pac, len;
	const void *prop;
	int err;

	*count = 0;
	if (parent < 0)
		return parent == FDT_ERR_NOTFOUND ? FDT_ERR_BADVALUE : parent;	/* the root is no PCI bus */
	if ((err = fdt_address_cells(fdt, node, &ac)) || (err = fdt_size_cells(fdt, node, &sc)) ||
	    (err = fdt_address_cells(fdt, parent, &pac)))
		return err;
	if ((err = fdt_get_prop(fdt, node, name, &prop, &len)))
		return err;
	if (ac != 3 || sc < 1 || sc > 2 || pac < 1 || pac > 2)
		return FDT_ERR_BADVALUE;
	uint32_t entry = 4 * (ac + pac + sc);
	if (len % entry != 0)
		return FDT_ERR_BADVALUE;
	if (len / entry > max)
		return FDT_ERR_NOSPACE;
	for (uint32_t off = 0; off < len; off += entry) {
		const uint8_t *e = (const uint8_t *)prop + off;
		struct fdt_pci_range *r = &out[(*count)++];
		r->flags = fdt_load_be32(e);
		fdt_read_cells(e + 4, 2, &r->pci_addr);
		fdt_read_cells(e + 12, pac, &r->parent_addr);
		fdt_read_cells(e + 12 + 4 * pac, sc, &r->size);
	}
	return 0;
}
