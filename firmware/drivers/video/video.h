/*
 * socsim's video decoders ("socsim,video-engine", "socsim,vp9-decoder"; register map and the
 * SRLE bitstream format in docs/devices.md): decode one frame from a bitstream buffer into a
 * frame buffer; the VP9-like decoder can also copy runs from a reference frame. A DMA error
 * (IOMMU fault) stalls the decoder until video_resume() or video_abort().
 */
#ifndef VIDEO_H
#define VIDEO_H

#include <stddef.h>
#include <stdint.h>

#define VIDEO_ID_ENGINE		0x56444543u	/* "VDEC" */
#define VIDEO_ID_VP9		0x56503944u	/* "VP9D" */
#define VIDEO_SRLE_MAGIC	0x454c5253u
#define VIDEO_RUN_REFERENCE	(1u << 31)

/* STATUS bits */
#define VIDEO_BUSY		1u
#define VIDEO_DONE		2u
#define VIDEO_DMA_ERROR		4u
#define VIDEO_FORMAT_ERROR	8u
#define VIDEO_ABORTED		16u

struct video {
	uintptr_t base;
	int vp9;	/* has REF_ADDR and reference runs */
};

/* Check the ID (either variant). -ENODEV. */
int video_init(struct video *v, uintptr_t base);
/* Start decoding <bs_len> bytes at <bs_bus> into <dst_bus> with <stride> bytes per line;
 * <ref_bus> is used by the vp9 variant only. */
void video_start(struct video *v, uint64_t bs_bus, uint32_t bs_len, uint64_t dst_bus, uint32_t stride,
		 uint64_t ref_bus);
/* Wait until the job is done, failed or stalled; returns STATUS (or -ETIMEDOUT). */
int video_wait(struct video *v, uint32_t timeout_us);
void video_resume(struct video *v);
void video_abort(struct video *v);
uint32_t video_status(struct video *v);
uint32_t video_error_code(struct video *v);
uint64_t video_error_addr(struct video *v);
uint32_t video_frames(struct video *v);

/*
 * Bitstream writer: header then records of (count, pixel). video_srle_begin returns 0 or
 * -ENOSPC; video_srle_run appends a run (reference: copy <count> pixels from the reference
 * frame). *len is the bitstream length so far.
 */
int video_srle_begin(void *buf, size_t cap, uint16_t width, uint16_t height, size_t *len);
int video_srle_run(void *buf, size_t cap, size_t *len, uint32_t count, uint32_t pixel, int reference);

#endif
