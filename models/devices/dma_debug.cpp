#include "models/devices/dma_debug.h"

#include "models/core/address_range.h"

namespace socsim::devices {

dma_debug::dma_debug(sc_core::sc_module_name name) : peripheral(name) {}

template <class Count> uint64_t dma_debug::sum(Count count) const {
    uint64_t n = 0;
    for (const auto& [ph, t] : tables_) n += count(*t);
    return n & 0xffffffff;
}

uint64_t dma_debug::read_active(bool) const {
    return sum([](const iommu::dma_announcements& t) { return t.active_buffers(); });
}

uint64_t dma_debug::read_findings(bool) const {
    return sum([](const iommu::dma_announcements& t) { return t.findings(); });
}

void dma_debug::attach(uint32_t phandle, iommu::dma_announcements& table) { tables_[phandle] = &table; }

void dma_debug::run(uint64_t command) {
    const uint32_t cmd = static_cast<uint32_t>(command);
    const uint64_t iova = iova_.get(), size = size_.get();
    const uint32_t phandle = static_cast<uint32_t>(iommu_.get());
    const uint32_t stream = static_cast<uint32_t>(stream_.get());
    const uint64_t dir = dir_.get();
    uint32_t res = res_ok;
    auto it = tables_.find(phandle);
    if (cmd != cmd_map && cmd != cmd_unmap && cmd != cmd_forget) {
        res = res_bad_command;
        log_.warning("COMMAND " + core::hex(cmd) + " is not MAP (1), UNMAP (2) or FORGET (3)");
    } else if (it == tables_.end()) {
        res = res_unknown_iommu;
        log_.warning("IOMMU phandle " + core::hex(phandle) + " names no IOMMU model (" +
                     std::to_string(tables_.size()) + " attached): announcement ignored");
    } else if (cmd == cmd_forget) {
        it->second->forget(stream);
    } else if (dir > (cmd == cmd_map ? 2u : 3u)) {
        res = res_bad_arguments;
    } else {
        const auto d = static_cast<iommu::dma_dir>(dir);
        using r = iommu::dma_announcements::result;
        const r out = cmd == cmd_map ? it->second->map(stream, iova, size, d) : it->second->unmap(stream, iova, size, d);
        res = out == r::ok              ? res_ok
              : out == r::bad_arguments ? res_bad_arguments
              : out == r::not_mapped    ? res_not_mapped
              : out == r::size_mismatch ? res_size_mismatch
                                        : res_dir_mismatch;
        if (out == r::ok && cmd == cmd_map) maps_.set(maps_.get() + 1);
    }
    if (res == res_bad_arguments)
        log_.warning(std::string(cmd == cmd_map ? "MAP" : "UNMAP") + " of " + core::hex(iova) + " + " +
                     core::hex(size) + " DIR " + std::to_string(dir) + ": bad arguments (size 0, wrapping, DIR > 2, or > 3 for UNMAP)");
    SOCSIM_LOG(log_, debug, "command " << cmd << " iommu " << core::hex(phandle) << " stream " << stream << " iova "
                                       << core::hex(iova) << " size " << core::hex(size) << " dir " << dir
                                       << ": result " << res);
    result_.set(res);
    if (res != res_ok) errors_.set(errors_.get() + 1);  // 32 bits: wraps
}

} // namespace socsim::devices
