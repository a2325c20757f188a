/*
 * Bring-up shared by the DART scenarios on `apple-t8103` (dart_dma, dart_global_allocator,
 * dart_shared_buffer, dart_tlb_flush): the USB-like DMA engines and their DARTs, all found in
 * the DTB, nothing typed twice:
 *   the n-th enabled "socsim,dma-engine" in document order -> its `iommus` = <&dart stream> ->
 *   the DART node (apple,t8103-dart / apple,t6000-dart) -> probe, reset (Linux's sequence),
 *   attach the stream -> a dma_device with that DART's own IOVA allocator (lib/iova over
 *   [16 KiB, 4 GiB), top-down) -> a descriptor ring from dma_alloc_coherent, so the engine
 *   fetches its descriptors through the DART too.
 *
 * lib/dma announces the mappings to socsim,dma-debug (iommu_phandle and stream set).
 * Output names a DART by its register address ("dart@382f00000"), which is deterministic.
 */
#ifndef APPLE_USB_H
#define APPLE_USB_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "dart.h"
#include "dma.h"
#include "dma_engine.h"
#include "fdt.h"

#define APPLE_USB_RING_ENTRIES	16u
/* Far more than any DMA of these scenarios takes (100 ns + 250 ps per byte per descriptor). */
#define APPLE_USB_TIMEOUT_US	10000u

struct apple_usb {
	char name[24];			/* "dart@382f00000" */
	struct dart dart;
	struct dma_engine eng;
	struct dma_device dev;
	uintptr_t engine_base;
	uint32_t stream;		/* the engine's stream on its DART (DT `iommus` cell) */
	void *ring;			/* CPU view of the descriptor ring */
	uint64_t ring_iova;
};

/* The DTB (opened once). NULL after a message when it cannot be read. */
const struct fdt *apple_usb_fdt(void);

/*
 * Set up the <index>-th DMA engine (document order) and its DART as above. Returns 0, or a
 * negative errno after a message.
 */
int apple_usb_setup(struct apple_usb *u, unsigned index);

/*
 * One descriptor: COPY <len> bytes from bus address <src> to <dst> (apple_usb_copy), or FILL
 * <len> bytes at <dst> with <pattern> (apple_usb_fill); waits for the engine. Returns the
 * descriptor's status code (DMA_ENGINE_ST_OK, _SRC_ERROR, _DST_ERROR, ...), or 0 when the
 * engine did not finish in time. A failed descriptor's engine error is cleared again, so the
 * engine takes the next one.
 */
uint32_t apple_usb_copy(struct apple_usb *u, uint64_t src, uint64_t dst, uint32_t len);
uint32_t apple_usb_fill(struct apple_usb *u, uint32_t pattern, uint64_t dst, uint32_t len);

/* Offset of the first 32-bit word of [p, p + size) that is not <pattern>, or -1. */
long fill_mismatch(const void *p, size_t size, uint32_t pattern);

/* Failed checks so far (each printed as "FAIL: ..."). */

/*
 * Read and clear the DART's error (drivers/dart: ERROR, ERROR_ADDR) and print it:
 *   "<what>: dart@382f00000 ERROR stream 0 code NO_PTE (0x004) iova 0x00000000fffec000"
 * Checks that an error was latched with the engine's stream, the code <code> and the IOVA
 * <iova>. Returns 1 when everything matched.
 */
int expect_dart_fault(struct apple_usb *u, const char *what, uint32_t code, uint64_t iova);

/* Checks that the DART has no error latched. */
int expect_no_dart_fault(struct apple_usb *u, const char *what);

#endif
