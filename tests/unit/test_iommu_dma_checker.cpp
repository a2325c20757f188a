// The DMA checker on its own, with the common walker and TLB and a toy two-level format of 32-bit
// entries (as an IOMMU without Arm tables would use it): stale translations are found from the
// walk trail, reported once with stream, IOVA, old and new output, the changed entry and the
// time window; unchanged translations are not reported; it can be switched off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/bus/router.h"
#include "models/core/log.h"
#include "models/core/memory_epoch.h"
#include "models/core/trace_writer.h"
#include "models/iommu/common/dma_checker.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using namespace socsim::iommu;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000;
constexpr uint64_t L1 = RAM_BASE + 0x4000, L2 = RAM_BASE + 0x8000;

class toy_format : public walk_format {
public:
    unsigned entry_size() const override { return 4; }
    uint64_t entry_address(uint64_t table, int level, uint64_t iova) const override {
        return level == 1 ? table + ((iova >> 20) & 0xfff) * 4 : table + ((iova >> 12) & 0xff) * 4;
    }
    walk_step decode(int level, uint64_t d, uint64_t, uint64_t&) const override {
        walk_step s;
        if (!(d & 1)) return s;
        if (level == 1) {
            s.kind = walk_step::table;
            s.next = d & 0xfffffc00;
            return s;
        }
        s.kind = walk_step::leaf;
        s.output = d & 0xfffff000;
        s.size_shift = 12;
        s.perms = perm_read | ((d & 0x10) ? perm_write : 0);
        return s;
    }
};

struct owner : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<owner> socket{"socket"};
    memory_port port{socket, "iommu"};
    page_walker walker{port};
    tlb cache{16, 4};
    dma_checker checker{"iommu"};
    toy_format format;
    explicit owner(sc_core::sc_module_name n) : sc_module(n) { checker.describe_cache({&cache, "TLB", "stream"}); }

    // What an IOMMU does on each access: TLB, else walk and fill; on a hit, the checker.
    uint64_t translate(uint32_t stream, uint64_t iova) {
        sc_core::sc_time delay;
        tlb_entry* e = cache.lookup(stream, iova);
        if (e) {
            checker.check_hit(*e, stream, iova, false, walker, [&] {
                sc_core::sc_time d;
                return walker.walk(format, L1, 1, iova, d, true);
            });
            return e->translate(iova);
        }
        walk_result w = walker.walk(format, L1, 1, iova, delay);
        if (!w.ok()) return 0;
        tlb_entry n;
        n.iova = w.iova_base;
        n.output = w.output;
        n.context = stream;
        n.stream = stream;
        n.size_shift = w.size_shift;
        n.perms = w.perms;
        n.trail = w.trail;
        n.filled_at = n.verified_at = sc_core::sc_time_stamp();
        n.verified_epoch = core::memory_epoch::current();
        return cache.insert(n).translate(iova);
    }
};

struct rig {
    bus::router bus{"bus"};
    memory::ram ram{"ram", 0x100000};
    owner iommu{"iommu"};
    test::test_initiator mem{"mem"};
    rig() {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, 0x100000}, "/memory");
        iommu.socket.bind(bus.target_socket);
        mem.socket.bind(bus.target_socket);
    }
    void w32(uint64_t a, uint32_t v) { REQUIRE(mem.debug_write(a, &v, 4) == 4); }
};

} // namespace

TEST_CASE("DMA checker: a remapped page used without invalidation is reported once, with its time window") {
    std::ostringstream log;
    core::set_log_stream(&log);
    rig r;
    test::run_script([&] {
        r.w32(L1 + 1 * 4, static_cast<uint32_t>(L2) | 1);
        r.w32(L2 + 2 * 4, 0x40050000 | 1);
        CHECK(r.iommu.translate(4, 0x102abc) == 0x40050abc);
        sc_core::wait(5, sc_core::SC_NS);
        CHECK(r.iommu.translate(4, 0x102abc) == 0x40050abc);  // verified at 5 ns
        sc_core::wait(5, sc_core::SC_NS);
        r.w32(L2 + 2 * 4, 0x40060000 | 1);  // remapped, no invalidation
        invalidation_note other_stream;  // an invalidation that does not cover it (10 ns)
        other_stream.command = "flush stream 5";
        other_stream.scopes.push_back({&r.iommu.cache, tlb_match::by_context(5, true)});
        r.iommu.checker.note_invalidation(other_stream);
        sc_core::wait(5, sc_core::SC_NS);
        CHECK(r.iommu.translate(4, 0x102abc) == 0x40050abc);  // the stale one is still used
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        REQUIRE(r.iommu.checker.reports().size() == 1);
        CHECK(r.iommu.checker.stale_uses() == 2);
        CHECK(r.iommu.checker.checks() == 3);
        const stale_report& rep = r.iommu.checker.reports()[0];
        CHECK(rep.stream == 4);
        CHECK(rep.iova == 0x102abc);
        CHECK(rep.old_output == 0x40050abc);
        CHECK(rep.new_mapped);
        CHECK(rep.new_output == 0x40060abc);
        CHECK(rep.changed_index == 1);
        CHECK(rep.changed_addr == L2 + 8);
        CHECK(rep.changed_old == (0x40050000 | 1));
        CHECK(rep.changed_new == (0x40060000 | 1));
        CHECK(rep.filled_at == sc_core::SC_ZERO_TIME);
        CHECK(rep.written_after == sc_core::sc_time(5, sc_core::SC_NS));
        CHECK(rep.detected_at == sc_core::sc_time(15, sc_core::SC_NS));
        CHECK(rep.any_invalidation);
        CHECK(rep.last_invalidation == sc_core::sc_time(10, sc_core::SC_NS));
    });
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(text.find("warning: stale translation used: stream 4 read at IOVA 0x102abc went to 0x40050abc") !=
          std::string::npos);
    CHECK(text.find("the tables now say 0x40060abc") != std::string::npos);
    CHECK(text.find("after 5 ns") != std::string::npos);
    CHECK(text.find("last invalidation at 10 ns, which did not cover it: flush stream 5 invalidated stream 5, the entry "
                    "is stream 4") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("DMA checker: a changed level-1 entry, an unmapped page, and the trace event") {
    const std::string trace = "test_iommu_dma_checker_trace.jsonl";
    core::trace_writer::instance().open(trace);
    std::ostringstream log;
    core::set_log_stream(&log);
    rig r;
    test::run_script([&] {
        r.w32(L1 + 1 * 4, static_cast<uint32_t>(L2) | 1);
        r.w32(L2 + 2 * 4, 0x40050000 | 1);
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        r.w32(L1 + 1 * 4, 0);  // the whole level-2 table unhooked
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        REQUIRE(r.iommu.checker.reports().size() == 1);
        CHECK_FALSE(r.iommu.checker.reports()[0].new_mapped);
        CHECK(r.iommu.checker.reports()[0].changed_index == 0);
        CHECK_FALSE(r.iommu.checker.reports()[0].any_invalidation);
    });
    core::set_log_stream(nullptr);
    core::trace_writer::instance().close();
    CHECK(log.str().find("the tables now have no mapping") != std::string::npos);
    CHECK(log.str().find("no invalidation issued since reset") != std::string::npos);
    std::ifstream in(trace);
    std::string line, all;
    while (std::getline(in, line)) all += line + "\n";
    CHECK(all.find("\"kind\":\"dma_check\"") != std::string::npos);
    CHECK(all.find("\"verdict\":\"stale translation used\"") != std::string::npos);
    CHECK(all.find("\"old_pa\":\"0x40050000\"") != std::string::npos);
    CHECK(all.find("\"new_mapped\":false") != std::string::npos);
    std::remove(trace.c_str());
}

TEST_CASE("DMA checker: changes that keep the translation are not findings, switched off it checks nothing") {
    rig r;
    test::run_script([&] {
        r.w32(L1 + 1 * 4, static_cast<uint32_t>(L2) | 1);
        r.w32(L2 + 2 * 4, 0x40050000 | 1);
        r.iommu.translate(4, 0x102000);
        r.w32(L2 + 3 * 4, 0x40070000 | 1);       // a neighbour: not in the trail
        r.w32(L2 + 2 * 4, 0x40050000 | 1 | 0x100);  // an ignored bit of this entry
        r.iommu.translate(4, 0x102000);
        r.iommu.translate(4, 0x102000);
        CHECK(r.iommu.checker.reports().empty());
        CHECK(r.iommu.checker.checks() == 2);
        r.iommu.checker.set_enabled(false);
        r.w32(L2 + 2 * 4, 0x40090000 | 1);
        r.iommu.translate(4, 0x102000);
        CHECK(r.iommu.checker.reports().empty());
        CHECK(r.iommu.checker.checks() == 2);
        // Permissions count as part of the translation.
        r.iommu.checker.set_enabled(true);
        r.w32(L2 + 2 * 4, 0x40050000 | 1 | 0x10);
        r.iommu.translate(4, 0x102000);
        REQUIRE(r.iommu.checker.reports().size() == 1);
        CHECK(r.iommu.checker.reports()[0].new_output == 0x40050000);
        CHECK(r.iommu.checker.reports()[0].new_perms != r.iommu.checker.reports()[0].old_perms);
    });
}

TEST_CASE("DMA checker: a hit re-reads the tables only after a memory write, which DMI writers announce") {
    rig r;
    test::run_script([&] {
        r.w32(L1 + 1 * 4, static_cast<uint32_t>(L2) | 1);
        r.w32(L2 + 2 * 4, 0x40050000 | 1);
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        // A writer holding a DMI pointer (as the CPU does) changes the leaf behind the RAM
        // model's back. Until it bumps the memory epoch, the checker trusts its last look...
        tlm::tlm_generic_payload p;
        tlm::tlm_dmi dmi;
        p.set_address(L2);
        REQUIRE(r.mem.socket->get_direct_mem_ptr(p, dmi));
        const uint32_t remapped = 0x40060000 | 1;
        std::memcpy(dmi.get_dmi_ptr() + (L2 + 2 * 4 - dmi.get_start_address()), &remapped, 4);
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        CHECK(r.iommu.checker.reports().empty());
        // ...and once it does, the next hit re-reads the trail and finds the stale entry.
        core::memory_epoch::bump();
        CHECK(r.iommu.translate(4, 0x102000) == 0x40050000);
        REQUIRE(r.iommu.checker.reports().size() == 1);
        CHECK(r.iommu.checker.reports()[0].new_output == 0x40060000);
        // A write through the RAM model's socket bumps the epoch itself.
        r.w32(L2 + 2 * 4, 0x40070000 | 1);
        r.iommu.translate(4, 0x102000);
        CHECK(r.iommu.checker.stale_uses() == 2);
    });
}
