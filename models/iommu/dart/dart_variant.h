#pragma once
// The Apple DART variants as data: one row per hardware generation, as Linux's apple-dart.c
// describes each SoC with a `struct apple_dart_hw`. The model reads every offset, bit and size
// from the row and never tests which variant it is. Facts: Linux apple-dart.c's per-SoC rows, as
// collected in docs/hardware/dart.md ("Variants" and the two register layouts).
//
// An offset of `none` means the variant has no such register (t8020 has no TLB_CMD, t8110 no
// STREAM_SELECT). An error-code bit of 0 means the variant has no such code.

#include <cstdint>
#include <string>
#include <vector>

namespace socsim::iommu {

// Leaf and table descriptor layouts (Linux io-pgtable-dart.c).
enum class dart_pte_format : uint8_t {
    dart1,  // t8020: PA in place (bits [35:12]), NO_READ bit 8, NO_WRITE bit 7, SP_DIS bit 1
    dart2,  // t6000, t8110: PA >> 4 in bits [37:10], NO_READ bit 3, NO_WRITE bit 2
};

struct dart_variant {
    static constexpr uint32_t none = 0xffffffffu;

    const char* compatible;  // DT
    const char* name;        // "t8020", "t6000", "t8110"
    dart_pte_format pte;
    unsigned streams;        // stream ids 0 .. streams-1
    unsigned pa_bits;        // output address size (Linux oas)
    unsigned va_bits;        // input address size with TCR.FOUR_LEVEL (t8110: PARAMS3.VA_WIDTH)
    unsigned iova_bits;      // input address size otherwise: the TTBR regions together (t8020: four
                             // of 2^36, IOVA[35:0] walked from L1; t8110: one of 2^36)

    // Translation table bases.
    unsigned ttbr_count;          // per stream
    unsigned ttbr_select_shift;   // IOVA bits [shift+log2(count)-1 : shift] pick the TTBR (count > 1)
    uint32_t ttbr_valid;          // VALID bit
    uint32_t ttbr_addr_mask;      // the address field (before ttbr_field_shift)
    unsigned ttbr_field_shift;    // field = (pa >> ttbr_shift) << ttbr_field_shift
    unsigned ttbr_shift;

    // Register offsets.
    uint32_t params3, params4;            // t8110 only
    uint32_t stream_command, stream_select;  // t8020 layout
    uint32_t tlb_cmd;                     // t8110 layout
    uint32_t error, error_mask, error_addr_lo, error_addr_hi;
    uint32_t error_streams;               // t8110: per-stream error bitmap words (W1C)
    uint32_t config;                      // t8020: CONFIG (LOCK bit)
    uint32_t protect, unprotect, protect_lock;  // t8110
    uint32_t remap;                       // t8020: REMAP[0..3]
    uint32_t streams_enable;              // t8020: one read/write bitmap word
    uint32_t enable_streams, disable_streams;   // t8110: set / clear words (8 each)
    uint32_t tcr;                         // TCR[sid] at tcr + 4*sid
    uint32_t ttbr;                        // TTBR[sid][i] at ttbr + 4*(ttbr_count*sid + i)

    // Register bits.
    uint32_t command_invalidate, command_busy;  // STREAM_COMMAND
    uint32_t config_lock;                       // CONFIG
    uint32_t protect_ttbr_tcr;                  // PROTECT bit that locks TTBR and TCR
    uint32_t tcr_translate, tcr_bypass_dart, tcr_bypass_dapf, tcr_four_level;
    uint32_t error_flag;
    unsigned error_stream_shift;
    uint32_t error_stream_mask;   // after the shift
    uint32_t error_secondary;     // set on the latched error when later errors occurred
    uint32_t err_no_ttbr, err_no_pgd, err_no_pmd, err_no_pte, err_write, err_read, err_subpage, err_walk_bus;
    const char* walk_bus_name;    // the name of err_walk_bus in diagnostics

    unsigned stream_words() const { return (streams + 31) / 32; }
    // The IOVA space a stream translates, by whether its TCR asks for FOUR_LEVEL.
    unsigned iova_space_bits(bool four_level) const { return four_level ? va_bits : iova_bits; }
    // How many IOVA bits pick the TTBR (ttbr_count is a power of two), and which TTBR an IOVA uses.
    unsigned ttbr_select_bits() const { return static_cast<unsigned>(__builtin_ctz(ttbr_count)); }
    unsigned ttbr_index(uint64_t iova) const {
        return static_cast<unsigned>((iova >> ttbr_select_shift) & (ttbr_count - 1));
    }
    bool has(uint32_t offset) const { return offset != none; }
    uint64_t tcr_offset(unsigned sid) const { return tcr + 4ull * sid; }
    uint64_t ttbr_offset(unsigned sid, unsigned index) const { return ttbr + 4ull * (ttbr_count * sid + index); }
    // TTBR register value for a table at `pa` (VALID set).
    uint32_t ttbr_value(uint64_t pa) const {
        return static_cast<uint32_t>(((pa >> ttbr_shift) << ttbr_field_shift) & ttbr_addr_mask) | ttbr_valid;
    }
    // Table address a TTBR value points at.
    uint64_t ttbr_table(uint32_t value) const {
        return (uint64_t{value & ttbr_addr_mask} >> ttbr_field_shift) << ttbr_shift;
    }
};

// The variants socsim models, in DT compatible order.
const std::vector<dart_variant>& dart_variants();
// The variant for a compatible string, or null.
const dart_variant* find_dart_variant(const std::string& compatible);

} // namespace socsim::iommu
