#include "h6_faults.h"

#include <errno.h>
#include <stdio.h>

#include "cpu.h"
#include "dtb.h"


/* The master <compatible>; its IOMMU must be the node we probed. */
static int find_master(struct h6 *h, const char *compatible, struct dma_master *m)
{
	int node = dma_master_find(&h->fdt, -1, compatible, m);

	if (node < 0) {
		printf("setup: no %s node: %s\n", compatible, fdt_strerror(node));
		return -ENODEV;
	}
	if (m->iommu_phandle != h->iommu_phandle) {
		printf("setup: %s is not behind the H6 IOMMU\n", compatible);
		return -ENODEV;
	}
	return 0;
}

int h6_setup(struct h6 *h)
{
	int err, node;
	uint32_t phandle;

	if ((err = dtb_open(&h->fdt))) {
		printf("setup: no DTB: %s\n", fdt_strerror(err));
		return -ENODEV;
	}
	node = fdt_find_enabled_compatible(&h->fdt, -1, "allwinner,sun50i-h6-iommu");
	if (node < 0 || fdt_get_u32(&h->fdt, node, "phandle", &phandle)) {
		printf("setup: no allwinner,sun50i-h6-iommu node with a phandle\n");
		return -ENODEV;
	}
	h->iommu_phandle = phandle;
	if ((err = sun50i_iommu_probe_dt(&h->iommu, "iommu", &h->fdt, node)))
		return err;
	if ((err = find_master(h, "socsim,video-engine", &h->video_m)) ||
	    (err = find_master(h, "socsim,capture", &h->csi_m)))
		return err;
	if ((err = video_init(&h->video, h->video_m.base)) || (err = capture_init(&h->csi, h->csi_m.base))) {
		printf("setup: video engine or capture does not answer with its ID\n");
		return err;
	}
	printf("setup: iommu at 0x%08lx, video engine at 0x%08lx (master %u), capture at 0x%08lx (master %u)\n",
	       (unsigned long)h->iommu.base, (unsigned long)h->video_m.base, (unsigned)h->video_m.stream_id,
	       (unsigned long)h->csi_m.base, (unsigned)h->csi_m.stream_id);
	if ((err = sun50i_domain_init(&h->dom, "domain")) || (err = sun50i_iommu_attach(&h->iommu, &h->dom))) {
		printf("setup: domain or attach failed (%d)\n", err);
		return err;
	}
	sun50i_dma_device(&h->dom, &h->video_dma, "video-engine");
	return 0;
}

static uint32_t band_colour(uint32_t seed, unsigned band)
{
	return (0x402010u * (seed + 1) + 0x1f3d5bu * band) & 0xffffffu;
}

size_t h6_bitstream(void *bs, size_t cap, uint16_t width, uint16_t height, uint32_t seed)
{
	size_t len;
	uint32_t pixels = (uint32_t)width * height, done = 0;

	if (video_srle_begin(bs, cap, width, height, &len))
		return 0;
	for (unsigned band = 0; band < 3; band++) {
		uint32_t end = band == 2 ? pixels : pixels / 3 * (band + 1);
		if (end > done && video_srle_run(bs, cap, &len, end - done, band_colour(seed, band), 0))
			return 0;
		done = end;
	}
	return len;
}

long h6_frame_check(const volatile uint32_t *frame, uint16_t width, uint16_t height, uint32_t stride,
		    uint32_t seed)
{
	uint32_t pixels = (uint32_t)width * height;

	for (uint32_t i = 0; i < pixels; i++) {
		unsigned band = i < pixels / 3 ? 0 : i < pixels / 3 * 2 ? 1 : 2;
		uint32_t x = i % width, y = i / width;
		if ((frame[y * (stride / 4) + x] & 0xffffffu) != band_colour(seed, band))
			return (long)(y * stride + x * 4);
	}
	return -1;
}

int h6_map_page(struct h6 *h, uint32_t iova, uint32_t phys, unsigned aci, int clean, uintptr_t *pte_addr)
{
	uint32_t dte = h->dom.dt[iova >> 20];

	if ((dte & SUN50I_DTE_TYPE_MASK) != SUN50I_DTE_VALID)
		return -ENOENT;
	volatile uint32_t *pte = (volatile uint32_t *)(uintptr_t)(dte & SUN50I_DTE_PT_MASK) +
				 ((iova >> 12) & (SUN50I_PT_ENTRIES - 1));
	if (*pte & SUN50I_PTE_VALID)
		return -EBUSY;
	*pte = (phys & SUN50I_PTE_PAGE_MASK) | (aci & 0xfu) << 4 | SUN50I_PTE_VALID;
	if (clean)
		dcache_clean_range(pte, sizeof *pte);
	*pte_addr = (uintptr_t)pte;
	return h->dom.iommu ? sun50i_zap_range(h->dom.iommu, iova, SUN50I_PAGE_SIZE) : 0;
}
