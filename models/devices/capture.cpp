#include "models/devices/capture.h"

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {

capture::capture(sc_core::sc_module_name name, const config& cfg)
    : peripheral(name), dma("dma", cfg.stream_id, this->name()), cfg_(cfg) {
    SC_THREAD(capture_thread);
}

uint32_t capture::pattern_pixel(uint32_t pattern, uint32_t color, uint32_t x, uint32_t y, uint32_t width,
                                uint32_t height, uint32_t frame) {
    static const uint32_t bars[8] = {0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000};
    switch (pattern) {
    case pattern_bars: return bars[uint64_t{x} * 8 / width];
    case pattern_solid: return color;
    default: {
        const uint32_t r = x * 255 / (width > 1 ? width - 1 : 1), g = y * 255 / (height > 1 ? height - 1 : 1);
        return r << 16 | g << 8 | (frame & 0xff);
    }
    }
}

void capture::write_control(uint64_t now) {
    const uint64_t status = status_.get();
    if (now & ctl_capture) {
        if (status & st_busy) {
            log_.warning("CAPTURE while a frame is being written or stalled: ignored");
        } else {
            status_.set(st_busy);
            error_addr_.set(0);
            start_.notify(sc_core::SC_ZERO_TIME);
        }
    }
    // DMA_ERROR goes at the write, as BUSY comes at START: software polling right after
    // RESUME or ABORT must not read the stall it just answered (the thread runs later).
    if ((now & (ctl_resume | ctl_abort)) && stall_.request(now & ctl_abort, status & st_dma_error, log_))
        status_.set(st_busy);
}

void capture::capture_thread() {
    for (;;) {
        wait(start_);
        const uint32_t width = static_cast<uint32_t>(width_.get());
        const uint32_t height = static_cast<uint32_t>(height_.get());
        const uint32_t stride = static_cast<uint32_t>(stride_.get());
        if (width == 0 || height == 0 || width > max_dimension || height > max_dimension ||
            uint64_t{stride} < uint64_t{width} * 4 || pattern_.get() > pattern_gradient) {
            log_.warning("capture refused: geometry " + std::to_string(width) + "x" + std::to_string(height) +
                         " stride " + std::to_string(stride) + " or pattern " +
                         std::to_string(pattern_.get()) + " out of range");
            status_.set(st_bad_config);
            interrupts_.raise(int_error);
            continue;
        }
        for (;;) {
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            const bool ok = write_frame(delay);
            if (delay > sc_core::SC_ZERO_TIME) wait(delay);
            core::trace_event("capture_frame", name())
                .hex_field("dst", dst_addr_.get())
                .field("ok", ok)
                .emit();
            if (ok) {
                frames_.set(frames_.get() + 1);
                status_.set(st_done);
                interrupts_.raise(int_done);
                break;
            }
            status_.set(st_busy | st_dma_error);
            interrupts_.raise(int_error);
            log_.warning("stalled: frame write failed at bus address " + core::hex(error_addr_.get()) +
                         " (waiting for RESUME or ABORT)");
            if (stall_.wait_for_answer() == stall_handshake::answer::abort) {
                status_.set(st_aborted);
                break;
            }
            status_.set(st_busy);
        }
    }
}

bool capture::write_frame(sc_core::sc_time& delay) {
    const uint32_t width = static_cast<uint32_t>(width_.get());
    const uint32_t height = static_cast<uint32_t>(height_.get());
    const uint32_t stride = static_cast<uint32_t>(stride_.get());
    const uint32_t pattern = static_cast<uint32_t>(pattern_.get());
    const uint32_t color = static_cast<uint32_t>(color_.get());
    const uint32_t frame = static_cast<uint32_t>(frames_.get());
    const uint64_t dst = dst_addr_.get();
    line_.resize(uint64_t{width} * 4);
    for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < width; ++x) {
            const uint32_t v = pattern_pixel(pattern, color, x, y, width, height, frame);
            for (unsigned b = 0; b < 4; ++b) line_[uint64_t{x} * 4 + b] = static_cast<uint8_t>(v >> (8 * b));
        }
        auto w = dma.write(dst + uint64_t{y} * stride, line_.data(), line_.size(), delay);
        delay += cfg_.per_pixel * static_cast<double>(width);
        if (!w.ok()) {
            error_addr_.set(w.failed_address);
            return false;
        }
    }
    return true;
}

} // namespace socsim::devices
