#include "models/devices/scanout.h"

#include <png.h>

#include <cstring>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {

scanout::scanout(sc_core::sc_module_name name, const config& cfg)
    : peripheral(name), dma("dma", cfg.stream_id, this->name()), cfg_(cfg) {
    SC_THREAD(scan_thread);
}

scanout::~scanout() {
    // A run cut short by --max-time ends without end_of_simulation(); a platform that never ran
    // (a configuration error) has no frame and says nothing.
    if (!png_written_ && !cfg_.png_path.empty() && !frame_.empty()) write_png(cfg_.png_path);
}

void scanout::end_of_simulation() {
    if (cfg_.png_path.empty()) return;
    write_png(cfg_.png_path);
    png_written_ = true;
}

void scanout::write_control(uint64_t old, uint64_t now) {
    if (!(old & 1) && (now & 1)) enabled_.notify(sc_core::SC_ZERO_TIME);
}

void scanout::scan_thread() {
    const sc_core::sc_time period = sc_core::sc_time(1.0 / cfg_.frame_rate_hz, sc_core::SC_SEC);
    for (;;) {
        if (!(control_.get() & 1)) {
            status_.clear_bits(status_active);
            wait(enabled_);
        }
        status_.set_bits(status_active);
        const sc_core::sc_time start = sc_core::sc_time_stamp();
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        scan_frame(delay);
        if (delay > sc_core::SC_ZERO_TIME) wait(delay);
        const sc_core::sc_time next = start + period;
        if (next > sc_core::sc_time_stamp()) wait(next - sc_core::sc_time_stamp());
    }
}

void scanout::scan_frame(sc_core::sc_time& delay) {
    const uint64_t base = fb_base_.get();
    const uint32_t width = static_cast<uint32_t>(width_.get());
    const uint32_t height = static_cast<uint32_t>(height_.get());
    const uint32_t stride = static_cast<uint32_t>(stride_.get());
    frame_count_.set(frame_count_.get() + 1);  // 32 bits: wraps
    const bool bad = width == 0 || height == 0 || width > max_dimension || height > max_dimension ||
                     uint64_t{stride} < uint64_t{width} * 4;
    if (bad) {
        if (!(status_.get() & status_bad_config))
            log_.warning("frame geometry " + std::to_string(width) + "x" + std::to_string(height) + " stride " +
                         std::to_string(stride) + " is out of range (1..4096, stride >= 4 * width): nothing read");
        status_.set_bits(status_bad_config);
        interrupts_.raise(int_frame);
        return;
    }
    status_.clear_bits(status_bad_config);
    frame_width_ = width;
    frame_height_ = height;
    frame_.assign(uint64_t{width} * height, 0);
    line_.resize(uint64_t{width} * 4);
    bool error = false;
    uint64_t error_addr = 0;
    for (uint32_t y = 0; y < height; ++y) {
        const uint64_t at = base + uint64_t{y} * stride;
        auto r = dma.read(at, line_.data(), line_.size(), delay);
        uint64_t good = line_.size();
        if (!r.ok()) {
            if (!error) error_addr = r.failed_address;
            error = true;
            good = r.failed_address - at;  // bytes before the failed burst arrived
        }
        uint32_t* row = frame_.data() + uint64_t{y} * width;
        for (uint32_t x = 0; x < width && uint64_t{x} * 4 + 4 <= good; ++x) {
            const uint8_t* p = line_.data() + uint64_t{x} * 4;
            row[x] = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
        }
    }
    if (!error) {
        status_.clear_bits(status_frame_error);
    } else {
        status_.set_bits(status_frame_error);
        error_count_.set(error_count_.get() + 1);
        error_addr_.set(error_addr);
        if (error_count_.get() == 1)
            log_.warning("frame read failed at bus address " + core::hex(error_addr) +
                         " (further bad frames are counted in ERROR_COUNT)");
    }
    core::trace_event("scanout_frame", name())
        .field("frame", frame_count_.get())
        .hex_field("base", base)
        .field("width", static_cast<uint64_t>(width))
        .field("height", static_cast<uint64_t>(height))
        .field("error", error)
        .emit();
    interrupts_.raise(int_frame | (error ? int_error : 0));
}

bool scanout::write_png(const std::string& path) const {
    if (frame_.empty()) {
        log_.warning("no frame was read: " + path + " not written");
        return false;
    }
    std::vector<uint8_t> rgb(frame_.size() * 3);
    for (size_t i = 0; i < frame_.size(); ++i) {
        rgb[3 * i + 0] = static_cast<uint8_t>(frame_[i] >> 16);
        rgb[3 * i + 1] = static_cast<uint8_t>(frame_[i] >> 8);
        rgb[3 * i + 2] = static_cast<uint8_t>(frame_[i]);
    }
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = frame_width_;
    image.height = frame_height_;
    image.format = PNG_FORMAT_RGB;
    if (!png_image_write_to_file(&image, path.c_str(), 0, rgb.data(), 0, nullptr)) {
        log_.warning("cannot write " + path + ": " + image.message);
        return false;
    }
    log_.info("last frame (" + std::to_string(frame_width_) + "x" + std::to_string(frame_height_) + ") written to " +
              path);
    return true;
}

} // namespace socsim::devices
