#include "models/memory/coherence_tracker.h"

#include <algorithm>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/log.h"

namespace socsim::memory {

const char* coherence_tracker::name(maintenance op) {
    switch (op) {
    case maintenance::cvac: return "DC CVAC";
    case maintenance::civac: return "DC CIVAC";
    case maintenance::cvau: return "DC CVAU";
    case maintenance::cvap: return "DC CVAP";
    case maintenance::cvadp: return "DC CVADP";
    }
    return "DC ?";
}

std::string coherence_tracker::finding::explain() const {
    std::string s = "the line at " + core::hex(line);
    if (ever_cleaned)
        s += " was last cleaned to the point of coherency at " + core::format_ns(cleaned_at) + ", holding " +
             core::hex(seen_value) + " there";
    else
        s += " was never cleaned to the point of coherency since boot, when it held " + core::hex(seen_value) +
             " there";
    if (pou_only) s += "; it was cleaned at " + core::format_ns(pou_cleaned_at) + " only to the PoU (DC CVAU), which a device does not see";
    s += ": the CPU wrote " + core::hex(memory_value) + " after that, and on hardware the walker would still read " +
         core::hex(seen_value) + " (clean the line with DC CVAC or DC CIVAC, then DSB, before the walker may use it)";
    return s;
}

coherence_tracker::line_state& coherence_tracker::line_for(uint64_t line) { return lines_[line]; }

bool coherence_tracker::device_written(uint64_t line) const {
    auto it = device_ranges_.upper_bound(line + line_bytes - 1);
    if (it == device_ranges_.begin()) return false;
    --it;
    return it->second >= line;  // the range [first, last] overlaps the line
}

void coherence_tracker::add_device_range(uint64_t first, uint64_t last) {
    // Merge with every range that overlaps or touches [first, last].
    auto it = device_ranges_.upper_bound(first);
    if (it != device_ranges_.begin()) {
        auto prev = std::prev(it);
        if (prev->second + 1 >= first) {
            first = prev->first;
            last = std::max(last, prev->second);
            it = device_ranges_.erase(prev);
        }
    }
    while (it != device_ranges_.end() && it->first <= last + 1) {
        last = std::max(last, it->second);
        it = device_ranges_.erase(it);
    }
    device_ranges_[first] = last;
}

void coherence_tracker::maintain(maintenance op, uint64_t addr, const uint8_t* line, const sc_core::sc_time& when) {
    if (!active_) return;
    ++stats_.cleans;
    const uint64_t base = addr & ~uint64_t{line_bytes - 1};
    line_state& l = line_for(base);
    if (op == maintenance::cvau) {
        l.pou_only = true;
        l.pou_cleaned_at = when;
        return;
    }
    std::memcpy(l.bytes, line, line_bytes);
    l.cleaned = true;
    l.reported = false;
    l.pou_only = false;
    l.cleaned_at = when;
}

void coherence_tracker::preload(uint64_t addr, const void* data, uint64_t len) {
    if (!active_) return;  // no walker will ask (and a kernel Image would cost 500k lines)
    const auto* p = static_cast<const uint8_t*>(data);
    for (uint64_t done = 0; done < len;) {
        const uint64_t a = addr + done;
        const uint64_t base = a & ~uint64_t{line_bytes - 1};
        const unsigned off = static_cast<unsigned>(a - base);
        const unsigned n = static_cast<unsigned>(std::min<uint64_t>(line_bytes - off, len - done));
        // A line that stays all zero keeps the implicit boot content: no entry needed.
        const bool zero = std::all_of(p + done, p + done + n, [](uint8_t b) { return b == 0; });
        auto it = lines_.find(base);
        if (!zero || it != lines_.end()) std::memcpy(line_for(base).bytes + off, p + done, n);
        done += n;
    }
}

void coherence_tracker::device_write(uint64_t addr, const void* data, uint64_t len) {
    if (!active_ || len == 0) return;
    const auto* p = static_cast<const uint8_t*>(data);
    const uint64_t last = addr + len - 1;
    // Lines already followed: exact bytes (memory now holds them).
    for (auto it = lines_.lower_bound(addr & ~uint64_t{line_bytes - 1}); it != lines_.end() && it->first <= last;
         ++it) {
        const uint64_t from = std::max(addr, it->first);
        const uint64_t to = std::min(last, it->first + line_bytes - 1);
        std::memcpy(it->second.bytes + (from - it->first), p + (from - addr), to - from + 1);
    }
    add_device_range(addr, last);
}

bool coherence_tracker::check(uint64_t addr, unsigned size, uint64_t value, finding& out) {
    ++stats_.checks;
    const uint64_t base = addr & ~uint64_t{line_bytes - 1};
    if (size == 0 || size > 8 || addr - base + size > line_bytes) return false;  // walkers read aligned words
    auto it = lines_.find(base);
    if (it == lines_.end()) {
        if (device_written(base)) return false;  // content at boot unknown: not judged
        if (value == 0) return false;            // still the boot content
    }
    line_state& l = it == lines_.end() ? line_for(base) : it->second;
    uint64_t seen = 0;
    std::memcpy(&seen, l.bytes + (addr - base), size);
    if (seen == value) return false;
    ++stats_.differences;
    if (l.reported) return false;
    l.reported = true;
    ++stats_.findings;
    out = finding{};
    out.addr = addr;
    out.size = size;
    out.memory_value = value;
    out.seen_value = seen;
    out.line = base;
    out.ever_cleaned = l.cleaned;
    out.cleaned_at = l.cleaned_at;
    out.pou_only = l.pou_only;
    out.pou_cleaned_at = l.pou_cleaned_at;
    return true;
}

} // namespace socsim::memory
