// What `socsim info` says of a DART: its variant in one phrase (the list of models) and an
// instance's lines (variant, TLB, lock state at boot, preset TTBRs). Kept apart from the model's
// behaviour (dart.cpp, dart_translate.cpp).

#include "models/iommu/dart/dart.h"

#include "models/core/address_range.h"

namespace socsim::iommu {
namespace {

const char* pte_format_name(dart_pte_format f) { return f == dart_pte_format::dart1 ? "DART1" : "DART2"; }

} // namespace

std::string dart::variant_summary(const dart_variant& v) {
    return std::string(v.name) + " registers, " + pte_format_name(v.pte) + " PTEs, 16 KiB pages";
}

std::vector<std::string> dart::describe() const {
    // Through the public accessors: this file needs none of the model's internals.
    const dart_variant& v = variant();
    const config& cfg = configuration();
    const iommu::tlb& t = tlb();
    std::vector<std::string> lines;
    lines.push_back(std::string("variant ") + v.name + ": " + pte_format_name(v.pte) + " PTEs, 16 KiB pages, " +
                    std::to_string(v.streams) + " streams (0-" + std::to_string(v.streams - 1) + "), " +
                    std::to_string(v.ttbr_count) + (v.ttbr_count > 1 ? " TTBRs" : " TTBR") + " per stream, bypass " +
                    (cfg.bypass_supported ? "supported" : "not supported"));
    lines.push_back("TLB " + std::to_string(t.capacity()) + " entries, " + std::to_string(t.ways()) + " ways (" +
                    std::to_string(t.sets()) + " sets), keyed by stream; check-stale " +
                    (cfg.check_stale ? "on" : "off") + "; TLB commands busy for " +
                    std::to_string(cfg.invalidate_polls) + " poll(s) or " + cfg.invalidate_time.to_string());
    lines.push_back(!cfg.preset_locked ? std::string("unlocked at boot")
                                        : std::string("locked at boot (") +
                                              (v.has(v.config) ? "CONFIG.LOCK" : "PROTECT[0], PROTECT_LOCK[0]") +
                                              "): TTBR and TCR writes are ignored");
    for (const auto& p : cfg.presets)
        lines.push_back("preset TTBR: stream " + std::to_string(p.stream) + " -> table " + core::hex(p.table) +
                        ", translation enabled");
    return lines;
}

} // namespace socsim::iommu
