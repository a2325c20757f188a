#pragma once
// A camera-capture (CSI-like) DMA master: when told, writes one test-pattern frame into memory
// through its IOMMU. On allwinner-h6 it is master 4, which Linux's DT does not reference (no
// `iommus`): the hardware still sends its DMA through the IOMMU, which the platform wires with
// `socsim,iommus`.
//
// DT: compatible "socsim,capture"; reg (0x1000); interrupts; `iommus` or `socsim,iommus =
// <&iommu master>`; `socsim,ps-per-pixel` (default 1000).
//
// Registers (32-bit unless noted; 64-bit ones accept two 32-bit halves, low first):
//   0x00 ID          RO  0x43415054 ("CAPT")
//   0x04 CONTROL     WO  bit 0 CAPTURE (one frame, when idle), bit 1 RESUME, bit 2 ABORT
//   0x08 DST_ADDR    RW  64-bit bus address of the frame (XRGB8888)
//   0x10 WIDTH       RW  1..4096   0x14 HEIGHT RW 1..4096   0x18 STRIDE RW >= 4 * WIDTH
//   0x1c PATTERN     RW  0 colour bars, 1 solid COLOR, 2 gradient (others: BAD_CONFIG)
//   0x20 COLOR       RW  XRGB8888 of the solid pattern
//   0x24 STATUS      RO  bit 0 BUSY, bit 1 DONE, bit 2 DMA_ERROR (stalled), bit 3 BAD_CONFIG,
//                        bit 4 ABORTED
//   0x28 ERROR_ADDR  RO  64-bit bus address of the failed write
//   0x30 FRAMES      RO  frames written completely (the gradient's frame number)
//   0x34 INT_STATUS  W1C bit 0 DONE, bit 1 ERROR      0x38 INT_ENABLE RW same bits
//   `irq` (the DT `interrupts`): INT_STATUS & INT_ENABLE != 0. DONE is set when a frame is
//   written completely, ERROR at a write error (the stall) or a refused CAPTURE (BAD_CONFIG).
// Patterns (pixel at column x, row y of a W x H frame, n = FRAMES before this frame):
//   colour bars: bar = x * 8 / W; colours white 0xffffff, yellow 0xffff00, cyan 0x00ffff,
//                green 0x00ff00, magenta 0xff00ff, red 0xff0000, blue 0x0000ff, black 0
//   gradient:    (x * 255 / max(W - 1, 1)) << 16 | (y * 255 / max(H - 1, 1)) << 8 | (n & 0xff)
// Lines are written top to bottom. A write error stalls the master with STATUS.DMA_ERROR and
// INT_STATUS.ERROR until RESUME (the frame is written again from its first line) or ABORT
// (STATUS.ABORTED). Either clears DMA_ERROR at the register write (STATUS reads BUSY until the
// outcome), so polling right after it never sees the old stall. Time: socsim,ps-per-pixel per pixel plus bus/IOMMU latency. Reset: zero
// except ID.

#include <cstdint>
#include <systemc>
#include <vector>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"
#include "models/devices/dma_port.h"
#include "models/devices/interrupt_registers.h"
#include "models/devices/stall_handshake.h"

namespace socsim::devices {

class capture : public core::peripheral {
public:
    static constexpr uint32_t id_value = 0x43415054;
    static constexpr uint32_t max_dimension = 4096;
    static constexpr uint32_t ctl_capture = 1, ctl_resume = 2, ctl_abort = 4;
    static constexpr uint32_t st_busy = 1, st_done = 2, st_dma_error = 4, st_bad_config = 8, st_aborted = 16;
    static constexpr uint32_t int_done = 1, int_error = 2;
    enum pattern_kind : uint32_t { pattern_bars = 0, pattern_solid = 1, pattern_gradient = 2 };

    struct config {
        uint32_t stream_id = core::dma_extension::no_id;
        sc_core::sc_time per_pixel = sc_core::sc_time(1, sc_core::SC_NS);
    };

    dma_port dma;
    core::irq_line irq;

    SC_HAS_PROCESS(capture);
    capture(sc_core::sc_module_name name, const config& cfg);

    // The pattern's pixel, as documented above.
    static uint32_t pattern_pixel(uint32_t pattern, uint32_t color, uint32_t x, uint32_t y, uint32_t width,
                                  uint32_t height, uint32_t frame);

private:
    void write_control(uint64_t now);
    void capture_thread();
    bool write_frame(sc_core::sc_time& delay);  // false: a write failed (ERROR_ADDR set)

    config cfg_;
    sc_core::sc_event start_;
    stall_handshake stall_;
    std::vector<uint8_t> line_;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    core::reg& control_ = regs_.add("CONTROL", 0x04, 4).write_only().on_write(this, &capture::write_control);
    core::reg& dst_addr_ = regs_.add("DST_ADDR", 0x08, 8);
    core::reg& width_ = regs_.add("WIDTH", 0x10, 4);
    core::reg& height_ = regs_.add("HEIGHT", 0x14, 4);
    core::reg& stride_ = regs_.add("STRIDE", 0x18, 4);
    core::reg& pattern_ = regs_.add("PATTERN", 0x1c, 4);
    core::reg& color_ = regs_.add("COLOR", 0x20, 4);
    core::reg& status_ = regs_.add("STATUS", 0x24, 4).read_only();
    core::reg& error_addr_ = regs_.add("ERROR_ADDR", 0x28, 8).read_only();
    core::reg& frames_ = regs_.add("FRAMES", 0x30, 4).read_only();
    interrupt_registers interrupts_{regs_, 0x34, int_done | int_error, irq};  // INT_STATUS, INT_ENABLE
};

} // namespace socsim::devices
