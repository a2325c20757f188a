#pragma once
// DMA-API debugging for one IOMMU instance: the table of buffers that firmware announced as
// mapped for each stream (through the socsim,dma-debug device, the way Linux's
// kernel/dma/debug.c keeps its hash of dma_debug_entry), and the checks of each device access
// against it.
//
// What is checked (`check`, called by the IOMMU for every DMA it handles, via dma_checker):
// - an access (or a part of it) outside every active buffer of its stream: "outside";
// - a device write into a buffer announced DMA_TO_DEVICE, or a device read of one announced
//   DMA_FROM_DEVICE: "wrong direction" (BIDIRECTIONAL allows both). Linux cannot see device
//   accesses; here they are what is checked;
// - an access to a buffer that was unmapped: "after unmap". The table remembers the last
//   `unmapped_history` unmapped buffers of each stream for this, and forgets one as soon as a new
//   mapping overlaps it (the IOVAs were reused: accesses there are judged by the new buffer).
// An access covered by several adjacent active buffers (the segments of a scatter list) is fine.
// Streams for which nothing was ever announced are not checked: firmware that does not announce
// runs unchanged. With no announcement at all the check is one load and a branch.
//
// Announcement errors are reported as Linux's dma-debug reports them: unmapping a buffer that
// is not mapped ("frees DMA memory it has not allocated"), or with another size or direction
// than it was mapped with; a zero-length or wrapping buffer is refused.
//
// Each finding is one warning line and one "dma_check" trace event, once per buffer and kind
// (an access outside every buffer is attributed to the nearest active buffer of the stream, or
// to its 4 KiB page when the stream has none); every finding is counted.

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "models/core/log.h"

namespace socsim::iommu {

// The direction values are Linux's enum dma_data_direction. DMA_NONE (3) is refused for a map;
// an unmap with it skips the direction check (an unmap call that does not carry a direction).
enum class dma_dir : uint8_t { bidirectional = 0, to_device = 1, from_device = 2, none = 3 };
const char* dma_dir_name(dma_dir d);

struct dma_access_report {
    enum class kind { outside, wrong_direction, after_unmap, bad_unmap };
    kind what = kind::outside;
    uint32_t stream = 0;
    uint64_t iova = 0, size = 0;  // the access (for bad_unmap: the unmap request)
    bool write = false;
    bool has_buffer = false;      // the buffer it concerns
    uint64_t buffer_iova = 0, buffer_size = 0;
    dma_dir buffer_dir = dma_dir::bidirectional;
    std::string message;
};
const char* report_kind_name(dma_access_report::kind k);

class dma_announcements {
public:
    static constexpr unsigned unmapped_history = 64;

    enum class result { ok, bad_arguments, not_mapped, size_mismatch, dir_mismatch };

    // `owner` is the IOMMU instance name (log module and trace source).
    explicit dma_announcements(const std::string& owner);

    // Firmware announced [iova, iova + size) mapped for `stream`.
    result map(uint32_t stream, uint64_t iova, uint64_t size, dma_dir dir);
    // Firmware announced the unmapping of the buffer at `iova` (its first byte, as mapped);
    // `dir` none: any direction.
    result unmap(uint32_t stream, uint64_t iova, uint64_t size, dma_dir dir);
    // Forgets everything about `stream` (it is no longer checked).
    void forget(uint32_t stream);

    // A device access through the IOMMU. Inline fast path: nothing announced, nothing to do.
    void check(uint32_t stream, uint64_t iova, uint64_t size, bool write) {
        if (streams_.empty()) return;
        check_slow(stream, iova, size, write);
    }

    bool any() const { return !streams_.empty(); }
    size_t active_buffers() const;
    uint64_t findings() const { return findings_; }
    const std::vector<dma_access_report>& reports() const { return reports_; }

private:
    struct buffer {
        uint64_t iova = 0, size = 0;
        dma_dir dir = dma_dir::bidirectional;
        uint64_t id = 0;  // serial number: "once per buffer" survives a re-map at the same IOVA
        uint64_t end() const { return iova + size; }  // exclusive (no wrap: checked at map)
    };
    struct stream_table {
        std::map<uint64_t, buffer> active;  // by first IOVA
        std::deque<buffer> unmapped;        // newest last
    };

    void check_slow(uint32_t stream, uint64_t iova, uint64_t size, bool write);
    void finding(dma_access_report r, uint64_t anchor);
    const buffer* nearest(const stream_table& t, uint64_t iova) const;

    std::string owner_;
    core::logger log_;
    std::unordered_map<uint32_t, stream_table> streams_;
    std::set<std::tuple<uint32_t, int, uint64_t>> reported_;  // stream, kind, anchor
    uint64_t next_id_ = 1;
    uint64_t findings_ = 0;
    std::vector<dma_access_report> reports_;
};

} // namespace socsim::iommu
