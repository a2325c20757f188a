#pragma once
// A fault or configuration error an IOMMU met while handling a DMA, in a form common to every
// IOMMU: what kind, the architected name the IOMMU reports it under (SMMUv3 event type, DART
// error code, sun50i interrupt bit), the stream, the IOVA, the direction and a one-phrase detail.
// The IOMMU does what its hardware does (event queue, error registers, interrupt) and also calls
// `report_fault`, which writes one warning line and one "iommu_fault" trace event.

#include <cstdint>
#include <string>
#include <systemc>

#include "models/core/log.h"

namespace socsim::iommu {

enum class fault_kind : uint8_t {
    translation,     // no valid mapping (invalid descriptor, address outside the translated range)
    permission,      // mapping forbids the access (read-only, privilege)
    access_flag,     // Arm access flag clear
    address_size,    // a table or output address beyond the output size
    walk_bus_error,  // an entry read failed on the bus
    walk_too_deep,   // the walk exceeded its depth bound
    bad_config,      // an invalid or illegal configuration structure (STE, CD, TTBR, TCR)
    config_fetch,    // a configuration structure could not be read
    bad_stream,      // the stream id is out of range or has no configuration
    stream_disabled, // the configuration refuses this stream's traffic
    no_stream_id,    // a DMA that carries no stream id
    aborted,         // terminated by configuration (STE abort, global bypass abort)
};

const char* to_string(fault_kind kind);

struct fault_record {
    fault_kind kind = fault_kind::translation;
    std::string code;         // architected name, e.g. "F_TRANSLATION", "NO_PTE"
    uint32_t stream = 0;
    bool has_stream = true;
    uint64_t iova = 0;
    bool write = false;
    unsigned length = 0;
    int level = -1;           // table level involved, -1 if none
    uint64_t fetch_addr = 0;  // table entry or structure address involved
    bool has_fetch_addr = false;
    std::string detail;       // "no valid descriptor at level 2 (0x40003010 = 0x0)"
    std::string initiator;    // the DMA master, from its dma_extension
    sc_core::sc_time time;
};

// One line: "F_TRANSLATION: stream 3 write of 4 bytes at IOVA 0x1000 by edu: <detail>".
std::string describe(const fault_record& f);

// Logs `describe(f)` at warning level on `log` and emits a trace event ("iommu_fault") with
// source `source`.
void report_fault(const core::logger& log, const std::string& source, const fault_record& f);

} // namespace socsim::iommu
