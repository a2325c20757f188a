/*
 * Host tests of drivers: "physical" memory at a fixed low address (so table pointers fit the
 * 32-bit (H6) and 36-bit (DART1) address fields, as firmware's do) and pages_alloc() on it.
 */
#ifndef FAKE_MEMORY_H
#define FAKE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_MEMORY_BASE 0x40000000ul
#define FAKE_MEMORY_SIZE 0x01000000ul	/* 16 MiB */

/* Map the arena (once); exits when the address is taken. */
void fake_memory_init(void);
/* Bytes handed out so far by pages_alloc(). */
size_t fake_memory_used(void);

#endif
