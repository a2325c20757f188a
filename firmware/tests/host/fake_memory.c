#include "fake_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pages.h"

static size_t used;
static int ready;

void fake_memory_init(void)
{
	if (ready)
		return;
	void *p = mmap((void *)FAKE_MEMORY_BASE, FAKE_MEMORY_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)FAKE_MEMORY_BASE) {
		fprintf(stderr, "fake_memory: cannot map %#lx\n", FAKE_MEMORY_BASE);
		exit(2);
	}
	ready = 1;
}

size_t fake_memory_used(void)
{
	return used;
}

/* Naturally aligned to the size rounded up to a power of two, as lib/pages.c; never freed. */
void *pages_alloc(size_t size)
{
	fake_memory_init();
	size_t align = PAGE_SIZE;
	while (align < size)
		align <<= 1;
	size_t at = (used + align - 1) & ~(align - 1);
	if (at + size > FAKE_MEMORY_SIZE)
		return NULL;
	used = at + ((size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1));
	void *p = (void *)(FAKE_MEMORY_BASE + at);
	memset(p, 0, size);
	return p;
}

void pages_free(void *p, size_t size)
{
	(void)p;
	(void)size;
}

void mem_zero(void *p, size_t size)
{
	memset(p, 0, size);
}
