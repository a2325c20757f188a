/*
 * Physical page allocator for the firmware's free RAM (FIRMWARE_FREE_BASE .. + SIZE): page
 * tables, queues, stream tables and DMA buffers. Built on the range allocator of lib/iova.c (the
 * same top-down, naturally aligned search), over physical addresses: blocks are aligned to
 * their size rounded up to a power of two, which the SMMU's tables and queues require and which
 * lets 2 MiB buffers be mapped with block descriptors.
 *
 * Regions listed under the DTB's /reserved-memory (memory that earlier boot firmware still
 * uses) are never handed out.
 *
 * The MMU is off, so a physical address is also the CPU's pointer to the memory.
 */
#ifndef PAGES_H
#define PAGES_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

/* <size> bytes (rounded up to pages), zeroed; NULL when there is no room. */
void *pages_alloc(size_t size);
void pages_free(void *p, size_t size);

/* 1 if any byte of [phys, phys + size) is allocated or reserved (/reserved-memory regions are
 * reserved when the pool is first used). */
int pages_reserved(uintptr_t phys, size_t size);

/* Fill / compare memory with aligned 64-bit accesses (the MMU is off: every data access is
 * Device memory, where libc's string routines may fault on unaligned or DC ZVA accesses).
 * <p> must be 8-byte aligned and <size> a multiple of 8. */
void mem_zero(void *p, size_t size);
/* Deterministic pattern depending on <seed> and the offset. */
void mem_pattern(void *p, size_t size, uint32_t seed);
/* Offset of the first 64-bit word that differs from the pattern, or -1 when all match. */
long mem_check_pattern(const void *p, size_t size, uint32_t seed);
/* Offset of the first differing word of two buffers, or -1. */
long mem_compare(const void *a, const void *b, size_t size);

#endif
