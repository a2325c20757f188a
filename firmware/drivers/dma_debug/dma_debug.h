/*
 * socsim's DMA-API debugging device ("socsim,dma-debug", register map in docs/devices.md):
 * firmware announces every DMA mapping and unmapping, as Linux's CONFIG_DMA_API_DEBUG records
 * them, and the simulator's IOMMU models check each device access against the announced buffers.
 * A device is named by the phandle of its IOMMU's DT node and its stream id there.
 *
 * lib/dma calls this for every dma_device with a non-zero iommu_phandle; scenarios may call it
 * directly too. Without a socsim,dma-debug node in the DTB (QEMU, real hardware) every call is a
 * no-op returning -ENODEV, so the same firmware runs everywhere.
 */
#ifndef DMA_DEBUG_H
#define DMA_DEBUG_H

#include <stdint.h>

#include "fdt.h"

/* Linux's enum dma_data_direction, as the device takes it. */
#define DMA_DEBUG_BIDIRECTIONAL	0u
#define DMA_DEBUG_TO_DEVICE	1u
#define DMA_DEBUG_FROM_DEVICE	2u
#define DMA_DEBUG_ANY		3u	/* unmap only: do not check the direction */

/* RESULT codes of the device. */
#define DMA_DEBUG_OK		0u
#define DMA_DEBUG_UNKNOWN_IOMMU	1u
#define DMA_DEBUG_BAD_ARGUMENTS	2u
#define DMA_DEBUG_NOT_MAPPED	3u
#define DMA_DEBUG_SIZE_MISMATCH	4u
#define DMA_DEBUG_DIR_MISMATCH	5u

/* 1 when the DTB has an enabled socsim,dma-debug node (looked up once). */
int dma_debug_present(void);

/* Announce; return the device's RESULT (0 OK), or -ENODEV without the device. */
int dma_debug_map(uint32_t iommu_phandle, uint32_t stream, uint64_t iova, uint64_t size, unsigned dir);
int dma_debug_unmap(uint32_t iommu_phandle, uint32_t stream, uint64_t iova, uint64_t size, unsigned dir);
/* Stop checking the stream (it may then be used without announcements). */
int dma_debug_forget(uint32_t iommu_phandle, uint32_t stream);

/* Counters of the device (0 without it): findings of the checks (accesses and bad unmaps),
 * buffers announced and not unmapped, commands refused. */
uint32_t dma_debug_findings(void);
uint32_t dma_debug_active(void);
uint32_t dma_debug_errors(void);

/*
 * A platform DMA master found in the DTB: its registers and its IOMMU identity, from `iommus`
 * or (for a master the OS-visible tree does not reference) `socsim,iommus`: <&iommu stream>.
 * iommu_phandle is 0 when neither is present. Returns the node offset, or a negative FDT_ERR_*.
 */
struct dma_master {
	uintptr_t base;
	uint64_t size;
	uint32_t iommu_phandle;
	uint32_t stream_id;
};
int dma_master_find(const struct fdt *fdt, int after, const char *compatible, struct dma_master *m);

#endif
