#include "models/iommu/common/fault_record.h"

#include "models/core/address_range.h"
#include "models/core/trace_writer.h"

namespace socsim::iommu {

const char* to_string(fault_kind kind) {
    switch (kind) {
    case fault_kind::translation: return "translation";
    case fault_kind::permission: return "permission";
    case fault_kind::access_flag: return "access_flag";
    case fault_kind::address_size: return "address_size";
    case fault_kind::walk_bus_error: return "walk_bus_error";
    case fault_kind::walk_too_deep: return "walk_too_deep";
    case fault_kind::bad_config: return "bad_config";
    case fault_kind::config_fetch: return "config_fetch";
    case fault_kind::bad_stream: return "bad_stream";
    case fault_kind::stream_disabled: return "stream_disabled";
    case fault_kind::no_stream_id: return "no_stream_id";
    case fault_kind::aborted: return "aborted";
    }
    return "?";
}

std::string describe(const fault_record& f) {
    std::string s = f.code.empty() ? std::string(to_string(f.kind)) : f.code;
    s += ": ";
    s += f.has_stream ? "stream " + std::to_string(f.stream) : std::string("no stream id");
    s += f.write ? " write" : " read";
    if (f.length) s += " of " + std::to_string(f.length) + " bytes";
    s += " at IOVA " + core::hex(f.iova);
    if (!f.initiator.empty()) s += " by " + f.initiator;
    if (!f.detail.empty()) s += ": " + f.detail;
    return s;
}

void report_fault(const core::logger& log, const std::string& source, const fault_record& f) {
    log.warning(describe(f));
    core::trace_event ev("iommu_fault", source);
    ev.field("fault", f.code.empty() ? std::string(to_string(f.kind)) : f.code)
        .field("fault_kind", to_string(f.kind))  // "kind" is the event's
        .hex_field("iova", f.iova)
        .field("cmd", f.write ? "write" : "read");
    if (f.has_stream) ev.field("stream", static_cast<uint64_t>(f.stream));
    if (f.level >= 0) ev.field("level", static_cast<uint64_t>(f.level));
    if (f.has_fetch_addr) ev.hex_field("fetch_addr", f.fetch_addr);
    if (!f.initiator.empty()) ev.field("initiator", f.initiator);
    ev.field("detail", f.detail).emit();
}

} // namespace socsim::iommu
