#include "models/pcie/iproc_pcie.h"

#include <algorithm>
#include <cstring>

#include "models/core/address_range.h"
#include "models/core/config_error.h"

namespace socsim::pcie {
namespace {

constexpr uint64_t KiB = 1ull << 10, MiB = 1ull << 20, GiB = 1ull << 30;

pcie_host_bridge::config programmable(pcie_host_bridge::config cfg, const std::string& name) {
    if (!cfg.inbound.empty())
        throw core::config_error(name + ": the iProc root complex starts with no inbound window: firmware programs "
                                        "them in IARR/IMAP (dma-ranges only tells it what to program)");
    cfg.inbound_programmable = true;
    cfg.inbound_source = "IARR/IMAP";
    return cfg;
}

std::string hi_name(const iproc_pcie::inbound_region& r) { return std::string(r.name) + "_HI"; }
std::string lo_name(const iproc_pcie::inbound_region& r) { return std::string(r.name) + "_LO"; }
std::string imap_name(const iproc_pcie::inbound_region& r) { return std::string("IMAP") + (r.name + 4); }

} // namespace

const std::vector<iproc_pcie::inbound_region>& iproc_pcie::inbound_regions() {
    // Linux pcie-iproc.c, paxb_v2_ib_map and iproc_pcie_reg_paxb_v2.
    static const std::vector<inbound_region> regions = {
        {"IARR0", KiB, {32}, 8, 0xd00, 0xc00, 0x40, 0x4, false},
        {"IARR1", MiB, {8}, 8, 0xd08, 0xd70, 0x4, 0x8, true},
        {"IARR2", MiB, {64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384}, 1, 0xd10, 0xcc0, 0x4, 0x8, true},
        {"IARR3", GiB, {1, 2, 4, 8, 16, 32}, 8, 0xe00, 0xe08, 0x4, 0x8, true},
        {"IARR4", GiB, {32, 64, 128, 256, 512}, 8, 0xe68, 0xe70, 0x4, 0x8, true},
    };
    return regions;
}

iproc_pcie::iproc_pcie(sc_core::sc_module_name name, config cfg)
    : pcie_host_bridge(name, programmable(std::move(cfg), std::string(name))), regs("regs"),
      config_port_("config_port"), regs_(std::string(this->name()) + ".regs"), log_(this->name()) {
    config_port_.bind(ecam);
    regs.register_b_transport(this, &iproc_pcie::register_access);
    regs.register_transport_dbg(this, &iproc_pcie::register_debug);

    regs_.add("CLK_CTRL", clk_ctrl, 4);
    regs_.add("INTX_EN", intx_en, 4);
    regs_.add("APB_ERR_EN", apb_err_en, 4);
    regs_.add("CFG_RD_STATUS", cfg_rd_status, 4).read_only();
    regs_.add("LINK_STATUS", link_status, 4).reset_value(link_up).read_only();
    regs_.add("CFG_IND_ADDR", cfg_ind_addr, 4);
    regs_.add("CFG_ADDR", cfg_addr, 4);
    regs_.add("CFG_IND_DATA", cfg_ind_data, 4)
        .on_read([this](const core::reg&, bool debug) { return config_data(true, true, 0, debug); })
        .on_write([this](core::reg&, uint64_t, uint64_t now) { config_data(true, false, static_cast<uint32_t>(now), false); });
    regs_.add("CFG_DATA", cfg_data, 4)
        .on_read([this](const core::reg&, bool debug) { return config_data(false, true, 0, debug); })
        .on_write([this](core::reg&, uint64_t, uint64_t now) { config_data(false, false, static_cast<uint32_t>(now), false); });

    auto watch = [this](core::reg& r) {
        r.on_write([this](core::reg& w, uint64_t, uint64_t now) { inbound_changed(w.name(), now); });
    };
    for (const inbound_region& r : inbound_regions()) {
        watch(regs_.add(lo_name(r), r.iarr, 4));
        watch(regs_.add(hi_name(r), r.iarr + 4, 4));
        regs_.add_array(imap_name(r) + "_LO", r.imap, 4, r.windows, r.imap_stride, watch);
        regs_.add_array(imap_name(r) + "_HI", r.imap + r.imap_high, 4, r.windows, r.imap_stride, watch);
    }
}

// ---- configuration access ---------------------------------------------------------------------

uint64_t iproc_pcie::config_data(bool indirect, bool is_read, uint32_t value, bool debug) {
    // The ECAM-form offset of the register the address register selects, relative to the first
    // bus (the generic bridge's ECAM convention); nothing there reads all-ones.
    uint64_t offset = 0;
    if (indirect) {
        const uint32_t where = static_cast<uint32_t>(regs_["CFG_IND_ADDR"].get()) & 0x1ffc;
        if (where >= 0x1000) return 0xffffffffu;  // past the 4 KiB a function's configuration space has
        offset = where;  // 00:00.0 of the first bus: the root complex itself
    } else {
        const uint32_t a = static_cast<uint32_t>(regs_["CFG_ADDR"].get());
        const unsigned bus = a >> 20 & 0xff;
        if (bus < configuration().first_bus) return 0xffffffffu;
        offset = uint64_t{bus - configuration().first_bus} << 20 | (a & 0xffffc);
    }
    tlm::tlm_generic_payload p;
    uint32_t data = value;
    p.set_command(is_read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    p.set_address(offset);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    p.set_data_length(4);
    p.set_streaming_width(4);
    if (debug) {
        if (config_port_->transport_dbg(p) != 4) return 0xffffffffu;
    } else {
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        config_port_->b_transport(p, delay);
        if (!p.is_response_ok()) return 0xffffffffu;
    }
    return data;
}

// ---- inbound windows --------------------------------------------------------------------------

iproc_pcie::placement iproc_pcie::place(uint64_t pci, uint64_t cpu, uint64_t size, const std::vector<bool>& used) {
    const auto& regions = inbound_regions();
    for (size_t i = 0; i < regions.size(); ++i) {
        const inbound_region& r = regions[i];
        if (!r.memory || (i < used.size() && used[i])) continue;
        for (unsigned bit = 0; bit < r.sizes.size(); ++bit) {
            if (r.sizes[bit] * r.size_unit != size) continue;
            // Like the driver: the first region with that size decides; misalignment is an error,
            // not a reason to try the next region.
            placement p;
            if (pci % size != 0 || cpu % size != 0) {
                p.error = "axi " + core::hex(cpu) + " or pci " + core::hex(pci) + " not aligned to its " +
                          core::human_size(size) + " size (" + r.name + ")";
                return p;
            }
            p.region = static_cast<int>(i);
            p.size_bit = bit;
            return p;
        }
    }
    placement p;
    p.error = "no free inbound region (IARR) has a size of exactly " + core::human_size(size);
    return p;
}

std::vector<pcie_host_bridge::inbound_window> iproc_pcie::decode_inbound(std::vector<problem>& problems) const {
    std::vector<inbound_window> windows;
    std::vector<std::pair<inbound_window, const char*>> decoded;  // slice, its region
    for (const inbound_region& r : inbound_regions()) {
        const uint32_t lo = static_cast<uint32_t>(regs_[lo_name(r)].get());
        const uint32_t hi = static_cast<uint32_t>(regs_[hi_name(r)].get());
        const uint32_t size_field = lo & ((1u << r.sizes.size()) - 1);
        if (size_field == 0) continue;  // region off
        const std::string value = lo_name(r) + " = " + core::hex(lo) + ", " + hi_name(r) + " = " + core::hex(hi);
        if (size_field & (size_field - 1)) {
            problems.push_back({value + ": more than one size bit set (bits " + core::hex(size_field) + "); " + r.name +
                                    " takes exactly one of its " + std::to_string(r.sizes.size()) +
                                    " sizes, so the region does not decode",
                                r.name, false});
            continue;
        }
        unsigned bit = 0;
        while (!(size_field >> bit & 1)) ++bit;
        const uint64_t size = r.sizes[bit] * r.size_unit;
        const uint64_t pci = (uint64_t{hi} << 32 | lo) & ~uint64_t{size_field};
        if (pci % size != 0) {
            problems.push_back({value + ": PCI address " + core::hex(pci) + " is not aligned to the " +
                                    core::human_size(size) + " region size, so the region does not decode",
                                r.name, true});
            continue;
        }
        const uint64_t slice = size / r.windows;
        for (unsigned k = 0; k < r.windows; ++k) {
            const std::string n = std::to_string(k);
            const uint32_t mlo = static_cast<uint32_t>(regs_[imap_name(r) + "_LO[" + n + "]"].get());
            const uint32_t mhi = static_cast<uint32_t>(regs_[imap_name(r) + "_HI[" + n + "]"].get());
            if (!(mlo & imap_valid)) continue;
            const uint64_t axi = (uint64_t{mhi} << 32 | mlo) & ~uint64_t{imap_valid};
            const std::string imap = imap_name(r) + " window " + n + " (_LO = " + core::hex(mlo) + ", _HI = " +
                                     core::hex(mhi) + ")";
            const std::string scope = imap_name(r) + "[" + n + "]";
            if (axi % slice != 0) {
                problems.push_back({imap + ": AXI address " + core::hex(axi) + " is not aligned to the " +
                                        core::human_size(slice) + " window size (" + core::human_size(size) + " " +
                                        r.name + " / " + std::to_string(r.windows) + "), so the window does not decode",
                                    scope, true});
                continue;
            }
            const inbound_window w{pci + k * slice, axi, slice};
            auto clash = std::find_if(decoded.begin(), decoded.end(), [&](const auto& d) {
                return core::address_range{d.first.bus_base, d.first.size}.overlaps({w.bus_base, w.size});
            });
            if (clash != decoded.end()) {
                problems.push_back({imap + ": bus " + range_text(w.bus_base, w.size) + " overlaps " + clash->second +
                                        "'s bus " + range_text(clash->first.bus_base, clash->first.size) +
                                        "; the lower-numbered region decodes, this window does not",
                                    scope, true});
                continue;
            }
            decoded.push_back({w, r.name});
        }
    }
    // Slices contiguous on the bus and on the AXI side are one window to a DMA and in reports.
    for (const auto& d : decoded) windows.push_back(d.first);
    std::sort(windows.begin(), windows.end(),
              [](const inbound_window& a, const inbound_window& b) { return a.bus_base < b.bus_base; });
    std::vector<inbound_window> merged;
    for (const inbound_window& w : windows) {
        if (!merged.empty() && merged.back().bus_base + merged.back().size == w.bus_base &&
            merged.back().cpu_base + merged.back().size == w.cpu_base)
            merged.back().size += w.size;
        else
            merged.push_back(w);
    }
    return merged;
}

void iproc_pcie::inbound_changed(const std::string& reg, uint64_t value) {
    std::vector<problem> problems;
    set_inbound(decode_inbound(problems));
    // "IMAP3_HI[5]" -> scope "IMAP3[5]", high word.
    const size_t half = reg.find('_');
    const bool high_word = reg.compare(half, 3, "_HI") == 0;
    const std::string scope = reg.substr(0, half) + reg.substr(half + 3);
    for (const problem& p : problems)
        if (p.scope == scope && (high_word || !p.address))
            log_.warning("inbound programming refused: write of " + core::hex(value) + " to " + reg + " leaves " +
                         p.text);
    SOCSIM_LOG(log_, debug, reg << " = " << core::hex(value) << ": " << configuration().inbound.size()
                                << " inbound window(s) decode");
}

// ---- register block ---------------------------------------------------------------------------

void iproc_pcie::register_access(tlm::tlm_generic_payload& p, sc_core::sc_time&) { regs_.access(p, false); }

unsigned iproc_pcie::register_debug(tlm::tlm_generic_payload& p) {
    regs_.access(p, true);
    return p.is_response_ok() ? p.get_data_length() : 0;
}

} // namespace socsim::pcie
