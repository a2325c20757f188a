#pragma once
// A video decoder: reads a bitstream buffer over DMA, decodes one frame and writes it to a frame
// buffer in memory, through its IOMMU. Two variants of one model, because the memory traffic is
// what matters to an IOMMU and the two differ exactly there:
// - "socsim,video-engine" (H6 master 3, the Cedrus VE's role): intra-only; reads the bitstream,
//   writes the frame;
// - "socsim,vp9-decoder" (H6 master 5, the Hantro G2's role): also inter-predicts: runs may copy
//   pixels from a reference frame (the previous decoded frame, REF_ADDR), which the decoder
//   reads, as a real decoder reads its reference buffers.
//
// The bitstream format ("SRLE", documented in docs/devices.md), little-endian:
//   header  u32 magic 0x454c5253 (bytes "SRLE"), u16 width, u16 height (1..4096 each)
//   records u32 count, u32 pixel, until width * height pixels are produced (raster order):
//           count bits 30:0 = run length (>= 1); bit 31 = 0: `count` pixels of XRGB8888 `pixel`;
//           bit 31 = 1 (vp9-decoder only): copy `count` pixels from the reference frame at the
//           same positions (`pixel` ignored). Bytes after the last pixel are ignored.
// Format errors end the job with STATUS.FORMAT_ERROR and ERROR_CODE (nothing written).
//
// DT: compatible "socsim,video-engine" or "socsim,vp9-decoder"; reg (0x1000); interrupts;
// `iommus = <&iommu master>` or `socsim,iommus`; `socsim,ps-per-pixel` (default 1000).
//
// Registers (32-bit unless noted; 64-bit ones accept two 32-bit halves, low first):
//   0x00 ID          RO  video-engine 0x56444543 ("VDEC"), vp9-decoder 0x56503944 ("VP9D")
//   0x04 CONTROL     WO  bit 0 START (when idle), bit 1 RESUME, bit 2 ABORT (when stalled)
//   0x08 BS_ADDR     RW  64-bit bus address of the bitstream   0x10 BS_LEN RW  bytes (<= 16 MiB)
//   0x14 STRIDE      RW  bytes per line of the frame buffers (>= 4 * width)
//   0x18 DST_ADDR    RW  64-bit bus address of the output frame
//   0x20 REF_ADDR    RW  64-bit reference frame address (vp9-decoder only; absent on the video
//                        engine: an access there gets an error response)
//   0x30 STATUS      RO  bit 0 BUSY, bit 1 DONE, bit 2 DMA_ERROR (stalled), bit 3 FORMAT_ERROR,
//                        bit 4 ABORTED
//   0x34 ERROR_CODE  RO  1 bitstream read, 2 reference read, 3 frame write (DMA errors);
//                        0x10 bad magic, 0x11 bad dimensions or stride, 0x12 zero run,
//                        0x13 run past the end of the frame, 0x14 bitstream ends early,
//                        0x15 reference run on the video engine, 0x16 BS_LEN too large
//   0x38 ERROR_ADDR  RO  64-bit bus address of the failed DMA
//   0x40 FRAMES      RO  frames decoded and written
//   0x44 INT_STATUS  W1C bit 0 DONE, bit 1 ERROR (DMA or format)   0x48 INT_ENABLE RW same bits
//   `irq` (the DT `interrupts`): INT_STATUS & INT_ENABLE != 0. DONE is set when a frame is
//   written, ERROR at a DMA stall or a format error.
//   0x4c WIDTH       RO  0x50 HEIGHT RO: dimensions of the last header read
// A DMA error (the IOMMU faulted, stalled or aborted the access: an error response) stalls the
// decoder with STATUS.DMA_ERROR until software writes RESUME (the job restarts from the first
// bitstream byte: decoding is deterministic, so a complete retry is exact) or ABORT (the job
// ends with STATUS.ABORTED). Either clears DMA_ERROR at the register write (STATUS reads BUSY
// until the outcome), so polling right after it never sees the old stall. START while busy or stalled is ignored with a diagnostic.
// Time: socsim,ps-per-pixel per pixel plus the bus/IOMMU latency. Reset: zero except ID.

#include <cstdint>
#include <systemc>
#include <vector>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"
#include "models/devices/dma_port.h"
#include "models/devices/interrupt_registers.h"
#include "models/devices/stall_handshake.h"

namespace socsim::devices {

class video_decoder : public core::peripheral {
public:
    enum class variant { video_engine, vp9 };
    static constexpr uint32_t id_video_engine = 0x56444543, id_vp9 = 0x56503944;  // "VDEC", "VP9D"
    static constexpr uint32_t magic = 0x454c5253;
    static constexpr uint32_t max_dimension = 4096;
    static constexpr uint32_t max_bitstream = 16u << 20;
    static constexpr uint32_t ctl_start = 1, ctl_resume = 2, ctl_abort = 4;
    static constexpr uint32_t st_busy = 1, st_done = 2, st_dma_error = 4, st_format_error = 8, st_aborted = 16;
    static constexpr uint32_t int_done = 1, int_error = 2;
    enum code : uint32_t {
        err_bitstream_read = 1, err_reference_read = 2, err_frame_write = 3,
        err_magic = 0x10, err_dimensions = 0x11, err_zero_run = 0x12, err_overrun = 0x13,
        err_truncated = 0x14, err_no_reference = 0x15, err_too_long = 0x16
    };

    struct config {
        variant kind = variant::video_engine;
        uint32_t stream_id = core::dma_extension::no_id;
        sc_core::sc_time per_pixel = sc_core::sc_time(1, sc_core::SC_NS);
    };

    dma_port dma;
    core::irq_line irq;

    SC_HAS_PROCESS(video_decoder);
    video_decoder(sc_core::sc_module_name name, const config& cfg);

private:
    void write_control(uint64_t now);
    void decode_thread();
    // One attempt at the job: 0 when the frame was written, else an error code (ERROR_ADDR set
    // for DMA errors).
    uint32_t run_job(sc_core::sc_time& delay);
    void finish(uint32_t status_bit, uint32_t code);

    config cfg_;
    sc_core::sc_event start_;
    stall_handshake stall_;
    std::vector<uint8_t> bitstream_;
    std::vector<uint32_t> frame_;
    std::vector<uint8_t> line_;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(cfg_.kind == variant::vp9 ? id_vp9 : id_video_engine)
        .read_only();
    core::reg& control_ = regs_.add("CONTROL", 0x04, 4).write_only().on_write(this, &video_decoder::write_control);
    core::reg& bs_addr_ = regs_.add("BS_ADDR", 0x08, 8);
    core::reg& bs_len_ = regs_.add("BS_LEN", 0x10, 4);
    core::reg& stride_ = regs_.add("STRIDE", 0x14, 4);
    core::reg& dst_addr_ = regs_.add("DST_ADDR", 0x18, 8);
    core::reg* ref_addr_ = cfg_.kind == variant::vp9 ? &regs_.add("REF_ADDR", 0x20, 8) : nullptr;  // vp9 only
    core::reg& status_ = regs_.add("STATUS", 0x30, 4).read_only();
    core::reg& error_code_ = regs_.add("ERROR_CODE", 0x34, 4).read_only();
    core::reg& error_addr_ = regs_.add("ERROR_ADDR", 0x38, 8).read_only();
    core::reg& frames_ = regs_.add("FRAMES", 0x40, 4).read_only();
    interrupt_registers interrupts_{regs_, 0x44, int_done | int_error, irq};  // INT_STATUS, INT_ENABLE
    core::reg& width_ = regs_.add("WIDTH", 0x4c, 4).read_only();
    core::reg& height_ = regs_.add("HEIGHT", 0x50, 4).read_only();
};

} // namespace socsim::devices
