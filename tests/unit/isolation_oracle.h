#pragma once
// The isolation oracle: random sequences of map, unmap, invalidate (or not), table-base switch,
// enable/disable and DMA, driven into one IOMMU model the way firmware would, with every access
// that reaches memory checked against a reference model of what the device may reach.
//
// The reference model, per translation context (a DART or SMMUv3 stream, the H6's one shared
// table) and IOVA page:
// - `in force`: what the tables of the active table base say now (or nothing while translation
//   is disabled, or the IOVA itself where disabling means bypass);
// - `dirty`: something the IOMMU may have cached for this page changed since the last invalidation
//   covering it (its translation in force changed, or the table base moved); with it, the
//   `stale candidates`: every translation that was in force since then, and every entry written
//   for this page in an inactive table (a walk cache holding the old table's pointer reaches those).
//
// Verdict per DMA (`escape` = a test failure, printed with the seed and the whole sequence):
// - every access that reached memory with the device's stream id went where the translation in
//   force sends it, with a permission it grants; or the page is dirty, the model reported a stale
//   translation during this very DMA (its DMA checker's stale-use count moved) and the access
//   matches a stale candidate. Anything else is a silent escape;
// - on a clean page the converse holds too: a DMA the translation in force refuses must fault
//   and reach nothing; one it allows must succeed and reach exactly its output address; and no
//   stale use may be reported;
// - the IOMMU's own accesses (walks, queues) never write the data area.
//
// Memory sits behind a `memory_tap` that grants no DMI, so every access the IOMMU makes is seen.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <vector>

namespace socsim::test::oracle {

// One IOVA page's translation in a table: which data page it maps and what it grants.
struct mapping {
    unsigned data_page = 0;
    bool read = true;
    bool write = true;
    bool operator==(const mapping& o) const {
        return data_page == o.data_page && read == o.read && write == o.write;
    }
};
using entry = std::optional<mapping>;  // nullopt: no valid translation

std::string describe(const entry& e);

// Records every transaction the IOMMU sends towards memory (it sits between the IOMMU's
// downstream socket and the bus) and grants no DMI, so none bypasses it.
class memory_tap : public sc_core::sc_module {
public:
    struct access {
        uint64_t addr = 0;
        unsigned len = 0;
        bool write = false;
        bool dma = false;  // carries a device's stream id (else the IOMMU's own access)
        uint32_t stream = 0;
    };
    tlm_utils::simple_target_socket<memory_tap> upstream;
    tlm_utils::simple_initiator_socket<memory_tap> downstream;

    explicit memory_tap(sc_core::sc_module_name name);

    std::vector<access> log;
    // Fault injection for the oracle's own test: the next DMA write also lands `rogue_offset`
    // bytes further on (a model bug the oracle must see).
    int64_t rogue_offset = 0;

private:
    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& p);
};

// One IOMMU model, programmed like firmware does (each model's oracle test implements it).
class iommu_driver {
public:
    virtual ~iommu_driver() = default;
    virtual std::string name() const = 0;
    virtual unsigned streams() const = 0;              // DMA masters / stream ids 0..n-1
    virtual unsigned contexts() const = 0;             // translation contexts
    virtual unsigned context_of(unsigned stream) const = 0;
    virtual unsigned tables() const { return 2; }      // table bases each context can switch between
    virtual unsigned pages() const = 0;                // IOVA pages per context
    virtual unsigned data_pages() const = 0;           // pages of the data area, where mappings point
    virtual uint64_t page_size() const = 0;
    virtual uint64_t iova(unsigned page) const = 0;
    virtual uint64_t data_address(unsigned data_page) const = 0;
    // Which permission combinations an entry can carry ({read, write}).
    virtual std::vector<std::pair<bool, bool>> permissions() const = 0;
    // Disabling translation makes the IOVA the physical address (else it blocks DMA); such a
    // driver has iova(p) == data_address(p).
    virtual bool bypass_when_disabled() const { return false; }

    // Writes the leaf entry of `page` in table `table` of context `ctx` (memory only).
    virtual void write_entry(unsigned ctx, unsigned table, unsigned page, const entry& e) = 0;
    // Invalidations, each complete (waited for) when the call returns; each may invalidate more.
    virtual void invalidate_page(unsigned ctx, unsigned page) = 0;
    virtual void invalidate_context(unsigned ctx) = 0;
    virtual void invalidate_all() = 0;
    // Points context `ctx` at table `table` (a table base register or descriptor), no TLB
    // invalidation.
    virtual void select_table(unsigned ctx, unsigned table) = 0;
    virtual void set_enabled(bool on) = 0;

    virtual tlm::tlm_response_status dma(unsigned stream, uint64_t iova, unsigned char* data, unsigned len,
                                         bool write) = 0;
    // After a refused DMA: what firmware's fault handler does (clear errors, release a stall).
    virtual void recover() {}
    // The model's DMA checker: stale translations used so far.
    virtual uint64_t stale_uses() const = 0;
};

struct figures {
    uint64_t sequences = 0;
    uint64_t steps = 0;
    uint64_t dmas = 0;
    uint64_t reached = 0;        // DMAs that reached memory
    uint64_t refused = 0;        // DMAs the IOMMU refused
    uint64_t stale_reported = 0; // DMAs that used a translation the model reported as stale
    uint64_t clean_checks = 0;   // DMAs on clean pages (exact outcome checked)
    uint64_t escapes = 0;        // accesses that reached memory the reference model forbids
    uint64_t violations = 0;     // other failures (see campaign::fail)
    std::string first_failure;   // seed, sequence, step, history and what went wrong
    std::string summary() const;
};

struct run_options {
    uint64_t seed = 1;
    uint64_t first_sequence = 0;
    uint64_t sequences = 100;
    unsigned steps = 64;
    // Environment overrides: SOCSIM_ORACLE_SEQUENCES, SOCSIM_ORACLE_SEED, SOCSIM_ORACLE_FIRST,
    // SOCSIM_ORACLE_STEPS.
    static run_options from_environment(uint64_t default_sequences);
};

// Runs the sequences (call from inside test::run_script). Each sequence starts from a known
// state: every entry unmapped, table 0 selected, translation on, everything invalidated.
figures run(iommu_driver& iommu, memory_tap& tap, const run_options& options);

} // namespace socsim::test::oracle
