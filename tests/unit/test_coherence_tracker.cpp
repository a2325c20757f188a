// The memory-coherence tracker on its own: cleans, boot content, device writes, findings.
// No SystemC design: the tracker is plain bookkeeping.
#include <catch2/catch.hpp>

#include <cstring>

#include "models/memory/coherence_tracker.h"

using namespace socsim;
using op = memory::coherence_tracker::maintenance;

namespace {

struct line {
    uint8_t bytes[64] = {};
    void put(unsigned off, uint32_t v) { std::memcpy(bytes + off, &v, 4); }
};

sc_core::sc_time us(double t) { return sc_core::sc_time(t, sc_core::SC_US); }

} // namespace

TEST_CASE("coherence tracker: inactive until a walker uses it") {
    memory::coherence_tracker t;
    line l;
    l.put(0, 5);
    t.maintain(op::cvac, 0x1000, l.bytes, us(1));
    CHECK(t.stats().cleans == 0);
    CHECK(t.tracked_lines() == 0);
    t.set_active();
    t.maintain(op::cvac, 0x1000, l.bytes, us(1));
    CHECK(t.stats().cleans == 1);
}

TEST_CASE("coherence tracker: never-cleaned lines are judged against zero, cleaned ones against their snapshot") {
    memory::coherence_tracker t;
    t.set_active();
    memory::coherence_tracker::finding f;
    CHECK_FALSE(t.check(0x2000, 4, 0, f));  // still the boot content
    REQUIRE(t.check(0x2004, 4, 0x40001001, f));
    CHECK(f.line == 0x2000);
    CHECK_FALSE(f.ever_cleaned);
    CHECK(f.seen_value == 0);
    CHECK(f.explain().find("never cleaned") != std::string::npos);
    CHECK_FALSE(t.check(0x2004, 4, 0x40001001, f));  // once per line
    CHECK_FALSE(t.check(0x2008, 4, 0x40002001, f));  // same line
    CHECK(t.stats().differences == 3);
    CHECK(t.stats().findings == 1);
    // Cleaned with the new values: silent; changed again: reported again.
    line l;
    l.put(4, 0x40001001);
    l.put(8, 0x40002001);
    t.maintain(op::civac, 0x2010, l.bytes, us(3));  // any address in the line
    CHECK_FALSE(t.check(0x2004, 4, 0x40001001, f));
    REQUIRE(t.check(0x2004, 4, 0, f));
    CHECK(f.ever_cleaned);
    CHECK(f.cleaned_at == us(3));
    CHECK(f.seen_value == 0x40001001);
    CHECK(f.memory_value == 0);
}

TEST_CASE("coherence tracker: DC CVAU does not reach the walker, CVAP and CVADP do") {
    memory::coherence_tracker t;
    t.set_active();
    line l;
    l.put(0, 7);
    t.maintain(op::cvau, 0x3000, l.bytes, us(1));
    memory::coherence_tracker::finding f;
    REQUIRE(t.check(0x3000, 4, 7, f));
    CHECK(f.pou_only);
    CHECK(f.explain().find("only to the PoU") != std::string::npos);
    t.maintain(op::cvap, 0x3040, [] {
        static line x;
        x.put(0, 9);
        return x.bytes;
    }(), us(2));
    CHECK_FALSE(t.check(0x3040, 4, 9, f));
    line y;
    y.put(0, 11);
    t.maintain(op::cvadp, 0x3080, y.bytes, us(2));
    CHECK_FALSE(t.check(0x3080, 4, 11, f));
    CHECK(std::string(memory::coherence_tracker::name(op::cvac)) == "DC CVAC");
}

TEST_CASE("coherence tracker: boot images are memory content, device writes land in memory") {
    memory::coherence_tracker t;
    t.set_active();
    const uint32_t image[3] = {1, 0, 3};
    t.preload(0x4004, image, sizeof image);
    memory::coherence_tracker::finding f;
    CHECK_FALSE(t.check(0x4004, 4, 1, f));
    CHECK_FALSE(t.check(0x400c, 4, 3, f));
    CHECK(t.check(0x4008, 4, 2, f));  // the CPU changed a loaded word
    // An all-zero image line costs nothing.
    const uint8_t zeros[256] = {};
    const size_t before = t.tracked_lines();
    t.preload(0x8000, zeros, sizeof zeros);
    CHECK(t.tracked_lines() == before);
    // A device write into a followed line updates it exactly.
    line l;
    t.maintain(op::cvac, 0x5000, l.bytes, us(1));
    const uint32_t v = 0x55;
    t.device_write(0x5010, &v, 4);
    CHECK_FALSE(t.check(0x5010, 4, 0x55, f));
    CHECK(t.check(0x5014, 4, 0x66, f));  // a CPU write next to it is still seen
    // Into lines not followed: a coalesced range, not judged until cleaned.
    std::vector<uint8_t> frame(0x10000, 0xab);
    t.device_write(0x100000, frame.data(), 0x8000);
    t.device_write(0x108000, frame.data(), 0x8000);
    CHECK_FALSE(t.check(0x10fff0, 4, 0xabababab, f));
    CHECK_FALSE(t.check(0x100000, 4, 0x12345678, f));
    CHECK(t.check(0x110000, 4, 0x12345678, f));  // just past the range
    t.maintain(op::cvac, 0x100000, frame.data(), us(5));
    CHECK(t.check(0x100000, 4, 0x12345678, f));
    // Bad sizes and line-crossing reads are not judged.
    CHECK_FALSE(t.check(0x603e, 4, 1, f));
    CHECK_FALSE(t.check(0x6000, 0, 1, f));
    CHECK_FALSE(t.check(0x6000, 9, 1, f));
}
