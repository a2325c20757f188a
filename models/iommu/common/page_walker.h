#pragma once
// The table-walk engine every IOMMU uses. A `walk_format` describes one page-table format (where
// the entry for an address is in a table of a given level, and what a descriptor means); the
// walker reads entries through a memory_port, level after level, until the format says "leaf"
// or "fault". Guest tables cannot hang or crash it:
// - at most `max_depth` entries are read per walk (a format that never terminates gets
//   walk_status::too_deep);
// - a table address seen twice in one walk is flagged as a loop (`walk_result::loop`), which the
//   IOMMU can name in its diagnostic; the walk itself goes on as the hardware's would (for
//   fixed-depth formats such as VMSAv8-64 the level bound ends it);
// - an entry read that fails on the bus gives walk_status::bus_error with the fetch address.
//
// Debug walks (`debug = true`) use side-effect-free reads and no simulated time.

#include <cstdint>
#include <cstring>
#include <systemc>

#include "models/iommu/common/memory_port.h"
#include "models/iommu/common/tlb.h"

namespace socsim::iommu {

enum class walk_status : uint8_t { ok, fault, bus_error, too_deep };

// One decoded descriptor, as the format reports it.
struct walk_step {
    enum kind_t : uint8_t { table, leaf, fault } kind = fault;
    int fault_code = 0;    // format-defined, when kind == fault
    uint64_t next = 0;     // next table address, when kind == table
    uint64_t output = 0;   // output address of the mapping's first byte, when kind == leaf
    uint8_t size_shift = 0;
    uint8_t perms = 0;     // tlb_perm bits
    bool global = false;
    uint64_t attrs = 0;    // format-defined
};

class walk_format {
public:
    virtual ~walk_format() = default;
    // Bytes per table entry (4 or 8).
    virtual unsigned entry_size() const = 0;
    // Address of the entry for `iova` in the table at `table` of level `level`.
    virtual uint64_t entry_address(uint64_t table, int level, uint64_t iova) const = 0;
    // What `descriptor`, read at `level`, means for `iova`. `state` starts at 0 for each walk and
    // carries what the format accumulates across levels (hierarchical permissions, ...).
    virtual walk_step decode(int level, uint64_t descriptor, uint64_t iova, uint64_t& state) const = 0;
};

struct walk_result {
    walk_status status = walk_status::fault;
    int fault_code = 0;     // the format's code when status == fault
    int level = 0;          // level of the last entry read (the leaf, or where it stopped)
    uint64_t iova_base = 0; // first input address of the mapping (ok)
    uint64_t output = 0;    // output address of iova_base (ok)
    uint8_t size_shift = 0;
    uint8_t perms = 0;
    bool global = false;
    uint64_t attrs = 0;
    uint64_t fetch_addr = 0;    // the entry read last (the failing one on bus_error)
    uint64_t descriptor = 0;    // its value (fault, ok)
    bool loop = false;          // a table address repeated within this walk
    uint64_t loop_table = 0;
    walk_trail trail;

    bool ok() const { return status == walk_status::ok; }
    uint64_t translate(uint64_t iova) const { return output + (iova - iova_base); }
    // The TLB entry caching this (successful) walk's leaf, tagged with `context` and `stream`,
    // stamped as read now.
    tlb_entry cached(uint32_t context, uint32_t stream) const {
        tlb_entry e;
        e.iova = iova_base;
        e.output = output;
        e.context = context;
        e.stream = stream;
        e.size_shift = size_shift;
        e.perms = perms;
        e.level = static_cast<uint8_t>(level);
        e.global = global;
        e.attrs = attrs;
        e.trail = trail;
        e.read_now();
        return e;
    }
};

class page_walker {
public:
    explicit page_walker(memory_port& port, unsigned max_depth = walk_trail::max_levels)
        : port_(port), max_depth_(max_depth) {}

    walk_result walk(const walk_format& format, uint64_t root_table, int first_level, uint64_t iova,
                     sc_core::sc_time& delay, bool debug = false);

    // True when every entry of `trail` still holds the value recorded (debug reads). An entry
    // that cannot be read counts as changed.
    bool trail_unchanged(const walk_trail& trail) {
        uint64_t now;
        return first_change(trail, now) < 0;
    }
    // Index of the first entry of `trail` whose value differs now, or -1; `now` gets its value.
    int first_change(const walk_trail& trail, uint64_t& now) {
        const bool direct = trail.dmi_generation == port_.dmi_generation();
        for (unsigned i = 0; i < trail.count; ++i) {
            uint64_t v = 0;
            if (direct && trail.host[i] && trail.entry_size[i] == 8)
                std::memcpy(&v, trail.host[i], 8);
            else if (direct && trail.host[i] && trail.entry_size[i] == 4)
                std::memcpy(&v, trail.host[i], 4);
            else if (!port_.peek(trail.address[i], &v, trail.entry_size[i])) {
                now = 0;  // unreadable now: changed
                return static_cast<int>(i);
            }
            if (v != trail.value[i]) {
                now = v;
                return static_cast<int>(i);
            }
        }
        return -1;
    }

    memory_port& port() { return port_; }
    uint64_t walks() const { return walks_; }

private:
    memory_port& port_;
    unsigned max_depth_;
    uint64_t walks_ = 0;
};

} // namespace socsim::iommu
