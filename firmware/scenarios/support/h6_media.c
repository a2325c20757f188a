#include "h6_media.h"

#include <stdio.h>

#include "dtb.h"
#include "mmio.h"


/* The master must translate through the IOMMU the scenarios drive. */
static int find_master(struct h6_media *h, const char *compatible, struct dma_master *m)
{
	if (dma_master_find(&h->fdt, -1, compatible, m) < 0) {
		printf("FAIL: no %s in the DTB\n", compatible);
		return -1;
	}
	if (!m->iommu_phandle) {
		printf("FAIL: %s has no iommus\n", compatible);
		return -1;
	}
	if (h->iommu_phandle && m->iommu_phandle != h->iommu_phandle) {
		printf("FAIL: %s is behind another IOMMU\n", compatible);
		return -1;
	}
	if (m->stream_id >= SUN50I_MASTERS) {
		printf("FAIL: %s: master index %lu out of range\n", compatible, (unsigned long)m->stream_id);
		return -1;
	}
	return 0;
}

int h6_media_setup(struct h6_media *h)
{
	if (dtb_open(&h->fdt)) {
		printf("FAIL: no DTB\n");
		return -1;
	}
	h->iommu_phandle = 0;
	if (find_master(h, "socsim,scanout", &h->mixer_master))
		return -1;
	h->iommu_phandle = h->mixer_master.iommu_phandle;
	if (find_master(h, "socsim,video-engine", &h->ve_master))
		return -1;
	int node = fdt_find_phandle(&h->fdt, h->iommu_phandle);
	if (node < 0 || sun50i_iommu_probe_dt(&h->iommu, "iommu", &h->fdt, node)) {
		printf("FAIL: the masters' IOMMU is not an H6 IOMMU\n");
		return -1;
	}
	if (scanout_init(&h->mixer, h->mixer_master.base)) {
		printf("FAIL: scanout ID\n");
		return -1;
	}
	if (video_init(&h->ve, h->ve_master.base) || h->ve.vp9) {
		printf("FAIL: video engine ID\n");
		return -1;
	}
	return 0;
}

void h6_dma_device(struct h6_media *h, const struct dma_master *master, struct sun50i_domain *dom,
		   struct dma_device *dev, const char *name)
{
	(void)h;
	sun50i_dma_device(dom, dev, name);
	dev->iommu_phandle = master->iommu_phandle;
	dev->stream_id = master->stream_id;
}

int h6_no_fault(struct h6_media *h, const char *when)
{
	uint32_t sta = read32(h->iommu.base + SUN50I_INT_STA);

	if (sta) {
		printf("FAIL: %s: IOMMU INT_STA %08lx (L1PG %08lx L2PG %08lx)\n", when, (unsigned long)sta,
		       (unsigned long)read32(h->iommu.base + SUN50I_L1PG_INT),
		       (unsigned long)read32(h->iommu.base + SUN50I_L2PG_INT));
		check_failures++;
		return 0;
	}
	return 1;
}

uint32_t h6_srle_frame(void *buf, uint32_t cap, uint16_t width, uint16_t height, uint32_t base)
{
	size_t len;

	if (video_srle_begin(buf, cap, width, height, &len))
		return 0;
	for (uint32_t y = 0; y < height; y++)
		if (video_srle_run(buf, cap, &len, width, base + y, 0))
			return 0;
	/* Pad to 8 bytes so the buffer can be compared with 64-bit accesses if needed. */
	while (len & 7) {
		if (len >= cap)
			return 0;
		((uint8_t *)buf)[len++] = 0;
	}
	return (uint32_t)len;
}

long h6_check_frame(const void *frame, uint32_t stride, uint16_t width, uint16_t height, uint32_t base)
{
	for (uint32_t y = 0; y < height; y++) {
		const volatile uint32_t *line = (const volatile uint32_t *)((const uint8_t *)frame + y * stride);
		for (uint32_t x = 0; x < width; x++)
			if (line[x] != base + y)
				return (long)(y * stride + 4 * x);
	}
	return -1;
}
