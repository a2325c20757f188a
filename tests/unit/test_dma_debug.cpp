// The socsim,dma-debug device through real sockets: announcements reach the table of the IOMMU
// named by its phandle, results and counters, unknown IOMMUs, bad commands and arguments.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/core/log.h"
#include "models/devices/dma_debug.h"
#include "tests/unit/harness.h"

using namespace socsim;
using devices::dma_debug;

namespace {

void announce(test::test_initiator& cpu, uint32_t iommu, uint32_t stream, uint64_t iova, uint64_t size, uint32_t dir,
              uint32_t cmd) {
    cpu.write64(0x08, iova);
    cpu.write64(0x10, size);
    cpu.write32(0x18, iommu);
    cpu.write32(0x1c, stream);
    cpu.write32(0x20, dir);
    cpu.write32(0x24, cmd);
}

} // namespace

TEST_CASE("dma-debug device: map and unmap reach the IOMMU's table, results and counters") {
    std::ostringstream log;
    core::set_log_stream(&log);
    iommu::dma_announcements smmu("smmu"), dart("dart");
    dma_debug dev("dma_debug");
    dev.attach(0x8001, smmu);
    dev.attach(0x8002, dart);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        CHECK(cpu.read32(0x00) == dma_debug::id_value);
        announce(cpu, 0x8001, 8, 0x10000, 0x1000, 1, dma_debug::cmd_map);
        CHECK(cpu.read32(0x28) == dma_debug::res_ok);
        announce(cpu, 0x8002, 8, 0x10000, 0x4000, 2, dma_debug::cmd_map);
        CHECK(cpu.read32(0x30) == 2);
        CHECK(cpu.read32(0x38) == 2);
        CHECK(smmu.active_buffers() == 1);
        CHECK(dart.active_buffers() == 1);
        smmu.check(8, 0x10000, 4, true);  // the device writes a TO_DEVICE buffer
        CHECK(cpu.read32(0x34) == 1);
        announce(cpu, 0x8001, 8, 0x10000, 0x1000, 1, dma_debug::cmd_unmap);
        CHECK(cpu.read32(0x28) == dma_debug::res_ok);
        CHECK(cpu.read32(0x30) == 1);
        announce(cpu, 0x8001, 8, 0x10000, 0x1000, 1, dma_debug::cmd_unmap);
        CHECK(cpu.read32(0x28) == dma_debug::res_not_mapped);
        announce(cpu, 0x8002, 8, 0x10000, 0x2000, 2, dma_debug::cmd_unmap);
        CHECK(cpu.read32(0x28) == dma_debug::res_size_mismatch);
        announce(cpu, 0x8002, 9, 0x0, 0x2000, 0, dma_debug::cmd_map);
        announce(cpu, 0x8002, 9, 0x0, 0x2000, 1, dma_debug::cmd_unmap);
        CHECK(cpu.read32(0x28) == dma_debug::res_dir_mismatch);
        CHECK(cpu.read32(0x2c) == 3);
        CHECK(cpu.read32(0x34) == 4);  // 1 access + 3 bad unmaps
        announce(cpu, 0x8002, 9, 0x0, 0x2000, 0, dma_debug::cmd_forget);
        CHECK(cpu.read32(0x28) == dma_debug::res_ok);
        CHECK(dart.active_buffers() == 0);
    });
    core::set_log_stream(nullptr);
}

TEST_CASE("dma-debug device: an unknown IOMMU, a bad command and bad arguments are refused") {
    std::ostringstream log;
    core::set_log_stream(&log);
    iommu::dma_announcements smmu("smmu");
    dma_debug dev("dma_debug");
    dev.attach(0x10, smmu);
    test::test_initiator cpu("cpu");
    cpu.socket.bind(dev.socket);
    test::run_script([&] {
        announce(cpu, 0x11, 0, 0x1000, 0x1000, 0, dma_debug::cmd_map);
        CHECK(cpu.read32(0x28) == dma_debug::res_unknown_iommu);
        announce(cpu, 0x10, 0, 0x1000, 0x1000, 0, 7);
        CHECK(cpu.read32(0x28) == dma_debug::res_bad_command);
        announce(cpu, 0x10, 0, 0x1000, 0, 0, dma_debug::cmd_map);
        CHECK(cpu.read32(0x28) == dma_debug::res_bad_arguments);
        announce(cpu, 0x10, 0, 0x1000, 0x10, 3, dma_debug::cmd_map);
        CHECK(cpu.read32(0x28) == dma_debug::res_bad_arguments);
        CHECK(cpu.read32(0x2c) == 4);
        CHECK(cpu.read32(0x38) == 0);
        CHECK_FALSE(smmu.any());
        CHECK(cpu.read32(0x24) == 0);  // COMMAND is write-only
    });
    core::set_log_stream(nullptr);
    CHECK(log.str().find("names no IOMMU model") != std::string::npos);
    CHECK(log.str().find("is not MAP (1), UNMAP (2) or FORGET (3)") != std::string::npos);
    CHECK(log.str().find("bad arguments") != std::string::npos);
}
