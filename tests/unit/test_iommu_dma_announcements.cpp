// The DMA-API debugging table and its checks on their own (as an IOMMU's dma_checker runs
// them): unannounced streams unchecked, accesses inside, across adjacent scatter-list segments,
// outside, in the wrong direction, after the unmap; each reported once per buffer and kind with
// a trace event; and the unmap errors Linux's dma-debug reports.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "models/core/log.h"
#include "models/core/trace_writer.h"
#include "models/iommu/common/dma_checker.h"
#include "tests/unit/harness.h"

using namespace socsim;
using iommu::dma_access_report;
using iommu::dma_announcements;
using iommu::dma_dir;
using kind = dma_access_report::kind;

TEST_CASE("dma-debug table: nothing announced checks nothing, announced buffers are fine inside") {
    dma_announcements t("smmu");
    t.check(3, 0x1000, 64, true);
    CHECK_FALSE(t.any());
    REQUIRE(t.map(3, 0x10000, 0x1000, dma_dir::from_device) == dma_announcements::result::ok);
    REQUIRE(t.map(3, 0x11000, 0x1000, dma_dir::from_device) == dma_announcements::result::ok);
    REQUIRE(t.map(3, 0x20000, 0x100, dma_dir::bidirectional) == dma_announcements::result::ok);
    CHECK(t.active_buffers() == 3);
    t.check(3, 0x10000, 0x1000, true);
    t.check(3, 0x10800, 0x1000, true);   // across two adjacent segments
    t.check(3, 0x20000, 0x100, false);   // bidirectional: both ways
    t.check(3, 0x20000, 0x100, true);
    t.check(4, 0x900000, 8, true);       // another stream: never announced, not checked
    CHECK(t.findings() == 0);
    CHECK(t.reports().empty());
}

TEST_CASE("dma-debug table: outside, wrong direction and after unmap, once per buffer and kind") {
    std::ostringstream log;
    core::set_log_stream(&log);
    const std::string trace = "test_dma_announcements_trace.jsonl";
    core::trace_writer::instance().open(trace);
    iommu::dma_checker checker("smmu");
    dma_announcements& t = checker.announcements();
    t.map(8, 0x10000, 0x100, dma_dir::to_device);
    t.map(8, 0x30000, 0x1000, dma_dir::from_device);
    checker.check_access(8, 0x100f0, 0x20, false);  // runs 0x10 bytes past the buffer
    checker.check_access(8, 0x100f0, 0x20, false);  // the same again: counted, not reported
    checker.check_access(8, 0x10000, 4, true);      // device writes a TO_DEVICE buffer
    checker.check_access(8, 0x30000, 4, false);     // device reads a FROM_DEVICE buffer
    REQUIRE(t.unmap(8, 0x30000, 0x1000, dma_dir::from_device) == dma_announcements::result::ok);
    checker.check_access(8, 0x30800, 4, true);      // after the unmap
    checker.check_access(9, 0x30800, 4, true);      // another stream: unchecked
    core::trace_writer::instance().close();
    core::set_log_stream(nullptr);
    REQUIRE(t.reports().size() == 4);
    CHECK(t.findings() == 5);
    const dma_access_report& r0 = t.reports()[0];
    CHECK(r0.what == kind::outside);
    CHECK(r0.stream == 8);
    CHECK(r0.iova == 0x100f0);
    CHECK(r0.buffer_iova == 0x10000);
    CHECK(r0.message.find("(from 0x10100)") != std::string::npos);
    CHECK(t.reports()[1].what == kind::wrong_direction);
    CHECK(t.reports()[1].write);
    CHECK(t.reports()[2].what == kind::wrong_direction);
    CHECK(t.reports()[2].buffer_dir == dma_dir::from_device);
    CHECK(t.reports()[3].what == kind::after_unmap);
    CHECK(t.reports()[3].buffer_iova == 0x30000);
    std::ifstream in(trace);
    std::string line, all;
    int events = 0;
    while (std::getline(in, line))
        if (line.find("\"kind\":\"dma_check\"") != std::string::npos) {
            ++events;
            all += line + "\n";
        }
    CHECK(events == 4);
    CHECK(all.find("\"verdict\":\"access after unmap\"") != std::string::npos);
    CHECK(all.find("\"buffer_dir\":\"DMA_TO_DEVICE\"") != std::string::npos);
    std::remove(trace.c_str());
    CHECK(log.str().find("after it was unmapped") != std::string::npos);
}

TEST_CASE("dma-debug table: a re-mapped IOVA is a new buffer, an empty stream still reports by page") {
    std::ostringstream log;
    core::set_log_stream(&log);
    dma_announcements t("dart");
    t.map(1, 0x4000, 0x4000, dma_dir::bidirectional);
    t.unmap(1, 0x4000, 0x4000, dma_dir::bidirectional);
    t.check(1, 0x4000, 4, true);   // after unmap of buffer #1
    t.map(1, 0x4000, 0x4000, dma_dir::bidirectional);
    t.check(1, 0x4000, 4, true);   // fine again
    t.unmap(1, 0x4000, 0x4000, dma_dir::bidirectional);
    t.check(1, 0x4000, 4, true);   // after unmap of buffer #2: reported again
    t.check(1, 0x90000, 4, true);  // nothing mapped at all: outside, by page
    t.check(1, 0x90004, 4, true);  // same page: not again
    t.check(1, 0x91000, 4, true);  // next page: again
    core::set_log_stream(nullptr);
    REQUIRE(t.reports().size() == 4);
    CHECK(t.reports()[0].what == kind::after_unmap);
    CHECK(t.reports()[1].what == kind::after_unmap);
    CHECK(t.reports()[2].what == kind::outside);
    CHECK_FALSE(t.reports()[2].has_buffer);
    CHECK(t.reports()[3].iova == 0x91000);
    // A smaller buffer re-uses the IOVA: past its end is outside it, not a use after unmap.
    t.map(1, 0x4000, 0x100, dma_dir::bidirectional);
    t.check(1, 0x4000, 0x400, true);
    REQUIRE(t.reports().size() == 5);
    CHECK(t.reports()[4].what == kind::outside);
    CHECK(t.reports()[4].buffer_size == 0x100);
    t.forget(1);
    t.check(1, 0x90000, 4, true);
    CHECK(t.reports().size() == 5);
    CHECK_FALSE(t.any());
}

TEST_CASE("dma-debug table: bad announcements and the unmap errors of Linux's dma-debug") {
    std::ostringstream log;
    core::set_log_stream(&log);
    dma_announcements t("h6");
    using res = dma_announcements::result;
    CHECK(t.map(0, 0x1000, 0, dma_dir::to_device) == res::bad_arguments);
    CHECK(t.map(0, ~uint64_t{0} - 2, 8, dma_dir::to_device) == res::bad_arguments);
    CHECK(t.map(0, 0x1000, 8, static_cast<dma_dir>(3)) == res::bad_arguments);
    CHECK_FALSE(t.any());
    CHECK(t.map(0, 0x1000, 0x100, dma_dir::to_device) == res::ok);
    CHECK(t.unmap(0, 0x2000, 0x100, dma_dir::to_device) == res::not_mapped);
    CHECK(t.unmap(0, 0x1000, 0x80, dma_dir::to_device) == res::size_mismatch);
    CHECK(t.active_buffers() == 0);  // removed anyway, as Linux does
    CHECK(t.map(0, 0x1000, 0x100, dma_dir::to_device) == res::ok);
    CHECK(t.unmap(0, 0x1000, 0x100, dma_dir::from_device) == res::dir_mismatch);
    CHECK(t.map(0, 0x5000, 0x100, dma_dir::from_device) == res::ok);
    CHECK(t.unmap(0, 0x5000, 0x100, dma_dir::none) == res::ok);  // an unmap without a direction
    CHECK(t.map(0, 0x5000, 0x100, dma_dir::none) == res::bad_arguments);
    CHECK(t.map(0, 0x1000, 0x100, dma_dir::to_device) == res::ok);
    CHECK(t.map(0, 0x1000, 0x200, dma_dir::to_device) == res::ok);  // mapped twice: warned, newer kept
    t.check(0, 0x1100, 0x100, false);
    core::set_log_stream(nullptr);
    CHECK(t.reports().size() == 3);
    for (const auto& r : t.reports()) CHECK(r.what == kind::bad_unmap);
    CHECK(log.str().find("has not allocated") != std::string::npos);
    CHECK(log.str().find("mapped with size 256") != std::string::npos);
    CHECK(log.str().find("again without unmapping") != std::string::npos);
}
