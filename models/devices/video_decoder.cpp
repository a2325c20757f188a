#include "models/devices/video_decoder.h"

#include <algorithm>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::devices {
namespace {

uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

const char* code_text(uint32_t code) {
    switch (code) {
    case video_decoder::err_bitstream_read: return "bitstream read failed";
    case video_decoder::err_reference_read: return "reference frame read failed";
    case video_decoder::err_frame_write: return "frame write failed";
    case video_decoder::err_magic: return "bad magic (not an SRLE bitstream)";
    case video_decoder::err_dimensions: return "bad dimensions or stride";
    case video_decoder::err_zero_run: return "zero-length run";
    case video_decoder::err_overrun: return "run past the end of the frame";
    case video_decoder::err_truncated: return "bitstream ends before the frame is complete";
    case video_decoder::err_no_reference: return "reference run, but this decoder has no reference frames";
    case video_decoder::err_too_long: return "BS_LEN larger than 16 MiB";
    default: return "?";
    }
}

} // namespace

video_decoder::video_decoder(sc_core::sc_module_name name, const config& cfg)
    : peripheral(name), dma("dma", cfg.stream_id, this->name()), cfg_(cfg) {
    SC_THREAD(decode_thread);
}

void video_decoder::write_control(uint64_t now) {
    const uint64_t status = status_.get();
    if (now & ctl_start) {
        if (status & st_busy) {
            log_.warning("START while a job is running or stalled: ignored");
        } else {
            status_.set(st_busy);
            error_code_.set(0);
            error_addr_.set(0);
            start_.notify(sc_core::SC_ZERO_TIME);
        }
    }
    // DMA_ERROR goes at the write, as BUSY comes at START: software polling right after
    // RESUME or ABORT must not read the stall it just answered (the thread runs later).
    if ((now & (ctl_resume | ctl_abort)) && stall_.request(now & ctl_abort, status & st_dma_error, log_))
        status_.set(st_busy);
}

void video_decoder::finish(uint32_t status_bit, uint32_t code) {
    status_.set(status_bit);
    error_code_.set(code);
    if (status_bit != st_aborted) {
        interrupts_.raise(status_bit == st_done ? int_done : int_error);
    }
    if (status_bit == st_format_error) log_.warning(std::string("job ended: ") + code_text(code));
}

void video_decoder::decode_thread() {
    for (;;) {
        wait(start_);
        for (;;) {
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            const uint32_t code = run_job(delay);
            if (delay > sc_core::SC_ZERO_TIME) wait(delay);
            core::trace_event("video_job", name())
                .hex_field("code", code)
                .field("width", width_.get())
                .field("height", height_.get())
                .emit();
            if (code == 0) {
                frames_.set(frames_.get() + 1);
                finish(st_done, 0);
                break;
            }
            if (code >= err_magic) {
                finish(st_format_error, code);
                break;
            }
            // A DMA error: stall until software says what to do.
            status_.set(st_busy | st_dma_error);
            error_code_.set(code);
            interrupts_.raise(int_error);
            log_.warning(std::string("stalled: ") + code_text(code) + " at bus address " +
                         core::hex(error_addr_.get()) + " (waiting for RESUME or ABORT)");
            if (stall_.wait_for_answer() == stall_handshake::answer::abort) {
                finish(st_aborted, code);
                break;
            }
            status_.set(st_busy);
        }
    }
}

uint32_t video_decoder::run_job(sc_core::sc_time& delay) {
    const uint64_t bs_addr = bs_addr_.get();
    const uint32_t bs_len = static_cast<uint32_t>(bs_len_.get());
    const uint32_t stride = static_cast<uint32_t>(stride_.get());
    if (bs_len > max_bitstream) return err_too_long;
    if (bs_len < 8) return err_truncated;
    bitstream_.resize(bs_len);
    auto r = dma.read(bs_addr, bitstream_.data(), bs_len, delay);
    if (!r.ok()) {
        error_addr_.set(r.failed_address);
        return err_bitstream_read;
    }
    if (le32(bitstream_.data()) != magic) return err_magic;
    const uint32_t width = bitstream_[4] | uint32_t(bitstream_[5]) << 8;
    const uint32_t height = bitstream_[6] | uint32_t(bitstream_[7]) << 8;
    width_.set(width);
    height_.set(height);
    if (width == 0 || height == 0 || width > max_dimension || height > max_dimension || stride < width * 4)
        return err_dimensions;
    const uint64_t total = uint64_t{width} * height;
    frame_.assign(total, 0);
    line_.resize(uint64_t{width} * 4);
    const uint64_t ref = ref_addr_ ? ref_addr_->get() : 0;
    int64_t cached_line = -1;  // the reference line in line_
    uint64_t pos = 0;
    for (uint64_t off = 8; pos < total; off += 8) {
        if (off + 8 > bs_len) return err_truncated;
        const uint32_t count = le32(&bitstream_[off]), pixel = le32(&bitstream_[off + 4]);
        const uint64_t run = count & 0x7fffffff;
        if (run == 0) return err_zero_run;
        if (pos + run > total) return err_overrun;
        if (!(count & 0x80000000u)) {
            std::fill(frame_.begin() + static_cast<int64_t>(pos), frame_.begin() + static_cast<int64_t>(pos + run),
                      pixel);
            pos += run;
            continue;
        }
        if (cfg_.kind != variant::vp9) return err_no_reference;
        for (uint64_t end = pos + run; pos < end; ++pos) {
            const int64_t y = static_cast<int64_t>(pos / width);
            if (y != cached_line) {
                auto rr = dma.read(ref + static_cast<uint64_t>(y) * stride, line_.data(), line_.size(), delay);
                if (!rr.ok()) {
                    error_addr_.set(rr.failed_address);
                    return err_reference_read;
                }
                cached_line = y;
            }
            frame_[pos] = le32(&line_[(pos % width) * 4]);
        }
    }
    delay += cfg_.per_pixel * static_cast<double>(total);
    const uint64_t dst = dst_addr_.get();
    for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < width; ++x) {
            const uint32_t v = frame_[uint64_t{y} * width + x];
            for (unsigned b = 0; b < 4; ++b) line_[uint64_t{x} * 4 + b] = static_cast<uint8_t>(v >> (8 * b));
        }
        auto w = dma.write(dst + uint64_t{y} * stride, line_.data(), line_.size(), delay);
        if (!w.ok()) {
            error_addr_.set(w.failed_address);
            return err_frame_write;
        }
    }
    return 0;
}

} // namespace socsim::devices
