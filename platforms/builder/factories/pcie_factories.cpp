// Factories of the PCIe host bridge and the PCI functions it attaches.

#include "platforms/builder/factories/factory_support.h"

#include <algorithm>
#include <map>

#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/devices/edu.h"
#include "models/devices/nvme.h"
#include "models/pcie/iproc_pcie.h"
#include "models/pcie/pcie_host_bridge.h"
#include "platforms/builder/iova_ranges.h"

namespace socsim::platform {
namespace {

using bridge_t = pcie::pcie_host_bridge;

// `ranges` or `dma-ranges` of a PCI host node: (flags + 64-bit PCI address, CPU address, size).
struct pci_range {
    uint32_t flags;
    uint64_t pci, cpu, size;
};
std::vector<pci_range> read_pci_ranges(const model_context& ctx, const char* prop) {
    const device_tree& dt = ctx.dt;
    const int parent = dt.parent(ctx.node);
    const unsigned pac = cell_count(dt, parent, "#address-cells", 2);
    const unsigned sc = cell_count(dt, ctx.node, "#size-cells", 2);
    if (cell_count(dt, ctx.node, "#address-cells", 3) != 3) bad_node(ctx, ctx.node, "#address-cells must be 3 (PCI)");
    if (pac > 2 || sc > 2) bad_node(ctx, ctx.node, "address or size cells wider than 64 bits");
    auto c = dt.cells(ctx.node, prop);
    const unsigned entry = 3 + pac + sc;
    if (c.size() % entry != 0)
        bad_node(ctx, ctx.node, std::string("'") + prop + "' has " + std::to_string(c.size()) +
                                    " cells, not a multiple of " + std::to_string(entry));
    std::vector<pci_range> out;
    for (size_t i = 0; i < c.size(); i += entry)
        out.push_back({c[i], cells_value(c, i + 1, 2), cells_value(c, i + 3, pac), cells_value(c, i + 3 + pac, sc)});
    return out;
}

// `iommu-map` of a PCI host node (pci-iommu.txt): requester ids [rid_base, rid_base + length) go to
// the IOMMU `phandle` as stream ids from stream_base. Read here only; every use takes these.
struct iommu_map_entry {
    uint32_t rid_base, phandle, stream_base, length;
};
std::vector<iommu_map_entry> read_iommu_map(const model_context& ctx) {
    const auto c = ctx.dt.cells(ctx.node, "iommu-map");
    if (c.size() % 4 != 0) bad_node(ctx, ctx.node, "'iommu-map' must be (rid-base, iommu, iommu-base, length) entries");
    std::vector<iommu_map_entry> map;
    for (size_t i = 0; i < c.size(); i += 4) map.push_back({c[i], c[i + 1], c[i + 2], c[i + 3]});
    return map;
}

// `ecam`: reg is the ECAM region; otherwise reg is a register block and configuration space is
// what the iProc's CFG_ADDR reaches.
bridge_t::config read_bridge_config(const model_context& ctx, bool ecam = true) {
    const device_tree& dt = ctx.dt;
    bridge_t::config cfg;
    if (ctx.regs.size() != 1)
        bad_node(ctx, ctx.node, ecam ? "'reg' must be the one ECAM region" : "'reg' must be the one register block");
    cfg.ecam_size = ecam ? ctx.regs[0].size : pcie::iproc_pcie::config_space;
    // The root port's identity: the model's default (QEMU's GPEX) unless the platform names its own.
    cfg.root_identity.vendor =
        static_cast<uint16_t>(knob(ctx, "socsim,root-vendor-id", cfg.root_identity.vendor, 0, 0xfffe));
    cfg.root_identity.device =
        static_cast<uint16_t>(knob(ctx, "socsim,root-device-id", cfg.root_identity.device, 0, 0xffff));
    auto bus_range = dt.cells(ctx.node, "bus-range");
    if (bus_range.size() == 2) {
        cfg.first_bus = bus_range[0];
        cfg.last_bus = bus_range[1];
    } else if (bus_range.empty()) {
        cfg.last_bus = static_cast<unsigned>(std::min<uint64_t>(255, (cfg.ecam_size >> 20) - 1));
    } else {
        bad_node(ctx, ctx.node, "'bus-range' must be two cells");
    }
    for (const pci_range& r : read_pci_ranges(ctx, "ranges")) {
        bridge_t::outbound_window w;
        switch ((r.flags >> 24) & 3) {
        case 1: w.type = bridge_t::space::io; break;
        case 2: w.type = bridge_t::space::memory32; break;
        case 3: w.type = bridge_t::space::memory64; break;
        default: bad_node(ctx, ctx.node, "'ranges' entry with configuration-space flags " + core::hex(r.flags));
        }
        w.prefetchable = r.flags & 0x40000000;
        w.bus_base = r.pci;
        w.cpu_base = r.cpu;
        w.size = r.size;
        cfg.outbound.push_back(w);
    }
    // Like Linux (drivers/pci/of.c), only memory entries of dma-ranges are inbound windows. The
    // bridge sorts them by bus address; two that overlap on the bus are refused here, naming
    // both entries as the DT numbers them (from 0, every entry counted).
    std::vector<size_t> entry_of;
    const auto dma_ranges = read_pci_ranges(ctx, "dma-ranges");
    for (size_t i = 0; i < dma_ranges.size(); ++i) {
        const pci_range& r = dma_ranges[i];
        if (((r.flags >> 24) & 3) < 2) continue;
        if (r.size == 0) bad_node(ctx, ctx.node, "'dma-ranges' entry " + std::to_string(i) + " has size 0");
        cfg.inbound.push_back({r.pci, r.cpu, r.size});
        entry_of.push_back(i);
    }
    if (auto o = bridge_t::overlapping(cfg.inbound)) {
        auto text = [&](size_t k) {
            const auto& w = cfg.inbound[k];
            return std::to_string(entry_of[k]) + " (bus " + hex_range(w.bus_base, w.size) + " -> cpu " +
                   hex_range(w.cpu_base, w.size) + ")";
        };
        bad_node(ctx, ctx.node, "'dma-ranges' entries " + text(o->first) + " and " + text(o->second) +
                                    " overlap on the bus: a bus address would have two inbound translations");
    }
    // One DMA output per distinct IOMMU, numbered in order of first appearance.
    std::vector<uint32_t> iommus;
    for (const iommu_map_entry& e : read_iommu_map(ctx)) {
        auto it = std::find(iommus.begin(), iommus.end(), e.phandle);
        if (it == iommus.end()) it = iommus.insert(iommus.end(), e.phandle);
        cfg.iommu_map.push_back({e.rid_base, e.stream_base, e.length, static_cast<unsigned>(it - iommus.begin())});
    }
    if (auto mask = dt.number(ctx.node, "iommu-map-mask")) cfg.iommu_map_mask = static_cast<uint32_t>(*mask);
    return cfg;
}

// The lines of `socsim info` for a host bridge: `access` (how configuration space is reached),
// its windows (`inbound`: the inbound lines, empty: the bridge's own), iommu-map naming each
// IOMMU by its label, its functions.
std::vector<std::string> describe_bridge(const model_context& ctx, const bridge_t& bridge, const std::string& access,
                                         const std::vector<std::string>& inbound = {}) {
    const bridge_t::config& cfg = bridge.configuration();
    std::vector<std::string> lines;
    auto add = [&lines](const std::vector<std::string>& more) { lines.insert(lines.end(), more.begin(), more.end()); };
    lines.push_back(access + ", buses " + std::to_string(cfg.first_bus) + "-" + std::to_string(cfg.last_bus));
    add(bridge.describe_outbound());
    add(inbound.empty() ? bridge.describe_inbound() : inbound);
    for (const iommu_map_entry& e : read_iommu_map(ctx)) {
        int iommu = ctx.dt.by_phandle(e.phandle);
        std::string name = iommu < 0 ? "?" : ctx.dt.label(iommu).empty() ? ctx.dt.path(iommu) : ctx.dt.label(iommu);
        lines.push_back("iommu-map: requester id " + hex_range(e.rid_base, e.length) + " -> " + name + " stream id " +
                        hex_range(e.stream_base, e.length) + " (mask " + core::hex(cfg.iommu_map_mask) + ")");
    }
    add(bridge.describe_functions());
    return lines;
}

// What `socsim info` needs of each attached function for its IOVA space.
struct function_dma {
    int node;                 // its DT node
    std::string instance;     // pcie_edu0
    uint64_t dma_mask;        // 0: the model states none
    std::string mask_source;
};
using function_dmas = std::map<unsigned, function_dma>;  // by devfn

// Attaches the node's PCI functions and fills in everything the builder wires: the DMA output of
// each IOMMU, the outbound windows, the INTx pins. Returns the per-function detail lines (and the
// functions not modelled);
// `dmas` gets each attached function's DMA mask.
std::vector<std::string> populate_bridge(model_context& ctx, bridge_t* bridge, built_model& m, function_dmas& dmas) {
    const unsigned root_bus = bridge->configuration().first_bus;
    std::vector<std::string> skipped, function_details;
    for (int child : ctx.dt.children(ctx.node)) {
        if (!ctx.dt.enabled(child)) continue;
        auto compat = ctx.dt.strings(child, "compatible");
        auto reg = ctx.dt.cells(child, "reg");
        if (reg.size() < 5) bad_node(ctx, child, "a PCI function needs 'reg' = <devfn << 8, 0, 0, 0, 0>");
        const unsigned bus = (reg[0] >> 16) & 0xff, devfn = (reg[0] >> 8) & 0xff;
        if (bus != root_bus)
            bad_node(ctx, child, "is on bus " + std::to_string(bus) + ": only the root bus (" +
                                     std::to_string(root_bus) + ") is modelled (no PCI-PCI bridges)");
        if (devfn == 0) bad_node(ctx, child, "00.0 is the host bridge's own function");
        const model_entry* entry = compat.empty() ? nullptr : find_model(compat);
        if (!entry || !entry->make) {
            std::string what = ctx.dt.path(child) + (compat.empty() ? "" : " (compatible \"" + compat[0] + "\")");
            core::logger("platform").warning("no model for PCI function " + what + "; it is absent from the bus");
            skipped.push_back(pcie::bdf_text(bus, devfn) + "  not modelled: " + what);
            continue;
        }
        // The bridge's name, '_', the function's label or node name; with its unit address, then
        // numbered, when another model has that name (two functions called "edu").
        const std::string label = ctx.dt.label(child), own = label.empty() ? ctx.dt.name(child) : label;
        auto taken = [](const std::string& name) { return sc_core::sc_find_object(name.c_str()) != nullptr; };
        std::string name = ctx.instance + "_" + clean_name(own);
        if (taken(name)) name = ctx.instance + "_" + clean_name_keeping_unit(own);
        model_context child_ctx{ctx.dt, child, numbered_if_taken(name, taken), {}, ctx.io, ctx.coherence};
        built_model function = entry->make(child_ctx);
        if (!function.endpoint) bad_node(ctx, child, "compatible \"" + compat[0] + "\" is not a PCI function model");
        for (const std::string& d : function.details)
            function_details.push_back(pcie::bdf_text(bus, devfn) + "  " + child_ctx.instance + ": " + d);
        dmas[devfn] = {child, child_ctx.instance, function.dma_mask, function.dma_mask_source};
        function.module.release();  // the bridge owns the endpoint now
        bridge->attach(static_cast<uint8_t>(devfn), std::unique_ptr<pcie::pcie_endpoint>(function.endpoint));
    }
    m.dma = &bridge->dma;
    // Each IOMMU that iommu-map names gets its own output, wired by the builder.
    for (const iommu_map_entry& e : read_iommu_map(ctx)) {
        const uint32_t phandle = e.phandle;
        const uint64_t last_stream = uint64_t{e.stream_base} + (e.length ? e.length - 1 : 0);
        auto out = std::find_if(m.dma_outputs.begin(), m.dma_outputs.end(),
                                [&](const built_model::dma_output& o) { return o.iommu_phandle == phandle; });
        if (out != m.dma_outputs.end()) {
            out->last_stream = std::max(out->last_stream, last_stream);
            continue;
        }
        m.dma_outputs.push_back(
            {&bridge->dma_output(static_cast<unsigned>(m.dma_outputs.size())), phandle, last_stream});
    }
    const auto& outbound = bridge->configuration().outbound;
    for (unsigned i = 0; i < outbound.size(); ++i)
        m.windows.push_back({{outbound[i].cpu_base, outbound[i].size},
                             &bridge->window(i),
                             outbound[i].type == bridge_t::space::io ? "I/O window" : "memory window"});
    // INTx: the builder routes each function's pin through this node's interrupt-map.
    for (const auto& [devfn, f] : bridge->functions()) {
        if (devfn == 0) continue;  // the bridge's own header
        const unsigned pin = f->config_read(pcie::cfg::interrupt_pin, 1);
        if (pin == 0) continue;
        m.pci_functions.push_back({root_bus, devfn, pin, &f->intx, f->name()});
    }
    skipped.insert(skipped.end(), function_details.begin(), function_details.end());
    return skipped;
}

// The geometry of the IOMMU node `iommu` as its registry entry states it, or the fallback.
iommu_geometry geometry_of(const device_tree& dt, int iommu) {
    const model_entry* entry = find_model(dt.strings(iommu, "compatible"));
    if (entry && entry->iommu_dma) return *entry->iommu_dma;
    return {4096, 64, "4 KiB granule assumed, input range not known"};
}

std::string spans_text(const std::vector<iova_span>& spans) {
    std::string text;
    for (const auto& s : spans) text += (text.empty() ? "" : ", ") + hex_range(s.first, s.last - s.first + 1);
    return text;
}

std::string mask_text(uint64_t mask) {
    return core::hex(mask) + " (" + std::to_string(mask_bits(mask)) + " bits)";
}

std::string region_line(const resv_region& r) {
    const std::string type = resv_type_name(r.type);
    return resv_region_text(r) + std::string(type.size() < 8 ? 10 - type.size() : 2, ' ') + resv_source_name(r.source);
}

// The IOVA space Linux's iommu-dma would leave each function behind an IOMMU
// (platforms/builder/iova_ranges.h): the bridge's DMA limit and mask, the reserved regions all
// its functions share, what a 64-bit function would get, then each function with its own mask,
// any regions of its own and its valid ranges.
std::vector<std::string> describe_iova_spaces(const model_context& ctx, const bridge_t& bridge, const function_dmas& dmas) {
    const device_tree& dt = ctx.dt;
    const auto map = read_iommu_map(ctx);
    const uint32_t map_mask = bridge.configuration().iommu_map_mask;
    auto iommu_of = [&](uint16_t rid) {  // the IOMMU node iommu-map sends a requester id to, or -1
        const uint32_t id = rid & map_mask;
        for (const iommu_map_entry& e : map)
            if (id >= e.rid_base && id - e.rid_base < e.length) return dt.by_phandle(e.phandle);
        return -1;
    };
    std::vector<std::string> lines;
    bool any = false;
    for (const auto& [devfn, f] : dmas) any = any || iommu_of(bridge.requester_id(static_cast<uint8_t>(devfn))) >= 0;
    if (!any) return lines;

    pci_iova_space shared;
    try {
        shared = derive_pci_iova_space(read_pci_dma_facts(dt, ctx.node, -1));
    } catch (const core::config_error& e) {
        bad_node(ctx, ctx.node, e.what());
    }
    lines.push_back("IOVA space Linux's iommu-dma would leave each function behind an IOMMU "
                    "(docs/hardware/pci-dma-limits.md):");
    lines.push_back(shared.bus_dma_limit
                        ? "bus_dma_limit " + core::hex(shared.bus_dma_limit) +
                              " (the end of the highest inbound window), DT DMA mask " + mask_text(shared.dt_mask)
                        : std::string("bus_dma_limit none and no DT DMA mask (no dma-ranges): the device's mask is its limit"));
    lines.push_back("reserved regions of every function (start end type, as Linux's reserved_regions, with the PCI "
                    "windows iommu-dma adds):");
    for (const auto& r : shared.regions) lines.push_back("  " + region_line(r));
    int first_iommu = -1;
    for (const auto& [devfn, f] : dmas)
        if (first_iommu < 0) first_iommu = iommu_of(bridge.requester_id(static_cast<uint8_t>(devfn)));
    if (first_iommu >= 0) {
        const iommu_geometry g = geometry_of(dt, first_iommu);
        const uint64_t aperture = g.input_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << g.input_bits) - 1;
        const auto valid = valid_iova_ranges(shared, iova_limit(shared, ~uint64_t{0}, aperture), g.granule);
        lines.push_back("a function with a 64-bit DMA mask: valid IOVA " + (valid.empty() ? "none" : spans_text(valid)));
    }
    for (const auto& [devfn, f] : dmas) {
        const uint16_t rid = bridge.requester_id(static_cast<uint8_t>(devfn));
        const int iommu = iommu_of(rid);
        const std::string who = pcie::bdf_text(bridge.configuration().first_bus, devfn) + "  " + f.instance + ": ";
        if (iommu < 0) {
            lines.push_back(who + "no IOMMU (iommu-map names none for requester id " + core::hex(rid) + ")");
            continue;
        }
        pci_iova_space own;
        try {
            own = derive_pci_iova_space(read_pci_dma_facts(dt, ctx.node, f.node));
        } catch (const core::config_error& e) {
            bad_node(ctx, f.node, e.what());
        }
        const iommu_geometry g = geometry_of(dt, iommu);
        const uint64_t aperture = g.input_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << g.input_bits) - 1;
        const uint64_t mask = f.dma_mask ? f.dma_mask : ~uint64_t{0};
        const uint64_t limit = iova_limit(own, mask, aperture);
        const std::string iommu_name = dt.label(iommu).empty() ? dt.path(iommu) : dt.label(iommu);
        lines.push_back(who + "DMA mask " + mask_text(mask) + ": " +
                        (f.dma_mask ? f.mask_source : std::string("assumed, the model states none")) + "; IOVA limit " +
                        core::hex(limit) + " (" + iommu_name + ": " + g.why + ")");
        for (const auto& r : own.regions)
            if (std::find(shared.regions.begin(), shared.regions.end(), r) == shared.regions.end())
                lines.push_back(who + "also reserved " + region_line(r));
        const auto valid = valid_iova_ranges(own, limit, g.granule);
        lines.push_back(who + "valid IOVA " +
                        (!valid.empty()      ? spans_text(valid)
                         : limit < g.granule ? std::string("none: the limit is below the first granule")
                                             : "none: all of " + hex_range(g.granule, limit - g.granule + 1) +
                                                   " is in reserved regions"));
    }
    return lines;
}

// What every host bridge's factory does once the bridge is built: attach its functions, map its
// registers (`registers`), describe it (`access` and `inbound` as describe_bridge takes them) and
// the IOVA spaces of its functions.
built_model finish_bridge(model_context& ctx, std::unique_ptr<bridge_t> bridge, tlm::tlm_target_socket<>& registers,
                          const std::string& access, const std::vector<std::string>& inbound = {}) {
    built_model m;
    m.targets = {&registers};
    function_dmas dmas;
    auto functions = populate_bridge(ctx, bridge.get(), m, dmas);
    m.details = describe_bridge(ctx, *bridge, access, inbound);
    m.details.insert(m.details.end(), functions.begin(), functions.end());
    auto iova = describe_iova_spaces(ctx, *bridge, dmas);
    m.details.insert(m.details.end(), iova.begin(), iova.end());
    m.module = std::move(bridge);
    return m;
}

built_model make_pcie_host(model_context& ctx) {
    auto bridge = std::make_unique<bridge_t>(ctx.instance.c_str(), read_bridge_config(ctx));
    const uint64_t ecam_size = bridge->configuration().ecam_size;
    auto& ecam = bridge->ecam;
    return finish_bridge(ctx, std::move(bridge), ecam,
                         "ECAM " + hex_range(ctx.regs[0].base, ecam_size) + " (" + core::human_size(ecam_size) + ")");
}

built_model make_iproc_pcie(model_context& ctx) {
    // dma-ranges only say what firmware is to program (iproc_pcie.h): described, not configured.
    bridge_t::config cfg = read_bridge_config(ctx, false);
    std::vector<bridge_t::inbound_window> declared = std::move(cfg.inbound);
    cfg.inbound.clear();
    auto rc = std::make_unique<pcie::iproc_pcie>(ctx.instance.c_str(), std::move(cfg));
    auto& regs = rc->regs;
    return finish_bridge(ctx, std::move(rc), regs,
                         "registers " + hex_range(ctx.regs[0].base, ctx.regs[0].size) +
                             ": configuration through CFG_IND_ADDR/CFG_IND_DATA (00:00.0) and CFG_ADDR/CFG_DATA",
                         pcie::iproc_pcie::describe_dma_ranges(declared));
}

built_model make_edu(model_context& ctx) {
    devices::edu::config cfg;
    cfg.dma_delay = time_ns(ctx, "socsim,dma-delay-ns", cfg.dma_delay);
    cfg.factorial_delay = time_ns(ctx, "socsim,factorial-delay-ns", cfg.factorial_delay);
    const auto mask = ctx.dt.number(ctx.node, "socsim,dma-mask");
    cfg.dma_mask = mask.value_or(cfg.dma_mask);
    auto dev = std::make_unique<devices::edu>(ctx.instance.c_str(), cfg);
    built_model m;
    // QEMU's edu has no register that tells its mask: its driver sets the mask the device
    // drives (QEMU clamps every DMA address to it), as lib's edu driver does with EDU_DMA_MASK.
    m.dma_mask = cfg.dma_mask;
    m.dma_mask_source = mask ? "the device's socsim,dma-mask, which its driver sets"
                             : "the edu's own, as QEMU's default dma_mask, which its driver sets";
    m.endpoint = dev.get();
    m.module = std::move(dev);
    return m;
}

built_model make_nvme(model_context& ctx) {
    devices::nvme::config cfg;
    cfg.disk_image = ctx.dt.string(ctx.node, "socsim,disk-image").value_or("");
    cfg.disk_size = ctx.dt.number(ctx.node, "socsim,disk-size").value_or(0);
    cfg.discard_writes = knob(ctx, "socsim,discard-writes", 0, 0, 1) != 0;
    cfg.command_latency = time_ns(ctx, "socsim,command-latency-ns", cfg.command_latency);
    cfg.touch_after_completion = time_ns(ctx, "socsim,touch-after-completion-ns", cfg.touch_after_completion);
    if (cfg.disk_image.empty() && cfg.disk_size == 0)
        bad_node(ctx, ctx.node, "needs 'socsim,disk-image' or 'socsim,disk-size' (an in-memory namespace)");
    if (cfg.disk_size % devices::nvme::lba_size != 0)
        bad_node(ctx, ctx.node, "'socsim,disk-size' must be a multiple of 512 bytes");
    auto dev = std::make_unique<devices::nvme>(ctx.instance.c_str(), cfg);
    built_model m;
    m.dma_mask = ~uint64_t{0};
    m.dma_mask_source = "Linux's nvme driver sets 64 bits";
    const uint64_t bytes = dev->namespace_blocks() * devices::nvme::lba_size;
    m.details.push_back("namespace 1: " + std::to_string(dev->namespace_blocks()) + " LBAs of 512 bytes (" +
                        core::human_size(bytes) + "), " +
                        (cfg.disk_image.empty() ? std::string("in memory")
                                                : "image " + cfg.disk_image +
                                                      (cfg.discard_writes ? " (writes discarded)" : "")));
    m.endpoint = dev.get();
    m.module = std::move(dev);
    return m;
}

} // namespace

std::vector<model_entry> pcie_factories() {
    return {
        {{"pci-host-ecam-generic"}, "PCIe host bridge (ECAM, windows, iommu-map)", make_pcie_host},
        {{"socsim,iproc-paxb"}, "iProc PAXB-like PCIe root complex (indirect config, IARR/IMAP inbound windows)",
         make_iproc_pcie},
        {{"pci1234,11e8"}, "QEMU edu PCI device (factorial, DMA, interrupts)", make_edu},
        {{"pci1b36,10"}, "NVM Express controller as QEMU's nvme (one namespace on a disk image)", make_nvme},
    };
}

} // namespace socsim::platform
