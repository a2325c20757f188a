// The builder's DMA wiring and PCIe netlist: a master whose IOMMU has no model, IOMMU phandles that
// name something else, PCI functions outside a host bridge, a host bridge whose iommu-map names
// several IOMMUs, overlapping dma-ranges; RAM from every /memory bank and the boot bank by address.
#include <catch2/catch.hpp>


#include <cstring>
#include <sstream>

#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/devices/dma_debug.h"
#include "models/devices/edu.h"
#include "platforms/builder/device_tree.h"
#include "tests/unit/harness.h"
#include "platforms/builder/platform.h"

using namespace socsim;

namespace {

// A CPU, RAM, an IOMMU node (`iommu_compatible`) and an ECAM host whose iommu-map names it,
// with an edu at 00:01.0; `extra` goes into the root node.
std::string board(const std::string& iommu_compatible, const std::string& extra = "") {
    return R"(/dts-v1/;
/ {
    #address-cells = <2>;
    #size-cells = <2>;
    memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x100000>; };
    cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { compatible = "arm,cortex-a57"; reg = <0>; }; };
    iommu: iommu@9050000 { compatible = ")" + iommu_compatible + R"("; reg = <0x0 0x09050000 0x0 0x20000>; #iommu-cells = <1>; };
    uart: pl011@9000000 { compatible = "arm,pl011"; reg = <0x0 0x09000000 0x0 0x1000>; };
    pcie@10000000 {
        compatible = "pci-host-ecam-generic";
        device_type = "pci";
        #address-cells = <3>;
        #size-cells = <2>;
        reg = <0x0 0x3f000000 0x0 0x200000>;
        bus-range = <0 1>;
        ranges = <0x02000000 0x0 0x10000000 0x0 0x10000000 0x0 0x10000000>;
        iommu-map = <0x0 &iommu 0x0 0x10000>;
        edu@1 { compatible = "pci1234,11e8"; reg = <0x0800 0x0 0x0 0x0 0x0>; };
    };
)" + extra + "};\n";
}

} // namespace

TEST_CASE("a DMA master whose IOMMU has no model goes straight to the bus, with one warning") {
    std::ostringstream log;
    core::set_log_stream(&log);
    test::temp_file f(board("acme,iommu"), ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    core::set_log_stream(nullptr);
    const std::string text = log.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);  // the node without a model, and the fallback
    CHECK(text.find("no model for /iommu@9050000 (compatible \"acme,iommu\")") != std::string::npos);
    CHECK(text.find("/pcie@10000000 DMAs through /iommu@9050000, which has no model: its DMA goes straight to "
                    "the bus, untranslated") != std::string::npos);
    std::ostringstream info;
    plat.describe(info);
    CHECK(info.str().find("pcie                -> bus (/iommu@9050000 not modelled, untranslated)") != std::string::npos);
    CHECK(info.str().find("00:01.0  1234:11e8 class 00ff00  pcie_edu  BAR0 mem32 1 MiB  requester id 0x8 -> "
                          "stream id 0x8") != std::string::npos);

    // Elaborate (the CPU has no firmware and stops at once), then look through the edu's eyes:
    // its DMA path reaches RAM at the untranslated address.
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    auto* edu = dynamic_cast<devices::edu*>(sc_core::sc_find_object("pcie_edu"));
    REQUIRE(edu);
    uint32_t out = 0x600dcafe, in = 0;
    tlm::tlm_generic_payload p;
    p.set_write();
    p.set_address(0x40000800);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&out));
    p.set_data_length(4);
    p.set_streaming_width(4);
    CHECK(edu->dma->transport_dbg(p) == 4);
    p.set_read();
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&in));
    CHECK(edu->dma->transport_dbg(p) == 4);
    CHECK(in == 0x600dcafe);
}

TEST_CASE("a DMA master whose iommu-map names a modelled device that is not an IOMMU is a configuration error") {
    std::string dts = board("acme,iommu");
    dts.replace(dts.find("&iommu 0x0 0x10000"), 6, "&uart");
    test::temp_file f(dts, ".dts");
    CHECK_THROWS_WITH(platform::platform(platform::device_tree::from_file(f.path), {}),
                      Catch::Contains("/pcie@10000000 DMAs through /pl011@9000000, which is not an IOMMU"));
}

TEST_CASE("a PCI function outside a host bridge node is a configuration error") {
    test::temp_file f(board("acme,iommu", R"(    stray@0 { compatible = "pci1234,11e8"; reg = <0x0 0x0a000000 0x0 0x1000>; };
)"), ".dts");
    CHECK_THROWS_WITH(platform::platform(platform::device_tree::from_file(f.path), {}),
                      Catch::Contains("/stray@0 (pci1234,11e8) is a PCI function: it belongs under a PCIe host bridge"));
}

TEST_CASE("platform DMA masters: stream ids from iommus and socsim,iommus, dma-debug gets the IOMMU's table") {
    test::temp_file f(board("arm,smmu-v3", R"(
    engine@9100000 { compatible = "socsim,dma-engine"; reg = <0x0 0x09100000 0x0 0x1000>; iommus = <&iommu 0x21>; };
    csi@9101000 { compatible = "socsim,capture"; reg = <0x0 0x09101000 0x0 0x1000>; socsim,iommus = <&iommu 4>; };
    lonely@9102000 { compatible = "socsim,scanout"; reg = <0x0 0x09102000 0x0 0x1000>; };
    dbg: dma-debug@9103000 { compatible = "socsim,dma-debug"; reg = <0x0 0x09103000 0x0 0x1000>; };
)"),
                      ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    std::ostringstream info;
    plat.describe(info);
    const std::string text = info.str();
    CHECK(text.find("engine              -> iommu  stream id 0x21") != std::string::npos);
    CHECK(text.find("csi                 -> iommu  stream id 0x4") != std::string::npos);
    CHECK(text.find("lonely              -> bus (no IOMMU)") != std::string::npos);
    CHECK(text.find("announcements for iommu (IOMMU phandle 0x") != std::string::npos);
    auto* dbg = dynamic_cast<devices::dma_debug*>(sc_core::sc_find_object("dbg"));
    REQUIRE(dbg);
    CHECK(dbg->attached() == 1);
}

TEST_CASE("a platform DMA master whose iommus has no stream id cell is a configuration error") {
    test::temp_file f(board("arm,smmu-v3", R"(
    engine@9100000 { compatible = "socsim,dma-engine"; reg = <0x0 0x09100000 0x0 0x1000>; iommus = <&iommu>; };
)"),
                      ".dts");
    CHECK_THROWS_WITH(platform::platform(platform::device_tree::from_file(f.path), {}),
                      Catch::Contains("needs a stream id cell"));
}

TEST_CASE("a host bridge whose iommu-map names two IOMMUs is wired to both") {
    std::string dts = board("arm,smmu-v3", R"(
    iommu2: iommu@9070000 { compatible = "arm,smmu-v3"; reg = <0x0 0x09070000 0x0 0x20000>; #iommu-cells = <1>; };
)");
    dts.replace(dts.find("iommu-map = <0x0 &iommu 0x0 0x10000>;"), std::string("iommu-map = <0x0 &iommu 0x0 0x10000>;").size(),
                "iommu-map = <0x0 &iommu 0x0 0x10 0x10 &iommu2 0x0 0x10 0x20 &iommu 0x20 0x10>;\n"
                "        nvme@2 { compatible = \"pci1b36,10\"; reg = <0x1000 0x0 0x0 0x0 0x0>; socsim,disk-size = <0x100000>; };");
    test::temp_file f(dts, ".dts");
    platform::platform plat(platform::device_tree::from_file(f.path), {});
    std::ostringstream info;
    plat.describe(info);
    const std::string text = info.str();
    CHECK(text.find("pcie                -> iommu, iommu2") != std::string::npos);
    CHECK(text.find("00:01.0  1234:11e8 class 00ff00  pcie_edu  BAR0 mem32 1 MiB  requester id 0x8 -> stream id 0x8") !=
          std::string::npos);
    CHECK(text.find("requester id 0x10 -> stream id 0x0") != std::string::npos);  // the nvme, on iommu2
    CHECK(text.find("iommu-map: requester id 0x10-0x1f -> iommu2 stream id 0x0-0xf") != std::string::npos);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // every DMA output is bound, or elaboration fails
}

TEST_CASE("overlapping dma-ranges entries are a configuration error in one line naming both entries") {
    std::string dts = board("acme,iommu");
    dts.replace(dts.find("        iommu-map"), 0,
                "        dma-ranges = <0x02000000 0x0 0x80000000 0x0 0x40000000 0x0 0x10000000\n"
                "                      0x01000000 0x0 0x0 0x0 0x0 0x0 0x1000\n"
                "                      0x43000000 0x0 0x8f000000 0x0 0x50000000 0x0 0x2000000>;\n");
    test::temp_file f(dts, ".dts");
    try {
        platform::platform plat(platform::device_tree::from_file(f.path), {});
        FAIL("no configuration error");
    } catch (const core::config_error& e) {
        const std::string what = e.what();
        CHECK(what.find('\n') == std::string::npos);
        CHECK(what.find("/pcie@10000000: 'dma-ranges' entries 0 (bus 0x80000000-0x8fffffff -> cpu "
                        "0x40000000-0x4fffffff) and 2 (bus 0x8f000000-0x90ffffff -> cpu 0x50000000-0x51ffffff) "
                        "overlap on the bus") != std::string::npos);
    }
}

TEST_CASE("RAM: every /memory bank and every reg entry is built, and boot uses the lowest bank, not the first in the DT") {
    std::string dts = board("acme,iommu");
    // Replace the one bank with a high bank first in the DT, then a node with two entries.
    const std::string one = R"(memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x100000>; };)";
    dts.replace(dts.find(one), one.size(),
                R"(memory@880000000 { device_type = "memory"; reg = <0x8 0x80000000 0x0 0x200000>; };
    memory@60000000 { device_type = "memory"; reg = <0x0 0x60000000 0x0 0x400000 0x0 0x48000000 0x0 0x800000>; };
    chosen { };)");
    test::temp_file f(dts, ".dts");
    // A minimal arm64 Image: text_offset 0, image_size 64 KiB, the magic at 56.
    std::vector<uint8_t> image(4096, 0);
    image[18] = 0x01;  // image_size (bytes 16..23, little-endian) = 0x10000
    image[56] = 'A';
    image[57] = 'R';
    image[58] = 'M';
    image[59] = 0x64;
    test::temp_file kernel(image, ".img");
    platform::platform_options opts;
    opts.kernel = kernel.path;
    core::set_log_levels("platform=info");
    std::ostringstream log;
    core::set_log_stream(&log);
    platform::platform plat(platform::device_tree::from_file(f.path), opts);
    auto banks = plat.ram_banks();
    REQUIRE(banks.size() == 3);
    CHECK(banks[0].base == 0x48000000);
    CHECK(banks[0].size == 0x800000);
    CHECK(banks[1].base == 0x60000000);
    CHECK(banks[2].base == 0x880000000);
    CHECK(plat.boot_bank().base == 0x48000000);
    std::ostringstream info;
    plat.describe(info);
    CHECK(info.str().find("0x0048000000-0x00487fffff") != std::string::npos);
    CHECK(info.str().find("0x0060000000-0x00603fffff") != std::string::npos);
    CHECK(info.str().find("0x0880000000-0x08801fffff") != std::string::npos);
    plat.prepare_boot();
    core::set_log_stream(nullptr);
    // The Image at the 2 MiB aligned base + 2 MiB + text_offset of the lowest bank, the DTB at its base.
    CHECK(log.str().find("kernel " + kernel.path + " at 0x48200000, DTB at 0x48000000") != std::string::npos);
}
