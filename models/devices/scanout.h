#pragma once
// A display scanout engine: reads an XRGB8888 framebuffer over DMA (through its IOMMU) once per
// frame period, counting frames and frames with read errors. It is the Apple display pipe behind
// the (locked) display DART on apple-t8103 and the display mixer (master 0) on allwinner-h6.
//
// DT: compatible "socsim,scanout"; reg (0x1000); interrupts; `iommus = <&iommu stream>` or
// `socsim,iommus`; `socsim,frame-rate-hz` (1..1000, default 60); `socsim,png-output = "path"`:
// at the end of the run the last frame read is written there as an 8-bit RGB PNG (no file, and
// a warning, if no frame was ever read).
//
// Registers (32-bit unless noted; 64-bit ones accept two 32-bit halves, low first):
//   0x00 ID           RO  0x5343414e ("SCAN")
//   0x04 CONTROL      RW  bit 0 ENABLE: scan a frame now and then once every frame period
//   0x08 FB_BASE      RW  64-bit bus address (IOVA) of the first pixel (4-byte aligned)
//   0x10 WIDTH        RW  pixels, 1..4096          0x14 HEIGHT  RW  lines, 1..4096
//   0x18 STRIDE       RW  bytes from one line to the next, >= 4 * WIDTH (4-byte aligned)
//   0x1c FORMAT       RO  0x34325258, DRM fourcc "XR24" (XRGB8888, little-endian words)
//   0x20 FRAME_COUNT  RO  frames scanned (with or without errors)
//   0x24 ERROR_COUNT  RO  frames in which at least one read failed
//   0x28 STATUS       RO  bit 0 ACTIVE, bit 1 LAST_FRAME_ERROR, bit 2 BAD_CONFIG (the geometry
//                         above is out of range: nothing is read, the frame still counts).
//                         Clearing ENABLE stops scanning at the end of the frame period in
//                         progress, when ACTIVE clears: only then may software unmap the
//                         framebuffer.
//   0x2c INT_STATUS   W1C bit 0 FRAME (a frame was scanned), bit 1 ERROR (it had read errors)
//   0x30 INT_ENABLE   RW  same bits; the interrupt line is INT_STATUS & INT_ENABLE != 0
//   0x38 ERROR_ADDR   RO  64-bit bus address of the first failed read of the last bad frame
// Choices: a line is read in 4 KiB-bounded bursts; a failed burst (IOMMU fault, nothing at the
// address) leaves the rest of that line black, as a display underflows, and scanning goes on
// with the next line; the frame's registers are sampled when the frame starts. Reset: all zero
// except ID and FORMAT.

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/core/irq_line.h"
#include "models/core/peripheral.h"
#include "models/devices/dma_port.h"
#include "models/devices/interrupt_registers.h"

namespace socsim::devices {

class scanout : public core::peripheral {
public:
    static constexpr uint32_t id_value = 0x5343414e;
    static constexpr uint32_t format_xr24 = 0x34325258;
    static constexpr uint32_t max_dimension = 4096;
    static constexpr uint32_t int_frame = 1, int_error = 2;
    static constexpr uint32_t status_active = 1, status_frame_error = 2, status_bad_config = 4;

    struct config {
        uint32_t stream_id = core::dma_extension::no_id;
        unsigned frame_rate_hz = 60;
        std::string png_path;  // empty: no PNG
    };

    dma_port dma;
    core::irq_line irq;

    SC_HAS_PROCESS(scanout);
    scanout(sc_core::sc_module_name name, const config& cfg);
    ~scanout() override;

    // The last frame read: XRGB8888 pixels, width * height, row by row (empty before the first).
    const std::vector<uint32_t>& last_frame() const { return frame_; }
    uint32_t last_width() const { return frame_width_; }
    uint32_t last_height() const { return frame_height_; }
    // Writes the last frame as a PNG; false (with a warning) when there is none or on a write error.
    bool write_png(const std::string& path) const;

private:
    void write_control(uint64_t old, uint64_t now);
    void scan_thread();
    void scan_frame(sc_core::sc_time& delay);
    void end_of_simulation() override;

    config cfg_;
    sc_core::sc_event enabled_;
    std::vector<uint32_t> frame_;
    uint32_t frame_width_ = 0, frame_height_ = 0;
    std::vector<uint8_t> line_;
    bool png_written_ = false;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    core::reg& control_ = regs_.add("CONTROL", 0x04, 4).read_only(~uint64_t{1}).on_write(this, &scanout::write_control);
    core::reg& fb_base_ = regs_.add("FB_BASE", 0x08, 8).read_only(3);
    core::reg& width_ = regs_.add("WIDTH", 0x10, 4);
    core::reg& height_ = regs_.add("HEIGHT", 0x14, 4);
    core::reg& stride_ = regs_.add("STRIDE", 0x18, 4).read_only(3);
    core::reg& format_ = regs_.add("FORMAT", 0x1c, 4).reset_value(format_xr24).read_only();
    core::reg& frame_count_ = regs_.add("FRAME_COUNT", 0x20, 4).read_only();
    core::reg& error_count_ = regs_.add("ERROR_COUNT", 0x24, 4).read_only();
    core::reg& status_ = regs_.add("STATUS", 0x28, 4).read_only();
    interrupt_registers interrupts_{regs_, 0x2c, int_frame | int_error, irq};  // INT_STATUS, INT_ENABLE
    core::reg& error_addr_ = regs_.add("ERROR_ADDR", 0x38, 8).read_only();
};

} // namespace socsim::devices
