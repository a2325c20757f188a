#include "models/devices/dma_debug.h"

#include "models/core/address_range.h"

namespace socsim::devices {

dma_debug::dma_debug(sc_core::sc_module_name name) : peripheral(name) {
    regs_.add("ID", 0x00, 4).reset_value(id_value).read_only();
    regs_.add("IOVA", 0x08, 8);
    regs_.add("SIZE", 0x10, 8);
    regs_.add("IOMMU", 0x18, 4);
    regs_.add("STREAM", 0x1c, 4);
    regs_.add("DIR", 0x20, 4);
    regs_.add("COMMAND", 0x24, 4).write_only().on_write([this](core::reg& r, uint64_t, uint64_t now) {
        r.set(0);
        run(static_cast<uint32_t>(now));
    });
    regs_.add("RESULT", 0x28, 4).read_only();
    regs_.add("ERRORS", 0x2c, 4).read_only();
    auto sum = [this](auto fn) {
        return [this, fn](const core::reg&, bool) -> uint64_t {
            uint64_t n = 0;
            for (const auto& [ph, t] : tables_) n += fn(*t);
            return n & 0xffffffff;
        };
    };
    regs_.add("ACTIVE", 0x30, 4).read_only().on_read(sum([](const iommu::dma_announcements& t) { return t.active_buffers(); }));
    regs_.add("FINDINGS", 0x34, 4).read_only().on_read(sum([](const iommu::dma_announcements& t) { return t.findings(); }));
    regs_.add("MAPS", 0x38, 4).read_only();
}

void dma_debug::attach(uint32_t phandle, iommu::dma_announcements& table) { tables_[phandle] = &table; }

void dma_debug::run(uint32_t cmd) {
    const uint64_t iova = regs_["IOVA"].get(), size = regs_["SIZE"].get();
    const uint32_t phandle = static_cast<uint32_t>(regs_["IOMMU"].get());
    const uint32_t stream = static_cast<uint32_t>(regs_["STREAM"].get());
    const uint64_t dir = regs_["DIR"].get();
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
        if (out == r::ok && cmd == cmd_map) regs_["MAPS"].set((regs_["MAPS"].get() + 1) & 0xffffffff);
    }
    if (res == res_bad_arguments)
        log_.warning(std::string(cmd == cmd_map ? "MAP" : "UNMAP") + " of " + core::hex(iova) + " + " +
                     core::hex(size) + " DIR " + std::to_string(dir) + ": bad arguments (size 0, wrapping, DIR > 2, or > 3 for UNMAP)");
    SOCSIM_LOG(log_, debug, "command " << cmd << " iommu " << core::hex(phandle) << " stream " << stream << " iova "
                                       << core::hex(iova) << " size " << core::hex(size) << " dir " << dir
                                       << ": result " << res);
    regs_["RESULT"].set(res);
    if (res != res_ok) regs_["ERRORS"].set((regs_["ERRORS"].get() + 1) & 0xffffffff);
}

} // namespace socsim::devices
