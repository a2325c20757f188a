#include "apple_usb.h"

#include <errno.h>
#include <stdio.h>

#include "dma_debug.h"
#include "dtb.h"


const struct fdt *apple_usb_fdt(void)
{
	static struct fdt fdt;
	static int state;	/* 0 not opened, 1 ok, -1 failed */

	if (state == 0) {
		int err = dtb_open(&fdt);
		state = err ? -1 : 1;
		if (err)
			printf("setup: no DTB: %s\n", fdt_strerror(err));
	}
	return state > 0 ? &fdt : NULL;
}

int apple_usb_setup(struct apple_usb *u, unsigned index)
{
	const struct fdt *fdt = apple_usb_fdt();
	struct dma_master m;
	int node = -1, err;

	if (!fdt)
		return -ENODEV;
	for (unsigned i = 0; i <= index; i++) {
		node = dma_master_find(fdt, node, "socsim,dma-engine", &m);
		if (node < 0) {
			printf("setup: no socsim,dma-engine number %u in the DTB\n", index);
			return -ENODEV;
		}
	}
	int dart_node;
	if (dart_master_stream(fdt, node, &dart_node, &u->stream)) {
		printf("setup: DMA engine %u has no iommus\n", index);
		return -ENODEV;
	}
	uint64_t dart_base, dart_size;
	if (fdt_get_reg(fdt, dart_node, 0, &dart_base, &dart_size)) {
		printf("setup: the DART of DMA engine %u has no reg\n", index);
		return -ENODEV;
	}
	snprintf(u->name, sizeof u->name, "dart@%llx", (unsigned long long)dart_base);
	if ((err = dart_probe_dt(&u->dart, u->name, fdt, dart_node))) {
		printf("%s: probe failed (%d)\n", u->name, err);
		return err;
	}
	if ((err = dart_reset(&u->dart)) || (err = dart_attach_stream(&u->dart, u->stream))) {
		printf("%s: reset / attach of stream %u failed (%d)\n", u->name, (unsigned)u->stream, err);
		return err;
	}
	dart_dma_device(&u->dart, &u->dev, u->name);
	u->dev.iommu_phandle = m.iommu_phandle;
	u->dev.stream_id = m.stream_id;
	u->engine_base = m.base;

	/* The ring is memory the device reads and writes: a coherent buffer behind the DART. */
	size_t ring_size = APPLE_USB_RING_ENTRIES * DMA_ENGINE_DESC_SIZE;
	if ((err = dma_alloc_coherent(&u->dev, ring_size, &u->ring, &u->ring_iova))) {
		printf("%s: no ring (%d)\n", u->name, err);
		return err;
	}
	if ((err = dma_engine_init(&u->eng, u->engine_base, u->ring, u->ring_iova,
				   APPLE_USB_RING_ENTRIES))) {
		printf("%s: DMA engine at 0x%llx did not initialise (%d)\n", u->name,
		       (unsigned long long)u->engine_base, err);
		return err;
	}
	return 0;
}

static uint32_t run_one(struct apple_usb *u, int index)
{
	if (index < 0) {
		printf("%s: ring full\n", u->name);
		return 0;
	}
	dma_engine_kick(&u->eng);
	int err = dma_engine_wait(&u->eng, APPLE_USB_TIMEOUT_US);
	if (err == -ETIMEDOUT) {
		printf("%s: DMA engine timed out\n", u->name);
		return 0;
	}
	uint32_t status = u->eng.ring[index].status;
	if (err == -EIO) {
		struct dma_engine_error e;
		if (dma_engine_get_error(&u->eng, &e) && e.code != status)
			printf("%s: engine error %s does not match the descriptor's %s\n", u->name,
			       dma_engine_status_name(e.code), dma_engine_status_name(status));
		dma_engine_clear_error(&u->eng);
	}
	return status;
}

uint32_t apple_usb_copy(struct apple_usb *u, uint64_t src, uint64_t dst, uint32_t len)
{
	return run_one(u, dma_engine_copy(&u->eng, src, dst, len));
}

uint32_t apple_usb_fill(struct apple_usb *u, uint32_t pattern, uint64_t dst, uint32_t len)
{
	return run_one(u, dma_engine_fill(&u->eng, pattern, dst, len));
}

long fill_mismatch(const void *p, size_t size, uint32_t pattern)
{
	const volatile uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++)
		if (w[i] != pattern)
			return (long)(i * 4);
	return -1;
}

int expect_dart_fault(struct apple_usb *u, const char *what, uint32_t code, uint64_t iova)
{
	struct dart_error e;

	if (!dart_error_read_clear(&u->dart, &e)) {
		printf("%s: %s has no error latched\n", what, u->name);
		return check(0, what);
	}
	printf("%s: %s ERROR stream %u code %s (0x%03lx) iova 0x%016llx\n", what, u->name, e.stream,
	       dart_error_code_name(e.code), (unsigned long)e.code, (unsigned long long)e.addr);
	int ok = check(e.stream == u->stream, "fault names the engine's stream");
	ok &= check(e.code == code, "fault code");
	ok &= check(e.addr == iova, "fault address");
	ok &= check(!dart_error_read_clear(&u->dart, &e), "error cleared by writing it back");
	return ok;
}

int expect_no_dart_fault(struct apple_usb *u, const char *what)
{
	struct dart_error e;

	if (dart_error_read_clear(&u->dart, &e)) {
		printf("%s: unexpected %s ERROR stream %u code %s iova 0x%016llx\n", what, u->name,
		       e.stream, dart_error_code_name(e.code), (unsigned long long)e.addr);
		return check(0, what);
	}
	return 1;
}
