#include "dma_debug.h"

#include <errno.h>

#include "dtb.h"
#include "mmio.h"
#include "mmu.h"

#define REG_ID		0x00
#define REG_IOVA	0x08
#define REG_SIZE	0x10
#define REG_IOMMU	0x18
#define REG_STREAM	0x1c
#define REG_DIR		0x20
#define REG_COMMAND	0x24
#define REG_RESULT	0x28
#define REG_ERRORS	0x2c
#define REG_ACTIVE	0x30
#define REG_FINDINGS	0x34

#define DMA_DEBUG_ID	0x44444247u
#define CMD_MAP		1u
#define CMD_UNMAP	2u
#define CMD_FORGET	3u

static int looked_up;
static uintptr_t base;

int dma_debug_present(void)
{
	if (!looked_up) {
		struct fdt fdt;
		uint64_t addr, size;
		looked_up = 1;
		if (dtb_open(&fdt) == 0) {
			int node = fdt_find_enabled_compatible(&fdt, -1, "socsim,dma-debug");
			if (node >= 0 && fdt_get_reg(&fdt, node, 0, &addr, &size) == 0) {
				uintptr_t regs = ioremap(addr, size);  /* the MMU may be on */
				if (read32(regs + REG_ID) == DMA_DEBUG_ID)
					base = regs;
			}
		}
	}
	return base != 0;
}

static int command(uint32_t cmd, uint32_t iommu, uint32_t stream, uint64_t iova, uint64_t size,
		   unsigned dir)
{
	if (!dma_debug_present())
		return -ENODEV;
	write64(base + REG_IOVA, iova);
	write64(base + REG_SIZE, size);
	write32(base + REG_IOMMU, iommu);
	write32(base + REG_STREAM, stream);
	write32(base + REG_DIR, dir);
	write32(base + REG_COMMAND, cmd);
	return (int)read32(base + REG_RESULT);
}

int dma_debug_map(uint32_t iommu_phandle, uint32_t stream, uint64_t iova, uint64_t size, unsigned dir)
{
	return command(CMD_MAP, iommu_phandle, stream, iova, size, dir);
}

int dma_debug_unmap(uint32_t iommu_phandle, uint32_t stream, uint64_t iova, uint64_t size, unsigned dir)
{
	return command(CMD_UNMAP, iommu_phandle, stream, iova, size, dir);
}

int dma_debug_forget(uint32_t iommu_phandle, uint32_t stream)
{
	return command(CMD_FORGET, iommu_phandle, stream, 0, 0, 0);
}

uint32_t dma_debug_findings(void)
{
	return dma_debug_present() ? read32(base + REG_FINDINGS) : 0;
}

uint32_t dma_debug_active(void)
{
	return dma_debug_present() ? read32(base + REG_ACTIVE) : 0;
}

uint32_t dma_debug_errors(void)
{
	return dma_debug_present() ? read32(base + REG_ERRORS) : 0;
}

int dma_master_find(const struct fdt *fdt, int after, const char *compatible, struct dma_master *m)
{
	const void *spec;
	uint32_t len;
	uint64_t addr, size;
	int node = fdt_find_enabled_compatible(fdt, after, compatible);
	int err;

	if (node < 0)
		return node;
	if ((err = fdt_get_reg(fdt, node, 0, &addr, &size)))
		return err;
	m->base = (uintptr_t)addr;
	m->size = size;
	m->iommu_phandle = 0;
	m->stream_id = 0;
	if (fdt_get_prop(fdt, node, "iommus", &spec, &len) == 0 ||
	    fdt_get_prop(fdt, node, "socsim,iommus", &spec, &len) == 0) {
		if (len < 8)
			return FDT_ERR_BADVALUE;
		m->iommu_phandle = fdt_load_be32(spec);
		m->stream_id = fdt_load_be32((const uint8_t *)spec + 4);
	}
	return node;
}
