#pragma once
// Which bytes of RAM a non-coherent bus master (the Allwinner H6 IOMMU's table walker) would see
// differently from the CPU on real hardware, without modelling CPU caches and without seeing
// CPU stores. One per platform: the builder creates it and hands it to the CPU (which reports
// data-cache maintenance by address) and to the non-coherent walkers (which ask about what they
// read). Not a SystemC module: plain bookkeeping.
//
// Method. On hardware, a CPU store sits in the data cache until the line is cleaned to the point
// of coherency (DC CVAC, DC CIVAC, DC CVAP, DC CVADP); a walker that reads memory behind the cache
// sees the line as it was at its last clean. In the simulator the CPU writes RAM directly (DMI),
// so the walker sees the newest value. The tracker therefore keeps, per 64-byte line:
//   - a snapshot of the line's bytes at its last clean to the point of coherency (the CPU model
//     hands over the line's bytes when it executes the clean), or
//   - for a line never cleaned, its content at boot: zero (RAM reads zero until written), or the
//     bytes the loader placed there (ELF segments, DTB: `preload`).
// When a walker read returns bytes that differ from that snapshot, the CPU (the only other writer
// the tracker does not hear about) changed them after the last clean: on hardware the walker
// would have read the snapshot's bytes, so `check` returns a finding. Each line is reported once
// until it is cleaned again. The walker itself still uses the value in RAM.
//
// Cleans that do not reach the walker: DC CVAU cleans to the point of unification only (the CPU's
// own instruction fetch and table walks), which a device behind the interconnect does not see;
// it leaves the snapshot alone, and a finding on such a line says it was cleaned to the PoU only.
//
// Writes by other bus masters (DMA) land in memory, not in a CPU cache: the IOMMU forwarding them
// calls `device_write`. Bytes of a line the tracker already follows are updated exactly; a line it
// does not follow yet is marked as device-written (as a coalesced address range, so frame buffers
// cost a few ranges, not a snapshot per line), and a walker read there is not judged until the CPU
// cleans that line (its boot content is no longer known).
//
// Limits (by design, documented rather than hidden):
// - A store that leaves a line's bytes equal to its snapshot is invisible (harmless: memory holds
//   the same bytes). A store made and cleaned, then another store not cleaned, is reported, as it
//   should be.
// - DC IVAC (invalidate without clean) and set/way maintenance are ignored: on hardware an IVAC
//   discards dirty data, which the simulator (whose RAM already holds it) cannot undo. DC ZVA is a
//   store and, like every store, is not seen.
// - Addresses are physical: the CPU model runs with identity mapping, so DC by VA names the PA.
// - One CPU; lines are 64 bytes (Cortex-A53/A57/A72 CTR_EL0.DminLine).
// - Device-written lines the CPU never cleaned are not judged (see above).

#include <cstdint>
#include <map>
#include <string>
#include <systemc>

namespace socsim::memory {

class coherence_tracker {
public:
    static constexpr unsigned line_bytes = 64;

    // Data-cache maintenance by address (AArch64 DC ... , Xt).
    enum class maintenance : uint8_t { cvac, civac, cvau, cvap, cvadp };

    struct finding {
        uint64_t addr = 0;          // what the walker read
        unsigned size = 0;
        uint64_t memory_value = 0;  // what RAM holds (and the walker used)
        uint64_t seen_value = 0;    // what the walker would have read on hardware (snapshot)
        uint64_t line = 0;          // line address
        bool ever_cleaned = false;  // else: the boot content is the snapshot
        sc_core::sc_time cleaned_at;
        bool pou_only = false;      // cleaned since, but only to the PoU (DC CVAU)
        sc_core::sc_time pou_cleaned_at;
        std::string explain() const;  // "the line ... was last cleaned at ... holding ..."
    };

    struct statistics {
        uint64_t cleans = 0;        // maintenance operations received
        uint64_t checks = 0;        // walker reads judged
        uint64_t differences = 0;   // judged reads that differed (reported or not)
        uint64_t findings = 0;      // reported (first per line per clean)
    };

    // Consumers (walkers) call this at construction; until then maintenance costs one test.
    void set_active() { active_ = true; }
    bool active() const { return active_; }

    static const char* name(maintenance op);

    // The CPU executed `op` on the line holding `addr`; `line` is that line's 64 bytes now
    // (aligned to line_bytes), `when` the CPU's local time.
    void maintain(maintenance op, uint64_t addr, const uint8_t* line, const sc_core::sc_time& when);

    // The loader placed `len` bytes at `addr` before the CPU started: memory holds them.
    void preload(uint64_t addr, const void* data, uint64_t len);

    // A bus master other than the CPU wrote `len` bytes at `addr` (they are in memory).
    void device_write(uint64_t addr, const void* data, uint64_t len);

    // A non-coherent walker read `size` (1..8) bytes at `addr`, little-endian `value`. True when
    // they differ from what the line held at its last clean and the line was not reported since.
    bool check(uint64_t addr, unsigned size, uint64_t value, finding& out);

    const statistics& stats() const { return stats_; }
    size_t tracked_lines() const { return lines_.size(); }

private:
    struct line_state {
        uint8_t bytes[line_bytes] = {};
        bool cleaned = false;
        bool reported = false;
        bool pou_only = false;
        sc_core::sc_time cleaned_at;
        sc_core::sc_time pou_cleaned_at;
    };
    line_state& line_for(uint64_t line);  // creates it with the boot content (zero)
    bool device_written(uint64_t line) const;
    void add_device_range(uint64_t first, uint64_t last);

    bool active_ = false;
    std::map<uint64_t, line_state> lines_;       // by line address
    std::map<uint64_t, uint64_t> device_ranges_; // first -> last byte, disjoint, coalesced
    statistics stats_;
};

} // namespace socsim::memory
