#include "models/iommu/common/dma_announcements.h"

#include <algorithm>
#include <iterator>

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::iommu {

const char* dma_dir_name(dma_dir d) {
    switch (d) {
    case dma_dir::to_device: return "DMA_TO_DEVICE";
    case dma_dir::from_device: return "DMA_FROM_DEVICE";
    default: return "DMA_BIDIRECTIONAL";
    }
}

const char* report_kind_name(dma_access_report::kind k) {
    switch (k) {
    case dma_access_report::kind::outside: return "access outside every announced buffer";
    case dma_access_report::kind::wrong_direction: return "access in the wrong direction";
    case dma_access_report::kind::after_unmap: return "access after unmap";
    default: return "bad unmap";
    }
}

namespace {

std::string range_text(uint64_t iova, uint64_t size) {
    return core::hex(iova) + ".." + core::hex(iova + (size ? size - 1 : 0));
}

} // namespace

dma_announcements::dma_announcements(const std::string& owner) : owner_(owner), log_(owner) {}

size_t dma_announcements::active_buffers() const {
    size_t n = 0;
    for (const auto& [stream, t] : streams_) n += t.active.size();
    return n;
}

dma_announcements::result dma_announcements::map(uint32_t stream, uint64_t iova, uint64_t size, dma_dir dir) {
    if (size == 0 || iova + size < iova || static_cast<unsigned>(dir) > 2) return result::bad_arguments;
    stream_table& t = streams_[stream];
    buffer b{iova, size, dir, next_id_++};
    // The IOVA range is in use again: accesses there are judged against the new buffer, not
    // as uses of an old one after its unmap.
    t.unmapped.erase(std::remove_if(t.unmapped.begin(), t.unmapped.end(),
                                    [&](const buffer& old) { return old.iova < b.end() && b.iova < old.end(); }),
                     t.unmapped.end());
    auto [it, inserted] = t.active.emplace(iova, b);
    if (!inserted) {
        // Linux's table would hold both; a second buffer at the same IOVA of one stream means
        // the first was lost without an unmap. Keep the newer one and say so.
        log_.warning("dma-debug: stream " + std::to_string(stream) + " maps IOVA " + core::hex(iova) +
                     " again without unmapping " + range_text(it->second.iova, it->second.size) + " first");
        it->second = b;
    }
    return result::ok;
}

dma_announcements::result dma_announcements::unmap(uint32_t stream, uint64_t iova, uint64_t size, dma_dir dir) {
    if (size == 0 || iova + size < iova || static_cast<unsigned>(dir) > 3) return result::bad_arguments;
    stream_table& t = streams_[stream];
    dma_access_report r;
    r.what = dma_access_report::kind::bad_unmap;
    r.stream = stream;
    r.iova = iova;
    r.size = size;
    auto it = t.active.find(iova);
    if (it == t.active.end()) {
        r.message = "dma-debug: stream " + std::to_string(stream) + " unmaps " + range_text(iova, size) +
                    ", which is not mapped (firmware frees DMA memory it has not allocated)";
        finding(r, ~uint64_t{0});
        return result::not_mapped;
    }
    const buffer b = it->second;
    t.active.erase(it);
    t.unmapped.push_back(b);
    if (t.unmapped.size() > unmapped_history) t.unmapped.pop_front();
    r.has_buffer = true;
    r.buffer_iova = b.iova;
    r.buffer_size = b.size;
    r.buffer_dir = b.dir;
    if (b.size != size) {
        r.message = "dma-debug: stream " + std::to_string(stream) + " unmaps the buffer at " + core::hex(iova) +
                    " with size " + std::to_string(size) + ", but it was mapped with size " + std::to_string(b.size);
        finding(r, ~uint64_t{0});
        return result::size_mismatch;
    }
    if (dir != dma_dir::none && b.dir != dir) {
        r.message = "dma-debug: stream " + std::to_string(stream) + " unmaps the buffer at " + core::hex(iova) +
                    " as " + dma_dir_name(dir) + ", but it was mapped " + dma_dir_name(b.dir);
        finding(r, ~uint64_t{0});
        return result::dir_mismatch;
    }
    return result::ok;
}

void dma_announcements::forget(uint32_t stream) { streams_.erase(stream); }

const dma_announcements::buffer* dma_announcements::nearest(const stream_table& t, uint64_t iova) const {
    const buffer* best = nullptr;
    uint64_t best_distance = ~uint64_t{0};
    auto above = t.active.upper_bound(iova);
    if (above != t.active.end()) {
        best = &above->second;
        best_distance = above->second.iova - iova;
    }
    if (above != t.active.begin()) {
        const buffer& below = std::prev(above)->second;
        const uint64_t d = iova >= below.end() ? iova - below.end() + 1 : 0;
        if (d <= best_distance) best = &below;
    }
    return best;
}

void dma_announcements::check_slow(uint32_t stream, uint64_t iova, uint64_t size, bool write) {
    auto s = streams_.find(stream);
    if (s == streams_.end()) return;
    const stream_table& t = s->second;
    const uint64_t end = iova + (size ? size : 1) < iova ? ~uint64_t{0} : iova + (size ? size : 1);
    dma_access_report r;
    r.stream = stream;
    r.iova = iova;
    r.size = size;
    r.write = write;
    auto describe = [&](const buffer& b) {
        r.has_buffer = true;
        r.buffer_iova = b.iova;
        r.buffer_size = b.size;
        r.buffer_dir = b.dir;
    };
    const std::string access = "stream " + std::to_string(stream) + (write ? " write" : " read") + " of " +
                               std::to_string(size) + " bytes at IOVA " + core::hex(iova);
    // Walk the access through the buffers that cover it, one after the other.
    uint64_t at = iova;
    while (at < end) {
        const buffer* found = nullptr;
        for (auto it = t.active.upper_bound(at); it != t.active.begin();) {
            --it;
            if (at < it->second.end()) {
                found = &it->second;
                break;
            }
        }
        if (!found) break;
        const bool allowed = found->dir == dma_dir::bidirectional ||
                             (write ? found->dir == dma_dir::from_device : found->dir == dma_dir::to_device);
        if (!allowed) {
            r.what = dma_access_report::kind::wrong_direction;
            describe(*found);
            r.message = "dma-debug: " + access + " in the buffer " + range_text(found->iova, found->size) +
                        " mapped " + dma_dir_name(found->dir);
            finding(r, found->id);
            return;
        }
        at = found->end();
    }
    if (at >= end) return;
    const std::string part = at == iova ? "" : " (from " + core::hex(at) + ")";
    for (auto it = t.unmapped.rbegin(); it != t.unmapped.rend(); ++it) {
        if (it->iova <= at && at < it->end()) {
            r.what = dma_access_report::kind::after_unmap;
            describe(*it);
            r.message = "dma-debug: " + access + part + " uses the buffer " + range_text(it->iova, it->size) +
                        " after it was unmapped";
            finding(r, it->id);
            return;
        }
    }
    r.what = dma_access_report::kind::outside;
    const buffer* n = nearest(t, at);
    if (n) describe(*n);
    r.message = "dma-debug: " + access + part + " is outside every announced buffer of the stream" +
                (n ? " (nearest: " + range_text(n->iova, n->size) + " " + dma_dir_name(n->dir) + ")"
                   : " (none is mapped now)");
    finding(r, n ? n->id : (uint64_t{1} << 63) | (at & ~uint64_t{0xfff}));
}

void dma_announcements::finding(dma_access_report r, uint64_t anchor) {
    ++findings_;
    // Announcement errors (anchor all-ones) are reported each time; access findings once per
    // buffer and kind.
    if (anchor != ~uint64_t{0} && !reported_.emplace(r.stream, static_cast<int>(r.what), anchor).second) return;
    log_.warning(r.message);
    core::trace_event ev("dma_check", owner_);
    ev.field("verdict", report_kind_name(r.what))
        .field("stream", static_cast<uint64_t>(r.stream))
        .hex_field("iova", r.iova)
        .field("size", r.size);
    if (r.what != dma_access_report::kind::bad_unmap) ev.field("cmd", r.write ? "write" : "read");
    if (r.has_buffer)
        ev.hex_field("buffer_iova", r.buffer_iova)
            .field("buffer_size", r.buffer_size)
            .field("buffer_dir", dma_dir_name(r.buffer_dir));
    ev.emit();
    reports_.push_back(std::move(r));
}

} // namespace socsim::iommu
