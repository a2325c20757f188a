// The common page walker and memory port, through a real router and RAM, with a toy two-level
// format of 32-bit entries (the shape of the sun50i tables): bus errors, the depth bound, loop
// detection, debug walks, trail re-reading, DMI use and its invalidation.
#include <catch2/catch.hpp>

#include <tlm_utils/simple_initiator_socket.h>

#include "models/bus/router.h"
#include "models/iommu/common/memory_port.h"
#include "models/iommu/common/page_walker.h"
#include "models/memory/ram.h"
#include "tests/unit/harness.h"

using namespace socsim;
using namespace socsim::iommu;

namespace {

constexpr uint64_t RAM_BASE = 0x40000000;

// Level 1: 4096 entries indexed by IOVA[31:20]; bit 0 valid, [31:10] table address.
// Level 2: 256 entries indexed by IOVA[19:12]; bit 1 valid, [31:12] page, bit 4 writable.
class toy_format : public walk_format {
public:
    unsigned entry_size() const override { return 4; }
    uint64_t entry_address(uint64_t table, int level, uint64_t iova) const override {
        return level == 1 ? table + ((iova >> 20) & 0xfff) * 4 : table + ((iova >> 12) & 0xff) * 4;
    }
    walk_step decode(int level, uint64_t d, uint64_t, uint64_t&) const override {
        walk_step s;
        if (level == 1) {
            if (!(d & 1)) return s;  // fault
            s.kind = walk_step::table;
            s.next = d & 0xfffffc00;
            return s;
        }
        if (!(d & 2)) {
            s.fault_code = 2;
            return s;
        }
        s.kind = walk_step::leaf;
        s.output = d & 0xfffff000;
        s.size_shift = 12;
        s.perms = perm_read | ((d & 0x10) ? perm_write : 0);
        return s;
    }
};

// A format whose every entry is a table: only the depth bound ends its walks.
class endless_format : public walk_format {
public:
    unsigned entry_size() const override { return 8; }
    uint64_t entry_address(uint64_t table, int, uint64_t) const override { return table; }
    walk_step decode(int, uint64_t d, uint64_t, uint64_t&) const override {
        walk_step s;
        s.kind = walk_step::table;
        s.next = d;
        return s;
    }
};

struct owner : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<owner> socket{"socket"};
    memory_port port{socket, "walker_owner"};
    page_walker walker{port};
    explicit owner(sc_core::sc_module_name n) : sc_module(n) {
        socket.register_invalidate_direct_mem_ptr(this, &owner::invalidate);
    }
    void invalidate(sc_dt::uint64 s, sc_dt::uint64 e) { port.invalidate_dmi(s, e); }
};

struct rig {
    bus::router bus{"bus"};
    memory::ram ram{"ram", 0x100000, sc_core::sc_time(5, sc_core::SC_NS)};
    owner iommu{"iommu"};
    test::test_initiator mem{"mem"};
    rig() {
        bus.map(bus.bind_target(ram.socket), {RAM_BASE, 0x100000}, "/memory");
        iommu.socket.bind(bus.target_socket);
        mem.socket.bind(bus.target_socket);
    }
    void w32(uint64_t a, uint32_t v) { REQUIRE(mem.debug_write(a, &v, 4) == 4); }
    void w64(uint64_t a, uint64_t v) { REQUIRE(mem.debug_write(a, &v, 8) == 8); }
};

} // namespace

TEST_CASE("page walker: a two-level walk of 32-bit entries, its trail and its timing") {
    rig r;
    test::run_script([&] {
        const uint64_t l1 = RAM_BASE + 0x4000, l2 = RAM_BASE + 0x8000;
        r.w32(l1 + 0x123 * 4, static_cast<uint32_t>(l2) | 1);
        r.w32(l2 + 0x45 * 4, 0x40077000 | 2 | 0x10);
        toy_format f;
        sc_core::sc_time delay;
        walk_result w = r.iommu.walker.walk(f, l1, 1, 0x12345678, delay);
        REQUIRE(w.ok());
        CHECK(w.translate(0x12345678) == 0x40077678);
        CHECK(w.iova_base == 0x12345000);
        CHECK(w.level == 2);
        CHECK((w.perms & perm_write) != 0);
        CHECK(w.trail.count == 2);
        CHECK(w.trail.address[0] == l1 + 0x123 * 4);
        CHECK(w.trail.address[1] == l2 + 0x45 * 4);
        CHECK(delay == sc_core::sc_time(10, sc_core::SC_NS));  // two RAM reads
        CHECK(r.iommu.walker.walks() == 1);
        // The trail holds until memory changes.
        CHECK(r.iommu.walker.trail_unchanged(w.trail));
        r.w32(l2 + 0x45 * 4, 0);
        uint64_t now = 1;
        CHECK(r.iommu.walker.first_change(w.trail, now) == 1);
        CHECK(now == 0);
        // Now a level-2 fault, with the format's code, in a debug walk (no time, not counted).
        sc_core::sc_time d2;
        w = r.iommu.walker.walk(f, l1, 1, 0x12345678, d2, true);
        CHECK(w.status == walk_status::fault);
        CHECK(w.fault_code == 2);
        CHECK(w.fetch_addr == l2 + 0x45 * 4);
        CHECK(d2 == sc_core::SC_ZERO_TIME);
        CHECK(r.iommu.walker.walks() == 1);
    });
}

TEST_CASE("page walker: a table outside RAM is a bus error with the fetch address, never a crash") {
    rig r;
    test::run_script([&] {
        const uint64_t l1 = RAM_BASE + 0x4000;
        r.w32(l1, 0x10000000 | 1);  // level-2 table where nothing is mapped
        toy_format f;
        sc_core::sc_time delay;
        walk_result w = r.iommu.walker.walk(f, l1, 1, 0x00001000, delay);
        CHECK(w.status == walk_status::bus_error);
        CHECK(w.fetch_addr == 0x10000004);
        CHECK(w.level == 2);
        // The root itself outside RAM, in a debug walk.
        w = r.iommu.walker.walk(f, 0x20000000, 1, 0, delay, true);
        CHECK(w.status == walk_status::bus_error);
        CHECK(w.fetch_addr == 0x20000000);
    });
}

TEST_CASE("page walker: a format that never ends is stopped by the depth bound and the loop is flagged") {
    rig r;
    test::run_script([&] {
        const uint64_t t = RAM_BASE + 0x100;
        r.w64(t, t);  // points at itself
        endless_format f;
        sc_core::sc_time delay;
        walk_result w = r.iommu.walker.walk(f, t, 0, 0, delay);
        CHECK(w.status == walk_status::too_deep);
        CHECK(w.loop);
        CHECK(w.loop_table == t);
        CHECK(w.trail.count == walk_trail::max_levels);
    });
}

TEST_CASE("memory port: DMI is used after the first access and dropped when the target revokes it") {
    rig r;
    test::run_script([&] {
        memory_port& port = r.iommu.port;
        uint64_t v = 0x1234;
        sc_core::sc_time delay;
        REQUIRE(port.write(RAM_BASE + 0x10, &v, 8, delay));
        v = 0;
        REQUIRE(port.read(RAM_BASE + 0x10, &v, 8, delay));  // through DMI now
        CHECK(v == 0x1234);
        CHECK(delay == sc_core::sc_time(10, sc_core::SC_NS));
        // After an invalidation the port forgets its pointer and goes on through b_transport.
        r.iommu.port.invalidate_dmi(0, ~0ull);
        REQUIRE(port.read(RAM_BASE + 0x10, &v, 8, delay));
        CHECK(v == 0x1234);
        CHECK_FALSE(port.read(0x10000000, &v, 8, delay));
        CHECK_FALSE(port.peek(0x10000000, &v, 8));
        CHECK(port.peek(RAM_BASE + 0x10, &v, 8));
    });
}
