/*
 * Host test of the iProc inbound placement (drivers/iproc_pcie, iproc_ib_place): the 2017
 * example's dma-ranges land in IARR2, IARR3 and IARR4 with Linux's register values, and the
 * entries iproc_pcie_setup_ib refuses are refused for the same reason.
 */
#include "host_check.h"
#include "iproc_pcie.h"

#define GiB (1ull << 30)

int main(void)
{
	struct iproc_ib_place p;

	/* 2 GiB @ 2G: IARR2 (1 MiB units, 2048 MiB is size bit 5), one IMAP window. */
	CHECK(iproc_ib_place(0, 2 * GiB, 2 * GiB, 2 * GiB, &p) == IPROC_IB_OK);
	CHECK(p.region == 2 && p.size_idx == 5 && p.iarr_lo == 0x80000020u && p.iarr_hi == 0);
	CHECK(p.window_size == 2 * GiB);
	/* 32 GiB @ 32G: IARR3 has 32 GiB (bit 5) and comes before IARR4; 8 windows of 4 GiB. */
	CHECK(iproc_ib_place(1u << 2, 32 * GiB, 32 * GiB, 32 * GiB, &p) == IPROC_IB_OK);
	CHECK(p.region == 3 && p.size_idx == 5 && p.iarr_lo == 0x20u && p.iarr_hi == 0x8);
	CHECK(p.window_size == 4 * GiB);
	/* 256 GiB @ 512G: IARR4, bit 3, 8 windows of 32 GiB. */
	CHECK(iproc_ib_place(1u << 2 | 1u << 3, 512 * GiB, 512 * GiB, 256 * GiB, &p) == IPROC_IB_OK);
	CHECK(p.region == 4 && p.size_idx == 3 && p.iarr_lo == 0x8u && p.iarr_hi == 0x80);
	CHECK(p.window_size == 32 * GiB);

	/* 32 GiB with IARR3 taken: IARR4's smallest size. */
	CHECK(iproc_ib_place(1u << 3, 32 * GiB, 32 * GiB, 32 * GiB, &p) == IPROC_IB_OK && p.region == 4 &&
	      p.size_idx == 0);
	/* 16 GiB at the 14 GiB bank (34G): IARR2 has the size, 34G is not 16G-aligned; Linux
	 * does not try IARR3 then. */
	CHECK(iproc_ib_place(0, 34 * GiB, 34 * GiB, 16 * GiB, &p) == IPROC_IB_NOT_ALIGNED && p.region == 2);
	/* Aligned PCI side, unaligned AXI side: refused too. */
	CHECK(iproc_ib_place(0, 34 * GiB, 32 * GiB, 32 * GiB, &p) == IPROC_IB_NOT_ALIGNED && p.region == 3);
	/* Sizes no region has: 14 GiB (the bank itself), 3 GiB, 1 TiB. */
	CHECK(iproc_ib_place(0, 34 * GiB, 34 * GiB, 14 * GiB, &p) == IPROC_IB_NO_REGION);
	CHECK(iproc_ib_place(0, 2 * GiB, 2 * GiB, 3 * GiB, &p) == IPROC_IB_NO_REGION);
	CHECK(iproc_ib_place(0, 0, 0, 1024 * GiB, &p) == IPROC_IB_NO_REGION);
	/* 512 GiB is the most one window reaches, and only 512G-aligned. */
	CHECK(iproc_ib_place(0, 512 * GiB, 512 * GiB, 512 * GiB, &p) == IPROC_IB_OK && p.region == 4);
	CHECK(iproc_ib_place(0, 256 * GiB, 256 * GiB, 512 * GiB, &p) == IPROC_IB_NOT_ALIGNED);
	/* Every memory region used: nothing left. */
	CHECK(iproc_ib_place(0x1e, 2 * GiB, 2 * GiB, 2 * GiB, &p) == IPROC_IB_NO_REGION);
	/* IARR0 (I/O) is never chosen for memory, even at its 32 KiB size. */
	CHECK(iproc_ib_place(0, 0x8000, 0x8000, 0x8000, &p) == IPROC_IB_NO_REGION);

	return failures ? 1 : 0;
}
