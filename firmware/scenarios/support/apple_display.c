#include "apple_display.h"

#include <errno.h>
#include <stdio.h>

#include "dma_debug.h"
#include "dtb.h"
#include "mmio.h"


int apple_display_setup(struct apple_display *a)
{
	struct dma_master m;
	int node, iommu, err;

	if ((err = dtb_open(&a->fdt))) {
		printf("setup: no DTB: %s\n", fdt_strerror(err));
		return -ENODEV;
	}
	if ((node = dma_master_find(&a->fdt, -1, "socsim,scanout", &m)) < 0 ||
	    dart_master_stream(&a->fdt, node, &iommu, &a->stream)) {
		printf("setup: no socsim,scanout behind an IOMMU in the DTB\n");
		return -ENODEV;
	}
	if ((err = dart_probe_dt(&a->dart, "disp0_dart", &a->fdt, iommu)))
		return err;
	if ((err = scanout_init(&a->scanout, m.base))) {
		printf("setup: no scanout at 0x%llx\n", (unsigned long long)m.base);
		return err;
	}
	a->ttbr = read32(a->dart.base + DART_T8020_TTBR(a->stream, 0));
	printf("setup: scanout at 0x%llx, stream %u of the DART at 0x%llx, %s, TTBR[%u][0] = 0x%08x\n",
	       (unsigned long long)m.base, (unsigned)a->stream, (unsigned long long)a->dart.base,
	       a->dart.locked ? "locked" : "not locked", (unsigned)a->stream, (unsigned)a->ttbr);
	if ((err = dart_adopt_locked(&a->dart, a->stream)))
		return err;
	dart_dma_device(&a->dart, &a->dma, "scanout");
	a->dma.iommu_phandle = m.iommu_phandle;
	a->dma.stream_id = m.stream_id;
	return 0;
}
