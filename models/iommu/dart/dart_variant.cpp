#include "models/iommu/dart/dart_variant.h"

namespace socsim::iommu {

namespace {

constexpr uint32_t N = dart_variant::none;

// The t8020 register layout (t8103, and t6000 with DART2 PTEs) (Linux apple-dart.c, apple_dart_hw_t8103). 16 streams, four
// TTBRs per stream picked by IOVA[37:36], TTBR [31] VALID, [30:0] PA >> 12.
dart_variant t8020_layout(const char* compatible, const char* name, dart_pte_format pte, unsigned pa_bits) {
    dart_variant v{};
    v.compatible = compatible;
    v.name = name;
    v.pte = pte;
    v.streams = 16;
    v.pa_bits = pa_bits;
    v.va_bits = 38;  // no FOUR_LEVEL: the same as iova_bits
    v.iova_bits = 38;  // four 64 GiB TTBR regions
    v.ttbr_count = 4;
    v.ttbr_select_shift = 36;
    v.ttbr_valid = 1u << 31;
    v.ttbr_addr_mask = 0x7fffffff;
    v.ttbr_field_shift = 0;
    v.ttbr_shift = 12;
    v.params3 = N;
    v.params4 = N;
    v.stream_command = 0x20;
    v.stream_select = 0x34;
    v.tlb_cmd = N;
    v.error = 0x40;
    v.error_mask = N;
    v.error_addr_lo = 0x50;
    v.error_addr_hi = 0x54;
    v.error_streams = N;
    v.config = 0x60;
    v.protect = N;
    v.unprotect = N;
    v.protect_lock = N;
    v.remap = 0x80;
    v.streams_enable = 0xfc;
    v.enable_streams = N;
    v.disable_streams = N;
    v.tcr = 0x100;
    v.ttbr = 0x200;
    v.command_invalidate = 1u << 20;
    v.command_busy = 1u << 2;
    v.config_lock = 1u << 15;
    v.protect_ttbr_tcr = 0;
    v.tcr_translate = 1u << 7;
    v.tcr_bypass_dart = 1u << 8;
    v.tcr_bypass_dapf = 1u << 12;
    v.tcr_four_level = 0;
    v.error_flag = 1u << 31;
    v.error_stream_shift = 24;
    v.error_stream_mask = 0xf;
    v.error_secondary = 0;
    v.err_no_ttbr = 1u << 0;
    v.err_no_pgd = 0;
    v.err_no_pmd = 1u << 1;
    v.err_no_pte = 1u << 2;
    v.err_write = 1u << 3;
    v.err_read = 1u << 4;
    v.err_walk_bus = 1u << 6;  // m1n1 PTE_READ_FAULT
    v.walk_bus_name = "PTE_READ_FAULT";
    v.err_subpage = 1u << 7;   // m1n1 SUBPAGE_PROT
    return v;
}

// The t8110 layout (M2, some t600x blocks) (Linux apple-dart.c, apple_dart_hw_t8110). One TTBR per stream, [0] VALID,
// [29:2] PA >> 14; TLB_CMD instead of STREAM_SELECT/COMMAND; ENABLE/DISABLE words; PROTECT.
dart_variant t8110_layout() {
    dart_variant v{};
    v.compatible = "apple,t8110-dart";
    v.name = "t8110";
    v.pte = dart_pte_format::dart2;
    v.streams = 256;  // the most ENABLE_STREAMS (8 words) can name; reported in PARAMS4
    v.pa_bits = 42;
    v.va_bits = 42;   // PARAMS3.VA_WIDTH: the t602x value (L-4lvl)
    v.iova_bits = 36; // without TCR.FOUR_LEVEL: one TTBR, walked from L1
    v.ttbr_count = 1;
    v.ttbr_select_shift = 0;
    v.ttbr_valid = 1u << 0;
    v.ttbr_addr_mask = 0x3ffffffc;
    v.ttbr_field_shift = 2;
    v.ttbr_shift = 14;
    v.params3 = 0x08;
    v.params4 = 0x0c;
    v.stream_command = N;
    v.stream_select = N;
    v.tlb_cmd = 0x80;
    v.error = 0x100;
    v.error_mask = 0x104;
    v.error_addr_lo = 0x170;
    v.error_addr_hi = 0x174;
    v.error_streams = 0x1c0;
    v.config = N;
    v.protect = 0x200;
    v.unprotect = 0x204;
    v.protect_lock = 0x208;
    v.remap = N;
    v.streams_enable = N;
    v.enable_streams = 0xc00;
    v.disable_streams = 0xc20;
    v.tcr = 0x1000;
    v.ttbr = 0x1400;
    v.command_invalidate = 0;
    v.command_busy = 1u << 31;
    v.config_lock = 0;
    v.protect_ttbr_tcr = 1u << 0;
    v.tcr_translate = 1u << 0;
    v.tcr_bypass_dart = 1u << 1;
    v.tcr_bypass_dapf = 1u << 2;
    v.tcr_four_level = 1u << 3;
    v.error_flag = 1u << 31;
    v.error_stream_shift = 20;
    v.error_stream_mask = 0xff;
    v.error_secondary = 1u << 19;  // m1n1 SECONDARY
    v.err_no_ttbr = 1u << 0;
    v.err_no_pgd = 1u << 1;
    v.err_no_pmd = 1u << 2;
    v.err_no_pte = 1u << 3;
    v.err_write = 1u << 4;
    v.err_read = 1u << 5;
    v.err_walk_bus = 1u << 6;  // m1n1 AXI_DECODE
    v.walk_bus_name = "AXI_DECODE";
    v.err_subpage = 0;         // no source names one: READ/WRITE_FAULT instead (see dart.h)
    return v;
}

} // namespace

const std::vector<dart_variant>& dart_variants() {
    static const std::vector<dart_variant> table = {
        t8020_layout("apple,t8103-dart", "t8020", dart_pte_format::dart1, 36),
        t8020_layout("apple,t6000-dart", "t6000", dart_pte_format::dart2, 42),
        t8110_layout(),
    };
    return table;
}

const dart_variant* find_dart_variant(const std::string& compatible) {
    for (const dart_variant& v : dart_variants())
        if (compatible == v.compatible) return &v;
    return nullptr;
}

} // namespace socsim::iommu
