#pragma once
// DMA-API debugging (socsim only): firmware announces each DMA mapping and unmapping here, the
// way Linux's CONFIG_DMA_API_DEBUG keeps its table of dma_debug_entry; the IOMMU that translates
// the device's DMA then checks every access against the announced buffers (see
// models/iommu/common/dma_announcements.h: outside every buffer, wrong direction, after unmap).
// Streams nobody announces for are not checked, so firmware that does not know this device runs
// unchanged.
//
// A device is named by what firmware finds in the DTB: the phandle of the IOMMU node its DMA
// goes through (from the master's `iommus` / `socsim,iommus`, or a PCIe host bridge's
// `iommu-map`) and its stream id there (the cell after the phandle; for a PCI function the
// stream id `iommu-map` gives its requester id). The builder attaches every IOMMU model's table
// under its node's phandle.
//
// DT: compatible "socsim,dma-debug"; reg (0x1000).
//
// Registers (32-bit unless noted; 64-bit ones accept two 32-bit halves, low first):
//   0x00 ID        RO  0x44444247 ("DDBG")
//   0x08 IOVA      RW  64-bit first bus address of the buffer (as the device sees it)
//   0x10 SIZE      RW  64-bit length in bytes
//   0x18 IOMMU     RW  phandle of the IOMMU node
//   0x1c STREAM    RW  stream id at that IOMMU
//   0x20 DIR       RW  Linux's enum dma_data_direction: 0 BIDIRECTIONAL, 1 TO_DEVICE,
//                      2 FROM_DEVICE; 3 NONE only for UNMAP: do not check the direction
//   0x24 COMMAND   WO  1 MAP, 2 UNMAP (IOVA, SIZE and DIR as mapped), 3 FORGET (the stream is no
//                      longer checked); runs at once with the values above
//   0x28 RESULT    RO  of the last command: 0 OK, 1 UNKNOWN_IOMMU (no IOMMU model has that
//                      phandle), 2 BAD_ARGUMENTS (size 0, wrapping, DIR > 2; > 3 for UNMAP), 3 NOT_MAPPED,
//                      4 SIZE_MISMATCH, 5 DIR_MISMATCH (3..5: an unmap that Linux's dma-debug
//                      would report; the buffer is still removed for 4 and 5), 6 BAD_COMMAND
//   0x2c ERRORS    RO  commands whose RESULT was not OK
//   0x30 ACTIVE    RO  buffers announced and not unmapped, over all IOMMUs
//   0x34 FINDINGS  RO  findings of all attached IOMMUs' checks (accesses and bad unmaps), so
//                      that a self-checking scenario can assert them
//   0x38 MAPS      RO  MAP commands accepted
// Reset: zero except ID.

#include <cstdint>
#include <map>
#include <string>
#include <systemc>

#include "models/core/peripheral.h"
#include "models/iommu/common/dma_announcements.h"

namespace socsim::devices {

class dma_debug : public core::peripheral {
public:
    static constexpr uint32_t id_value = 0x44444247;
    enum command : uint32_t { cmd_map = 1, cmd_unmap = 2, cmd_forget = 3 };
    enum result_code : uint32_t {
        res_ok = 0, res_unknown_iommu = 1, res_bad_arguments = 2, res_not_mapped = 3, res_size_mismatch = 4,
        res_dir_mismatch = 5, res_bad_command = 6
    };

    explicit dma_debug(sc_core::sc_module_name name);

    // The builder: the table of the IOMMU whose DT node has `phandle`.
    void attach(uint32_t phandle, iommu::dma_announcements& table);
    size_t attached() const { return tables_.size(); }

private:
    void run(uint64_t cmd);  // a COMMAND write
    // ACTIVE and FINDINGS: the sum over every attached table.
    template <class Count> uint64_t sum(Count count) const;
    uint64_t read_active(bool) const;
    uint64_t read_findings(bool) const;

    std::map<uint32_t, iommu::dma_announcements*> tables_;

    core::reg& id_ = regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    core::reg& iova_ = regs_.add("IOVA", 0x08, 8);
    core::reg& size_ = regs_.add("SIZE", 0x10, 8);
    core::reg& iommu_ = regs_.add("IOMMU", 0x18, 4);
    core::reg& stream_ = regs_.add("STREAM", 0x1c, 4);
    core::reg& dir_ = regs_.add("DIR", 0x20, 4);
    core::reg& command_ = regs_.add("COMMAND", 0x24, 4).write_only().on_write(this, &dma_debug::run);
    core::reg& result_ = regs_.add("RESULT", 0x28, 4).read_only();
    core::reg& errors_ = regs_.add("ERRORS", 0x2c, 4).read_only();
    core::reg& active_ = regs_.add("ACTIVE", 0x30, 4).read_only().on_read(this, &dma_debug::read_active);
    core::reg& findings_ = regs_.add("FINDINGS", 0x34, 4).read_only().on_read(this, &dma_debug::read_findings);
    core::reg& maps_ = regs_.add("MAPS", 0x38, 4).read_only();
};

} // namespace socsim::devices
