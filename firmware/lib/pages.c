#include "pages.h"

#include <stdio.h>

#include "dtb.h"
#include "iova.h"
#include "platform.h"

static struct iova_domain pool;
static int pool_ready;

/*
 * Keep out every region of /reserved-memory (memory earlier boot firmware still uses, such as
 * the page tables iBoot left a locked display DART walking). Its children come right after it
 * in document order; the first node that is not its child ends the list.
 */
static void reserve_dt_regions(void)
{
	struct fdt fdt;

	if (dtb_open(&fdt))
		return;	/* no DTB (QEMU with a DTB elsewhere): nothing is known to be reserved */
	int parent = fdt_find_node(&fdt, "/reserved-memory");
	if (parent < 0)
		return;
	for (int node = fdt_next_node(&fdt, parent); node >= 0 && fdt_parent(&fdt, node) == parent;
	     node = fdt_next_node(&fdt, node)) {
		uint64_t base, size;
		for (uint32_t i = 0; fdt_get_reg(&fdt, node, i, &base, &size) == 0; i++)
			if (size && iova_reserve(&pool, base, base + size - 1))
				printf("pages: cannot reserve %#llx + %#llx of /reserved-memory\n",
				       (unsigned long long)base, (unsigned long long)size);
	}
}

static int pool_init(void)
{
	if (pool_ready)
		return 0;
	int err = iova_domain_init(&pool, "pages", PAGE_SIZE, FIRMWARE_FREE_BASE,
				   FIRMWARE_FREE_BASE + FIRMWARE_FREE_SIZE - 1);
	if (err)
		return err;
	reserve_dt_regions();
	pool_ready = 1;
	return 0;
}

int pages_reserved(uintptr_t phys, size_t size)
{
	if (pool_init() || size == 0)
		return 0;
	return iova_is_busy(&pool, phys, phys + size - 1);
}

void *pages_alloc(size_t size)
{
	uint64_t pa;

	if (pool_init() || iova_alloc(&pool, size, UINT64_MAX, &pa))
		return NULL;
	size = (size_t)iova_align(&pool, size);
	mem_zero((void *)(uintptr_t)pa, size);
	return (void *)(uintptr_t)pa;
}

void pages_free(void *p, size_t size)
{
	if (p && iova_free(&pool, (uintptr_t)p, size) != 0)
		printf("pages: free of %p (%zu bytes) that was not allocated\n", p, size);
}

void mem_zero(void *p, size_t size)
{
	volatile uint64_t *w = p;

	for (size_t i = 0; i < size / 8; i++)
		w[i] = 0;
}

static uint64_t pattern_word(uint32_t seed, size_t i)
{
	/* Distinct per seed and per word, and never zero (zero is what many failures leave). */
	return ((uint64_t)seed << 32 | (uint32_t)(i * 0x9e3779b9u)) ^ 0x5a5a0000a5a5ull ^ (i << 40) ^ 1;
}

void mem_pattern(void *p, size_t size, uint32_t seed)
{
	volatile uint64_t *w = p;

	for (size_t i = 0; i < size / 8; i++)
		w[i] = pattern_word(seed, i) | 1;
}

long mem_check_pattern(const void *p, size_t size, uint32_t seed)
{
	const volatile uint64_t *w = p;

	for (size_t i = 0; i < size / 8; i++)
		if (w[i] != (pattern_word(seed, i) | 1))
			return (long)(i * 8);
	return -1;
}

long mem_compare(const void *a, const void *b, size_t size)
{
	const volatile uint64_t *x = a, *y = b;

	for (size_t i = 0; i < size / 8; i++)
		if (x[i] != y[i])
			return (long)(i * 8);
	return -1;
}
