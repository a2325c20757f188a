/*
 * bench_edu_poll: many small edu DMAs, each completed by polling, for the device-path benchmark.
 *
 * The edu sits behind the SMMU, translated by a stage-1 domain (as in smmu_dma): every DMA goes
 * edu -> PCIe host bridge -> SMMU -> RAM. A 64-byte chunk at a time, alternately RAM -> edu buffer
 * and edu buffer -> RAM: DMA 2k copies source chunk k into the edu's buffer, DMA 2k+1 copies it
 * back out to destination chunk k. Each DMA is started by writing the DMA command register
 * (without the interrupt bit) and completed by polling that register until its start bit clears;
 * no interrupt is raised or taken. At the end the whole destination must equal the source.
 *
 * DMAs: /chosen "socsim,bench-iterations" (an even number), default 20000. QEMU's DTB has no such
 * property: QEMU always runs the default. Its edu completes a DMA 100 ms of virtual time after
 * the command (hw/misc/edu.c's DMA timer), so on QEMU the default takes over half an hour.
 */
#include <inttypes.h>
#include <stdio.h>

#include "dtb.h"
#include "edu.h"
#include "mmio.h"
#include "pages.h"
#include "smmu_edu.h"
#include "timer.h"

#define CHUNK		64u
/* Buffer slots used in turn: chunk k goes through offset (k % SLOTS) * CHUNK, below
 * EDU_DMA_MAX_END (QEMU refuses a range that ends at the buffer's last byte). */
#define SLOTS		((EDU_DMA_MAX_END) / CHUNK)

static struct smmu_edu s;

static int dma_poll(uint64_t src, uint64_t dst, uint64_t cmd)
{
	uintptr_t mmio = s.edu.mmio;

	write64(mmio + EDU_DMA_SRC, src);
	write64(mmio + EDU_DMA_DST, dst);
	write64(mmio + EDU_DMA_COUNT, CHUNK);
	write64(mmio + EDU_DMA_CMD, cmd | EDU_CMD_RUN);
	uint64_t deadline = timer_deadline_us(EDU_DMA_TIMEOUT_US);
	while (read64(mmio + EDU_DMA_CMD) & EDU_CMD_RUN)
		if (timer_expired(deadline))
			return -1;
	return 0;
}

int main(void)
{
	uint32_t dmas = dtb_chosen_u32("socsim,bench-iterations", 20000) & ~1u;
	uint32_t chunks = dmas / 2;
	size_t size = ((size_t)chunks * CHUNK + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);

	if (smmu_edu_setup(&s, 1)) {
		printf("FAIL: setup\n");
		return 1;
	}
	char *src = pages_alloc(size), *dst = pages_alloc(size);
	uint64_t in, out;
	if (!check(src && dst, "allocate buffers") ||
	    !check(dma_map_single(&s.dma, (uintptr_t)src, size, DMA_TO_DEVICE, &in) == 0 &&
			   dma_map_single(&s.dma, (uintptr_t)dst, size, DMA_FROM_DEVICE, &out) == 0,
		   "map buffers"))
		return 1;
	mem_pattern(src, size, 5);
	for (size_t i = 0; i < size; i++)
		dst[i] = 0;

	uint32_t done = 0;
	for (uint32_t k = 0; k < chunks; k++) {
		uint64_t buf = EDU_BUFFER_ADDR + (uint64_t)(k % SLOTS) * CHUNK;
		if (dma_poll(in + (uint64_t)k * CHUNK, buf, 0))
			break;
		done++;
		if (dma_poll(buf, out + (uint64_t)k * CHUNK, EDU_CMD_TO_RAM))
			break;
		done++;
	}
	if (done != dmas) {
		printf("FAIL: DMA %" PRIu32 " did not complete\n", done);
		return 1;
	}
	check(mem_compare(dst, src, (size_t)chunks * CHUNK) < 0, "data");
	expect_no_event(&s, "bench_edu_poll");
	check(dma_unmap_single(&s.dma, in, size) == 0 && dma_unmap_single(&s.dma, out, size) == 0,
	      "unmap buffers");
	printf("bench_edu_poll: %" PRIu32 " DMAs of %u bytes, polled: %s\n", done, CHUNK,
	       check_failures ? "FAILED" : "data ok");
	return check_failures ? 1 : 0;
}
