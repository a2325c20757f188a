/*
 * dart_subpage (apple-t8103): a 4 KiB buffer at the start of a 16 KiB DART page, written by a
 * DMA engine (standing in for dwc3_0) that runs 256 bytes past the buffer's end. lib/dma
 * announces every buffer to socsim,dma-debug (Linux's DMA-API debugging).
 *   1. with sub-page protection (dart_map_subpage: the PTE's SP_START/SP_END window is the
 *      buffer, DART1 SP_DIS clear): the write past the buffer faults; the firmware reads the
 *      DART's ERROR (SUBPAGE_PROT, the engine's stream, the first IOVA past the buffer) and the
 *      bytes past the buffer are untouched;
 *   2. without it (dma_map_single: a whole-page PTE with SP_DIS, as Linux and U-Boot map): the
 *      write succeeds, as on hardware, the bytes past the buffer are overwritten, the DART
 *      reports nothing and the DMA checker reports the access outside the announced buffer.
 */
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "dart.h"
#include "dma_debug.h"
#include "dma_engine.h"
#include "dtb.h"
#include "pages.h"

#define BUF_SIZE	0x1000u		/* the buffer: one 4 KiB page of the 16 KiB DART page */
#define OVERRUN		0x100u		/* how far the engine writes past it */
#define RING_ENTRIES	4u
#define PATTERN		0x5a5aa5a5u
#define GUARD		0x11111111u	/* what the CPU leaves past the buffer */
#define DMA_TIMEOUT_US	1000u


static void fill32(volatile uint32_t *p, uint32_t n_bytes, uint32_t v)
{
	for (uint32_t i = 0; i < n_bytes / 4; i++)
		p[i] = v;
}

/* 1 when every word of [p, p + n_bytes) is <v>. */
static int all32(const volatile uint32_t *p, uint32_t n_bytes, uint32_t v)
{
	for (uint32_t i = 0; i < n_bytes / 4; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static struct fdt fdt;
static struct dart dart;
static struct dma_device dev;
static struct dma_engine eng;

static int setup(void)
{
	struct dma_master m;
	int iommu, node, err;
	uint32_t stream;

	if (dtb_open(&fdt))
		return -1;
	/* The first DMA engine (usb0_dma0) and the DART its `iommus` names. */
	if ((node = dma_master_find(&fdt, -1, "socsim,dma-engine", &m)) < 0 ||
	    dart_master_stream(&fdt, node, &iommu, &stream) ||
	    dart_probe_dt(&dart, "dart", &fdt, iommu)) {
		printf("setup: no DMA engine behind a DART in the DTB\n");
		return -1;
	}
	if ((err = dart_reset(&dart)) || (err = dart_attach_stream(&dart, stream)))
		return err;
	dart_dma_device(&dart, &dev, "usb0_dma0");
	dev.iommu_phandle = m.iommu_phandle;
	dev.stream_id = m.stream_id;
	printf("setup: DMA engine at 0x%llx, stream %u of the DART at 0x%llx\n",
	       (unsigned long long)m.base, (unsigned)stream, (unsigned long long)dart.base);
	if (!dma_debug_present()) {
		printf("setup: no socsim,dma-debug device in the DTB\n");
		return -1;
	}

	void *ring;
	uint64_t ring_bus;
	if ((err = dma_alloc_coherent(&dev, RING_ENTRIES * DMA_ENGINE_DESC_SIZE, &ring, &ring_bus)) ||
	    (err = dma_engine_init(&eng, m.base, ring, ring_bus, RING_ENTRIES)))
		return err;
	return 0;
}

/* The engine fills BUF_SIZE + OVERRUN bytes from <iova>; returns its completion (0 or -EIO). */
static int overrun(uint64_t iova, struct dma_engine_error *e)
{
	int err;

	if (dma_engine_fill(&eng, PATTERN, iova, BUF_SIZE + OVERRUN) < 0)
		return -1;
	dma_engine_kick(&eng);
	err = dma_engine_wait(&eng, DMA_TIMEOUT_US);
	if (err == -EIO) {
		dma_engine_get_error(&eng, e);
		dma_engine_clear_error(&eng);
	}
	return err;
}

static void with_subpage(void)
{
	volatile uint32_t *page = pages_alloc(DART_PAGE_SIZE);
	uint64_t iova;
	struct dma_engine_error ee = {0};
	struct dart_error de;

	printf("1. sub-page protection: the PTE allows bytes 0x000-0x%03x of the page\n", BUF_SIZE - 1);
	check(page != NULL, "page");
	fill32(page, DART_PAGE_SIZE, GUARD);
	check(iova_alloc(&dart.iovad, DART_PAGE_SIZE, dev.dma_mask, &iova) == 0, "iova");
	check(dart_map_subpage(&dart, iova, (uintptr_t)page, IOMMU_READ | IOMMU_WRITE, 0, BUF_SIZE - 1) == 0,
	      "map sub-page");
	uint64_t pte = dart_pte(&dart, iova);
	printf("   buffer: %u bytes at iova 0x%08llx, pte 0x%016llx\n", BUF_SIZE, (unsigned long long)iova,
	       (unsigned long long)pte);
	check(!(pte & DART1_PTE_SP_DIS), "SP_DIS clear");
	check(dart_invalidate(&dart, dart.streams) == 0, "invalidate");
	check(dma_debug_map(dev.iommu_phandle, dev.stream_id, iova, BUF_SIZE, DMA_DEBUG_FROM_DEVICE) == 0,
	      "announce");
	uint32_t f = dma_debug_findings();

	int err = overrun(iova, &ee);
	printf("   engine: %s at 0x%08llx\n", err == -EIO ? dma_engine_status_name(ee.code) : "no error",
	       (unsigned long long)ee.addr);
	check(err == -EIO && ee.code == DMA_ENGINE_ST_DST_ERROR, "the engine's write past the buffer failed");
	check(ee.addr == iova + BUF_SIZE, "failed at the first byte past the buffer");
	if (check(dart_error_read_clear(&dart, &de) == 1, "DART error latched")) {
		printf("   DART error: %s (0x%03x), stream %u, iova 0x%08llx\n", dart_error_code_name(de.code),
		       (unsigned)de.code, de.stream, (unsigned long long)de.addr);
		check(de.code == DART_T8020_ERROR_SUBPAGE_PROT, "code SUBPAGE_PROT");
		check(de.stream == dev.stream_id, "the engine's stream");
		check(de.addr == iova + BUF_SIZE, "the first IOVA past the buffer");
	}
	check(dart_error_read_clear(&dart, &de) == 0, "error cleared");
	check(all32(page, BUF_SIZE, PATTERN), "the buffer was written");
	check(all32(page + BUF_SIZE / 4, DART_PAGE_SIZE - BUF_SIZE, GUARD),
	      "nothing past the buffer was written");
	/* The checker looks at every access first, the refused one too. */
	printf("   dma-debug: %u new finding(s)\n", (unsigned)(dma_debug_findings() - f));
	check(dma_debug_findings() - f == 1, "dma-debug saw the access outside the buffer");

	check(dma_debug_unmap(dev.iommu_phandle, dev.stream_id, iova, BUF_SIZE, DMA_DEBUG_ANY) == 0, "unannounce");
	check(dart_iommu_ops.unmap(&dart, iova, DART_PAGE_SIZE) == 0, "unmap");
	check(dart_invalidate(&dart, dart.streams) == 0, "invalidate");
	check(iova_free(&dart.iovad, iova, DART_PAGE_SIZE) == 0, "iova free");
}

static void whole_page(void)
{
	volatile uint32_t *page = pages_alloc(DART_PAGE_SIZE);
	uint64_t iova;
	struct dma_engine_error ee = {0};
	struct dart_error de;

	printf("2. whole-page PTE (dma_map_single): the device reaches all 16 KiB of the page\n");
	check(page != NULL, "page");
	fill32(page, DART_PAGE_SIZE, GUARD);
	check(dma_map_single(&dev, (uintptr_t)page, BUF_SIZE, DMA_FROM_DEVICE, &iova) == 0, "map");
	uint64_t pte = dart_pte(&dart, iova);
	printf("   buffer: %u bytes at iova 0x%08llx, pte 0x%016llx\n", BUF_SIZE, (unsigned long long)iova,
	       (unsigned long long)pte);
	check((pte & DART1_PTE_SP_DIS) != 0, "SP_DIS set");
	uint32_t f = dma_debug_findings();

	int err = overrun(iova, &ee);
	printf("   engine: %s\n", err == 0 ? "OK" : err == -EIO ? dma_engine_status_name(ee.code) : "timeout");
	check(err == 0, "the write past the buffer succeeded");
	check(dart_error_read_clear(&dart, &de) == 0, "no DART error");
	check(all32(page, BUF_SIZE + OVERRUN, PATTERN), "the buffer and the 256 bytes past it were written");
	check(all32(page + (BUF_SIZE + OVERRUN) / 4, DART_PAGE_SIZE - BUF_SIZE - OVERRUN, GUARD),
	      "nothing further");
	printf("   dma-debug: %u new finding(s)\n", (unsigned)(dma_debug_findings() - f));
	check(dma_debug_findings() - f == 1, "dma-debug reported the access outside the buffer");
	check(dma_unmap_single(&dev, iova, BUF_SIZE) == 0, "unmap");
}

int main(void)
{
	if (setup()) {
		printf("dart_subpage: setup failed\n");
		return 1;
	}
	with_subpage();
	whole_page();
	check(dma_debug_active() == 1, "only the ring is still announced");
	check(dma_debug_errors() == 0, "every announcement accepted");
	if (check_failures)
		return 1;
	printf("dart_subpage: passed\n");
	return 0;
}
