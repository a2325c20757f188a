// What `socsim info` says of a sun50i IOMMU: its variant in one phrase (the list of models) and an
// instance's lines (variant, masters, TLB and PTW cache geometry, prefetch, completion, checks).
// Kept apart from the model's behaviour (sun50i_iommu.cpp, sun50i_iommu_translate.cpp).

#include "models/iommu/sun50i/sun50i_iommu.h"

#include <cstdio>

#include "models/core/address_range.h"

namespace socsim::iommu {

std::string sun50i_iommu::variant_summary(const sun50i_variant& v) {
    return std::string(v.soc) + " IOMMU (" + std::to_string(v.masters) + " masters, shared table, non-coherent walker)";
}

std::vector<std::string> sun50i_iommu::describe() const {
    // Through the public accessors: this file needs none of the model's internals.
    const sun50i_variant& v = variant();
    const config& cfg = configuration();
    std::vector<std::string> lines;
    char version[16];
    std::snprintf(version, sizeof version, "0x%02x", v.version);
    lines.push_back(std::string("variant: ") + v.soc + " (VERSION " + version + ", BYPASS reset " +
                    core::hex(v.bypass_reset) + (v.bypass_reset ? ": all masters bypassed" : "") +
                    "), one 32-bit address space, 4 KiB pages");
    std::string masters = "masters (index = #iommu-cells cell = stream id):";
    for (unsigned i = 0; i < v.masters; ++i) masters += " " + std::to_string(i) + " " + v.master_names[i];
    lines.push_back(masters);
    lines.push_back("micro TLBs: " + std::to_string(v.masters) + " x " + std::to_string(cfg.micro_tlb_entries) +
                    " entries (" + std::to_string(cfg.micro_tlb_ways) + "-way); macro TLB: " +
                    std::to_string(cfg.tlb_entries) + " entries (" + std::to_string(cfg.tlb_ways) +
                    "-way); PTW cache: " + std::to_string(cfg.ptw_cache_entries) + " DTEs (" +
                    std::to_string(cfg.ptw_cache_ways) + "-way)");
    lines.push_back("prefetch: a walk of IOVA v caches the DTEs of v and v+1 MiB and, with TLB_PREFETCH, the PTEs "
                    "of v and v+4 KiB (invalid ones too)");
    lines.push_back(std::string("flush/invalidate completion: ") + cfg.op_latency.to_string() +
                    "; faults stall the master until its RESET bit is pulsed");
    lines.push_back(std::string("checks: stale translations ") + (cfg.check_stale ? "on" : "off") +
                    ", walker coherence with CPU cache cleans " +
                    (cfg.check_coherence && cfg.coherence ? "on" : "off"));
    return lines;
}

} // namespace socsim::iommu
