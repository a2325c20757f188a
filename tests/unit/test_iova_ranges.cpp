// The IOVA space iommu-dma would leave a PCI function (platforms/builder/iova_ranges.h): the
// 2017 iProc example's derived values exactly (limit 0xbf_ffff_ffff, 40-bit mask, the holes
// [0, 2G), [4G, 32G), [64G, 512G), [768G, top] and the outbound windows), virt's (the outbound
// window and the v2m doorbell page), and the same regions, types and order as the firmware's
// lib/pci_resv.c gives for tests/firmware/pcie_2017.dts (firmware/tests/pci_resv_host_test.c).
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/core/config_error.h"
#include "platforms/builder/device_tree.h"
#include "platforms/builder/iova_ranges.h"

using namespace socsim::platform;

namespace {

constexpr uint64_t G = uint64_t{1} << 30;
constexpr uint64_t top = ~uint64_t{0};
constexpr uint64_t smmu_aperture = (uint64_t{1} << 48) - 1;
constexpr uint64_t edu_mask = (uint64_t{1} << 28) - 1;

const resv_region hole(uint64_t first, uint64_t last) {
    return {first, last, resv_type::reserved, resv_source::inbound_hole};
}
const resv_region outbound(uint64_t first, uint64_t last) {
    return {first, last, resv_type::reserved, resv_source::outbound_window};
}

// pcie-windows.dts: dma-ranges in another order than the DT's to show the sort.
pci_dma_facts pcie_windows() {
    pci_dma_facts f;
    f.outbound = {{1 * G, 2 * G - 1}, {256 * G, 260 * G - 1}};
    f.inbound = {{512 * G, 768 * G - 1}, {2 * G, 4 * G - 1}, {32 * G, 64 * G - 1}};
    return f;
}

pci_dma_facts virt() {
    pci_dma_facts f;
    f.outbound = {{0x10000000, 0x3efeffff}};
    f.msi_doorbells = {{0x08020000, 0x08020fff}};
    return f;
}

} // namespace

TEST_CASE("the 2017 example: bus_dma_limit 0xbf_ffff_ffff, a 40-bit mask, the holes and the outbound windows") {
    const pci_iova_space s = derive_pci_iova_space(pcie_windows());
    CHECK(s.bus_dma_limit == 0xbfffffffffull);
    CHECK(s.dt_mask == 0xffffffffffull);
    CHECK(mask_bits(s.dt_mask) == 40);
    CHECK(s.inbound == std::vector<iova_span>{{2 * G, 4 * G - 1}, {32 * G, 64 * G - 1}, {512 * G, 768 * G - 1}});
    const std::vector<resv_region> want = {
        hole(0, 2 * G - 1),                     // [0, 2G)
        outbound(1 * G, 2 * G - 1),             // 32-bit window, inside that hole
        hole(4 * G, 32 * G - 1),                // [4G, 32G)
        hole(64 * G, 512 * G - 1),              // [64G, 512G)
        outbound(256 * G, 260 * G - 1),         // 64-bit window, inside that hole
        hole(768 * G, top),                     // [768G, top]
    };
    CHECK(s.regions == want);
    CHECK(resv_region_text(s.regions[0]) == "0x0000000000000000 0x000000007fffffff reserved");
    CHECK(resv_region_text(s.regions[5]) == "0x000000c000000000 0xffffffffffffffff reserved");

    // A device that can drive 64 bits: the limit is bus_dma_limit; valid = the three windows.
    const uint64_t limit = iova_limit(s, top, smmu_aperture);
    CHECK(limit == 0xbfffffffffull);
    CHECK(valid_iova_ranges(s, limit, 4096) ==
          std::vector<iova_span>{{2 * G, 4 * G - 1}, {32 * G, 64 * G - 1}, {512 * G, 768 * G - 1}});
    // The mask alone (the 2017 state: no holes reserved) would reach up to 1 TiB - 1.
    CHECK((top & s.dt_mask) == 0xffffffffffull);
}

TEST_CASE("the 2017 example with the edu's 28-bit mask: every IOVA below the mask is in the hole below 2G") {
    const pci_iova_space s = derive_pci_iova_space(pcie_windows());
    const uint64_t limit = iova_limit(s, edu_mask, smmu_aperture);
    CHECK(limit == edu_mask);
    CHECK(valid_iova_ranges(s, limit, 4096).empty());
    // A 32-bit device gets the 2 GiB window only.
    CHECK(valid_iova_ranges(s, iova_limit(s, 0xffffffff, smmu_aperture), 4096) ==
          std::vector<iova_span>{{2 * G, 4 * G - 1}});
}

TEST_CASE("virt: no dma-ranges, so no limit and no holes, only the outbound window and the v2m doorbell page") {
    const pci_iova_space s = derive_pci_iova_space(virt());
    CHECK(s.bus_dma_limit == 0);
    CHECK(s.dt_mask == top);
    const std::vector<resv_region> want = {
        {0x08020000, 0x08020fff, resv_type::msi, resv_source::msi_doorbell},
        outbound(0x10000000, 0x3efeffff),
    };
    CHECK(s.regions == want);
    CHECK(resv_region_text(s.regions[0]) == "0x0000000008020000 0x0000000008020fff msi");
    // The edu's 28-bit mask is its limit; the doorbell page is cut out; IOVA page 0 is not used.
    CHECK(iova_limit(s, edu_mask, smmu_aperture) == edu_mask);
    CHECK(valid_iova_ranges(s, edu_mask, 4096) ==
          std::vector<iova_span>{{0x1000, 0x0801ffff}, {0x08021000, 0x0fffffff}});
    // A 64-bit device: up to the SMMU's 48-bit input range, around the outbound window.
    CHECK(iova_limit(s, top, smmu_aperture) == smmu_aperture);
    CHECK(valid_iova_ranges(s, smmu_aperture, 4096) ==
          std::vector<iova_span>{{0x1000, 0x0801ffff}, {0x08021000, 0x0fffffff}, {0x3eff0000, smmu_aperture}});
}

TEST_CASE("overlapping inbound windows are refused naming both, touching ones leave no hole") {
    pci_dma_facts f;
    f.inbound = {{2 * G, 4 * G - 1}, {3 * G, 5 * G - 1}};
    CHECK_THROWS_WITH(derive_pci_iova_space(f), "inbound windows 0x80000000-0xffffffff and 0xc0000000-0x13fffffff overlap");
    f.inbound = {{2 * G, 4 * G - 1}, {4 * G, 6 * G - 1}};
    CHECK(derive_pci_iova_space(f).regions == std::vector<resv_region>{hole(0, 2 * G - 1), hole(6 * G, top)});
    // A window from 0 to the top leaves nothing reserved.
    f.inbound = {{0, top}};
    const pci_iova_space all = derive_pci_iova_space(f);
    CHECK(all.regions.empty());
    CHECK(all.bus_dma_limit == top);
    f.inbound = {{5, 4}};
    CHECK_THROWS_AS(derive_pci_iova_space(f), socsim::core::config_error);
}

TEST_CASE("region order is the firmware's: by (first, last), a later region before one of the same bounds, an identical one kept once") {
    std::vector<resv_region> r;
    add_resv_region(r, outbound(0x1000, 0x1fff));
    add_resv_region(r, hole(0x1000, 0x1fff));
    add_resv_region(r, hole(0x1000, 0x1fff));
    add_resv_region(r, hole(0, 0xffff));
    add_resv_region(r, {0x1000, 0x1fff, resv_type::msi, resv_source::msi_doorbell});
    CHECK(r == std::vector<resv_region>{hole(0, 0xffff),
                                        {0x1000, 0x1fff, resv_type::msi, resv_source::msi_doorbell},
                                        hole(0x1000, 0x1fff), outbound(0x1000, 0x1fff)});
}

TEST_CASE("valid ranges: regions widened to whole granules, the limit lowered to a whole granule") {
    pci_dma_facts f;
    f.msi_doorbells = {{0x08020040, 0x0802007f}};  // inside one 16 KiB granule
    const pci_iova_space s = derive_pci_iova_space(f);
    CHECK(valid_iova_ranges(s, 0x0fffffff, 0x4000) ==
          std::vector<iova_span>{{0x4000, 0x0801ffff}, {0x08024000, 0x0fffffff}});
    // A limit inside a granule: that granule is not usable.
    CHECK(valid_iova_ranges(s, 0x12345, 0x1000) == std::vector<iova_span>{{0x1000, 0x11fff}});
    // Nothing at or below one granule.
    CHECK(valid_iova_ranges(s, 0xfff, 0x1000).empty());
    CHECK_THROWS_AS(valid_iova_ranges(s, 0xfff, 3000), std::invalid_argument);
    CHECK(dma_mask_covering(0x80000000ull) == 0xffffffffull);
    CHECK(dma_mask_covering(0xbfffffffffull) == 0xffffffffffull);
    CHECK(mask_bits(edu_mask) == 28);
    CHECK(mask_bits(top) == 64);
}

// The same DT the firmware's host test reads (tests/firmware/pcie_2017.dts), the same regions
// in the same order as firmware/tests/pci_resv_host_test.c expects from lib/pci_resv.c.
TEST_CASE("from the DT: tests/firmware/pcie_2017.dts gives the firmware's regions, types and order") {
    const device_tree dt = device_tree::from_file(SOCSIM_SOURCE_DIR "/tests/firmware/pcie_2017.dts");
    const int host = dt.find("/pcie@68000000");
    const int ep0 = dt.find("/pcie@68000000/device@0,0");
    const int ep1 = dt.find("/pcie@68000000/device@1,0");
    REQUIRE(host >= 0);
    REQUIRE(ep0 >= 0);
    REQUIRE(ep1 >= 0);
    const pci_iova_space s = derive_pci_iova_space(read_pci_dma_facts(dt, host, ep0));
    CHECK(s.bus_dma_limit == 0xbfffffffffull);
    CHECK(s.dt_mask == 0xffffffffffull);
    const std::vector<resv_region> want = {
        hole(0, 2 * G - 1),
        outbound(0x20000000, 0x23ffffff),
        {0x63c30000, 0x63c3ffff, resv_type::msi, resv_source::msi_doorbell},  // ITS GITS_TRANSLATER page
        {0x90000000, 0x907fffff, resv_type::direct, resv_source::reserved_memory},
        {0xa0000000, 0xa00fffff, resv_type::reserved, resv_source::reserved_memory},
        hole(4 * G, 32 * G - 1),
        outbound(48 * G, 49 * G - 1),
        hole(64 * G, 512 * G - 1),
        hole(768 * G, top),
    };
    CHECK(s.regions == want);
    // ep1's own region is the one named for it, not ep0's.
    const pci_iova_space s1 = derive_pci_iova_space(read_pci_dma_facts(dt, host, ep1));
    CHECK(s1.regions.size() == 8);
    CHECK(std::count(s1.regions.begin(), s1.regions.end(),
                     resv_region{0xa001000000ull, 0xa0010fffffull, resv_type::direct, resv_source::reserved_memory}) == 1);
}

TEST_CASE("from the DT: virt.dts gives the outbound memory window (not the I/O one) and the v2m page") {
    const device_tree dt = device_tree::from_file(SOCSIM_SOURCE_DIR "/platforms/virt.dts");
    const int host = dt.find("/pcie@10000000");
    REQUIRE(host >= 0);
    const pci_iova_space s = derive_pci_iova_space(read_pci_dma_facts(dt, host, dt.find("/pcie@10000000/edu@1")));
    CHECK(s.regions == derive_pci_iova_space(virt()).regions);
}
