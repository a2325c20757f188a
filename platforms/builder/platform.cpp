#include "platforms/builder/platform.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iterator>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "models/bus/router.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/core/dma_extension.h"
#include "models/core/file_input.h"
#include "models/cpu/arm64_cpu.h"
#include "models/devices/pl011.h"
#include "models/irq/interrupt_controller.h"
#include "models/cpu/elf_loader.h"
#include "models/memory/coherence_tracker.h"
#include "models/iommu/common/dma_checker.h"
#include "models/memory/ram.h"
#include "platforms/builder/factories/factory_support.h"

namespace socsim::platform {
namespace {

core::logger& log() {
    static core::logger l("platform");
    return l;
}

// "7", "0x1f", "1 2 3" -> cells; anything else (or "quoted") -> nullopt (a string).
std::optional<std::vector<uint32_t>> parse_cells(const std::string& value) {
    std::istringstream in(value);
    std::string word;
    std::vector<uint32_t> cells;
    std::vector<std::string> words;
    while (in >> word) words.push_back(word);
    if (words.empty()) return std::nullopt;
    for (const std::string& w : words) {
        size_t used = 0;
        unsigned long long v;
        try {
            v = std::stoull(w, &used, 0);
        } catch (const std::exception&) {
            return std::nullopt;
        }
        if (used != w.size() || w[0] == '-') return std::nullopt;
        if (v > 0xffffffffull) {
            if (words.size() != 1) return std::nullopt;
            return std::vector<uint32_t>{static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)};
        }
        cells.push_back(static_cast<uint32_t>(v));
    }
    return cells;
}

std::string directory_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

} // namespace

platform::platform(device_tree dt, platform_options options) : dt_(std::move(dt)), options_(std::move(options)) {
    apply_overrides();
    if (!options_.bios.empty() && !options_.firmware.empty())
        throw core::config_error("give either --firmware ELF or --bios IMAGE, not both");
    if (!options_.kernel.empty() && (!options_.bios.empty() || !options_.firmware.empty()))
        throw core::config_error("give --kernel IMAGE alone, without --firmware or --bios");
    if (options_.kernel.empty() && (!options_.initrd.empty() || options_.append))
        throw core::config_error("--initrd and --append go with --kernel");
    firmware_ = !options_.kernel.empty() ? options_.kernel : !options_.bios.empty() ? options_.bios : options_.firmware;
    if (firmware_.empty()) {
        int chosen = dt_.find("/chosen");
        if (chosen >= 0) {
            if (auto fw = dt_.string(chosen, "socsim,firmware")) {
                firmware_ = (*fw)[0] == '/' ? *fw : directory_of(dt_.source()) + "/" + *fw;
            }
        }
    }
    build();
}

platform::~platform() = default;

void platform::apply_overrides() {
    for (const std::string& spec : options_.overrides) apply_override(spec);
}

void platform::apply_override(const std::string& spec) {
    auto fail = [&](const std::string& why) { throw core::config_error("-c " + spec + ": " + why); };
    size_t eq = spec.find('=');
    if (eq == std::string::npos) fail("expected node.property=value");
    std::string key = spec.substr(0, eq), value = spec.substr(eq + 1);
    size_t dot = key.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == key.size()) fail("expected node.property=value");
    std::string node_spec = key.substr(0, dot), prop = key.substr(dot + 1);
    int node = dt_.find(node_spec);
    if (node < 0) {
        const std::vector<int> named = nodes_with_instance_name(node_spec);
        if (named.size() > 1)
            fail("'" + node_spec + "' could name " + dt_.path(named[0]) + " or " + dt_.path(named[1]) + "; use its path");
        if (!named.empty()) node = named[0];
    }
    if (node < 0)
        fail("no node '" + node_spec + "' (give a path, a label, an alias, a node name or the name socsim info shows)");
    const std::string node_path = dt_.path(node);  // offsets change when the blob does
    // Simulator knobs: a bare name means the `socsim,` property, unless it is a standard
    // property or the node already has a property of that name.
    static const std::set<std::string> standard = {
        "status", "compatible", "reg", "ranges", "dma-ranges", "interrupts", "interrupt-parent",
        "interrupts-extended", "interrupt-names", "interrupt-map", "interrupt-map-mask",
        "clock-frequency", "model", "iommus", "iommu-map", "iommu-map-mask", "msi-map", "bootargs",
        "stdout-path", "device_type", "#address-cells", "#size-cells", "#iommu-cells"};
    if (prop.find(',') == std::string::npos && !standard.count(prop) && !dt_.has(node, prop)) prop = "socsim," + prop;
    bool quoted = value.size() >= 2 && value.front() == '"' && value.back() == '"';
    auto cells = quoted ? std::nullopt : parse_cells(value);
    if (cells)
        dt_.set_property(node, prop, *cells);
    else
        dt_.set_property(node, prop, quoted ? value.substr(1, value.size() - 2) : value);
    SOCSIM_LOG(log(), info, "override: " << node_path << " " << prop << " = " << value);
}

std::ostream& platform::output(const std::string& path) { return serial_.output(path); }

std::function<int()> platform::input(const std::string& path) { return serial_.input(path); }

std::vector<std::string> platform::possible_instance_names(int node) const {
    // As instance_name() and the PCIe host bridges' factories name models: the label or the node
    // name made an identifier, with the unit address when two would clash; a PCI function is its
    // bridge's name, '_', its own.
    const std::string label = dt_.label(node);
    const std::string own = label.empty() ? dt_.name(node) : label;
    std::vector<std::string> names = {clean_name(own), clean_name_keeping_unit(own)};
    const int bus = dt_.parent(node);
    if (bus > 0 && dt_.string(bus, "device_type") == std::optional<std::string>("pci"))
        for (const std::string& bridge : possible_instance_names(bus)) names.push_back(bridge + "_" + clean_name(own));
    return names;
}

std::vector<int> platform::nodes_with_instance_name(const std::string& name) const {
    std::vector<int> found;
    std::function<void(int)> search = [&](int node) {
        for (int child : dt_.children(node)) {
            const auto names = possible_instance_names(child);
            if (std::find(names.begin(), names.end(), name) != names.end()) found.push_back(child);
            search(child);
        }
    };
    search(0);
    return found;
}

bool platform::name_taken(const std::string& name) const {
    // Our own models (the bus, RAM banks) are SystemC objects too: SystemC would rename a second
    // object of the same name, with a warning, and the name would no longer say which model it is.
    return used_names_.count(name) != 0 || sc_core::sc_find_object(name.c_str()) != nullptr;
}

std::string platform::instance_name(int node) {
    // The label if there is one ("uart0"), else the node name without its unit address, unless
    // another model has that name already ("sim_control", then "sim_control_90f0000"). Names that
    // still clash (labels or node names that become the same identifier, the same name and unit
    // address under two parents) are numbered from 2 ("_", "__2"); `-c` reaches those by path.
    std::string label = dt_.label(node);
    std::string full = label.empty() ? dt_.name(node) : label;
    std::string name = clean_name(full);
    if (name_taken(name)) name = clean_name_keeping_unit(full);
    name = numbered_if_taken(name, [this](const std::string& n) { return name_taken(n); });
    used_names_.insert(name);
    return name;
}

void platform::build() {
    coherence_ = std::make_unique<memory::coherence_tracker>();
    router_ = std::make_unique<bus::router>("bus");
    visit(0);
    wire_dma();
    connect_dma_debug();
    if (ram_ranges_.empty()) dt_.fail("no /memory node: the platform has no RAM");
    if (!cpu_) dt_.fail("no CPU under /cpus with a modelled compatible");
    wire_irqs();
    // Every core sees every mapping; it maps RAM directly and the rest as MMIO.
    std::vector<core::address_range> address_map;
    for (const auto& m : router_->mappings()) address_map.push_back(m.range);
    for (unsigned i = 0; i < cluster_->size(); ++i) {
        cluster_->core(i).set_address_map(address_map);
        cluster_->core(i).set_cluster(*cluster_);
    }
}

void platform::visit(int node) {
    if (node != 0 && !dt_.enabled(node)) return;
    std::string name = dt_.name(node);
    if (name == "__symbols__" || name == "aliases" || name == "chosen") return;
    auto device_type = dt_.string(node, "device_type");
    if (device_type && *device_type == "memory") return add_memory(node);

    auto compat = dt_.strings(node, "compatible");
    if (node != 0 && !compat.empty()) {
        if (const model_entry* entry = find_model(compat)) {
            auto it = std::find_if(compat.begin(), compat.end(), [&](const std::string& c) {
                return std::find(entry->compatibles.begin(), entry->compatibles.end(), c) != entry->compatibles.end();
            });
            if (entry->make) add_model(node, *entry, *it);
            if (std::find(compat.begin(), compat.end(), "simple-bus") == compat.end()) return;
        } else if (std::find(compat.begin(), compat.end(), "simple-bus") == compat.end()) {
            std::string what = dt_.path(node) + " (compatible \"" + compat[0] + "\")";
            if (options_.strict) dt_.fail("no model for " + what);
            log().warning("no model for " + what + "; its registers are not mapped");
            unmodelled_.push_back(what);
            return;
        }
    }
    if (node != 0 && compat.empty() && dt_.has(node, "reg") && !in_reserved_memory(node)) {
        // A device node whose `compatible` was forgotten or misspelt: nothing can be built from
        // it, and its firmware would find no registers there. Said once, as for an unknown
        // compatible (an error with --strict). Memory set aside under /reserved-memory has `reg`
        // and no `compatible` by design.
        const std::string what = dt_.path(node) + " (has 'reg' but no 'compatible')";
        if (options_.strict) dt_.fail("no model for " + what);
        log().warning("no model for " + what + "; its registers are not mapped");
        unmodelled_.push_back(what);
    }
    for (int child : dt_.children(node)) visit(child);
}

bool platform::in_reserved_memory(int node) const {
    for (int n = dt_.parent(node); n > 0; n = dt_.parent(n))
        if (dt_.name(n) == "reserved-memory") return true;
    return false;
}

void platform::wire_dma() {
    // Binds `master` (a DMA output of `inst`) to the IOMMU whose phandle is given (0: the bus) and
    // returns where it goes, for `info`.
    auto wire = [&](instance& inst, tlm::tlm_initiator_socket<>& master, uint32_t phandle) -> std::string {
        if (phandle == 0) {
            master.bind(router_->target_socket);
            return "bus (no IOMMU)";
        }
        int iommu_node = dt_.by_phandle(phandle);
        if (iommu_node < 0)
            dt_.fail(inst.path + " DMAs through phandle " +
                                     std::to_string(phandle) + ", which names no node");
        const std::string iommu_path = dt_.path(iommu_node);
        auto it = std::find_if(instances_.begin(), instances_.end(),
                               [&](const instance& i) { return i.path == iommu_path; });
        if (it == instances_.end()) {
            // The IOMMU node exists but nothing models it (unknown compatible or disabled): the
            // DMA still has somewhere to go, untranslated, and the user is told once.
            log().warning(inst.path + " DMAs through " + iommu_path +
                          ", which has no model: its DMA goes straight to the bus, untranslated");
            master.bind(router_->target_socket);
            return "bus (" + iommu_path + " not modelled, untranslated)";
        }
        if (!it->model.accept_dma)
            dt_.fail(inst.path + " DMAs through " + iommu_path +
                                     ", which is not an IOMMU");
        it->model.accept_dma(master);
        inst.dma_targets.push_back(it->name);
        return it->name;
    };
    for (instance& inst : instances_) {
        if (inst.model.downstream) inst.model.downstream->bind(router_->target_socket);
        if (!inst.model.dma) continue;
        if (!inst.model.dma_outputs.empty()) {
            // A PCIe host bridge: one output per IOMMU its `iommu-map` names.
            for (const auto& out : inst.model.dma_outputs) {
                check_stream(inst, out.iommu_phandle, out.last_stream, "'iommu-map' maps requester ids up to");
                const std::string path = wire(inst, *out.socket, out.iommu_phandle);
                inst.dma_path += (inst.dma_path.empty() ? "" : ", ") + path;
            }
            continue;
        }
        // A platform master: every DMA goes through the IOMMU its `iommus` names.
        const auto iommu = read_iommus(dt_, dt_.find(inst.path));
        const uint32_t phandle = iommu ? iommu->phandle : 0;
        if (phandle != 0 && iommu->stream) {
            inst.stream_id = core::hex(*iommu->stream);
            check_stream(inst, phandle, *iommu->stream, "'iommus' names");
        }
        inst.dma_path = wire(inst, *inst.model.dma, phandle);
    }
}

void platform::check_stream(const instance& master, uint32_t iommu_phandle, uint64_t stream,
                            const std::string& how) const {
    // A stream id the IOMMU does not have would otherwise be accepted here and only fail (or be
    // silently truncated) at the first DMA.
    const int node = dt_.by_phandle(iommu_phandle);
    if (node < 0) return;  // wire() says so
    const std::string iommu_path = dt_.path(node);
    for (const instance& iommu : instances_) {
        if (iommu.path != iommu_path || iommu.model.stream_count == 0) continue;
        if (stream >= iommu.model.stream_count)
            dt_.fail(master.path + ": " + how + " " +
                                     iommu.model.stream_what + " " + core::hex(stream) + " of " + iommu_path + " (" +
                                     iommu.name + ", " + iommu.compatible + "), which takes " + iommu.model.stream_what +
                                     " 0-" + core::hex(iommu.model.stream_count - 1) + " only");
    }
}

void platform::wire_irqs() {
    std::vector<wiring_model> models;
    for (instance& inst : instances_) models.push_back({inst.path, inst.name, &inst.model});
    std::vector<wiring_core> cores;
    for (const instance& inst : instances_)
        if (inst.model.cpu) cores.push_back({inst.name, inst.model.cpu});
    irq_routes_ = wire_interrupts(dt_, models, cores);
    // Banked controller registers answer per core: the core is the initiator of the access.
    auto names = core_names_;
    const irq::cpu_index_fn core_of = [names](const tlm::tlm_generic_payload& p) -> unsigned {
        const auto* ext = p.get_extension<core::dma_extension>();
        if (!ext) return 0;
        for (unsigned i = 0; i < names.size(); ++i)
            if (ext->initiator == names[i]) return i;
        return 0;
    };
    for (instance& inst : instances_)
        if (inst.model.interrupt_controller) inst.model.interrupt_controller->set_cpu_index(core_of);
}

void platform::connect_dma_debug() {
    for (instance& dbg : instances_) {
        if (!dbg.model.accept_announcements) continue;
        for (instance& iommu : instances_) {
            if (!iommu.model.checker) continue;
            // An IOMMU that no master references has no phandle; nothing can be announced for it.
            auto phandle = dt_.number(dt_.find(iommu.path), "phandle");
            if (!phandle) continue;
            dbg.model.accept_announcements(static_cast<uint32_t>(*phandle), iommu.model.checker->announcements());
            dbg.model.details.push_back("announcements for " + iommu.name + " (IOMMU phandle " + core::hex(*phandle) +
                                        ")");
        }
    }
}

// socsim,latency-ns on a /memory node: the time each device access to its banks takes (a DMA's
// data, an IOMMU's table reads), for sweeps where a table walk must cost something. The CPU's own
// accesses go to host memory directly and are not timed. Default 0; at most one second.
sc_core::sc_time platform::ram_latency(int node) const {
    const auto ns = dt_.number(node, "socsim,latency-ns");
    if (!ns) return sc_core::SC_ZERO_TIME;
    if (*ns > 1000000000)
        dt_.fail(node, "socsim,latency-ns = " +
                                 std::to_string(*ns) + " is outside 0..1000000000 (one second)");
    return sc_core::sc_time(static_cast<double>(*ns), sc_core::SC_NS);
}

void platform::check_reg(int node, const std::vector<core::address_range>& regs) const {
    // A malformed `reg` (the wrong number of cells, as a `-c node.reg=...` override can give)
    // reads as many entries; without this check the router would report the node overlapping
    // itself.
    auto fail = [&](const std::string& why) {
        dt_.fail(node, "'reg' (" +
                                 std::to_string(regs.size()) + (regs.size() == 1 ? " entry" : " entries") + "): " + why);
    };
    auto text = [](const core::address_range& r) { return "[" + core::hex(r.base) + ".." + core::hex(r.last()) + "]"; };
    for (size_t i = 0; i < regs.size(); ++i) {
        const std::string entry = "entry " + std::to_string(i);
        if (regs[i].size == 0) fail(entry + " at " + core::hex(regs[i].base) + " has size 0");
        if (regs[i].base + (regs[i].size - 1) < regs[i].base)
            fail(entry + " at " + core::hex(regs[i].base) + " wraps past the end of the address space");
        for (size_t j = 0; j < i; ++j)
            if (regs[i].overlaps(regs[j]))
                fail(entry + " " + text(regs[i]) + " overlaps entry " + std::to_string(j) + " " + text(regs[j]));
    }
}

void platform::map(unsigned port, const core::address_range& range, const std::string& name) {
    try {
        router_->map(port, range, name);
    } catch (const core::config_error& e) {
        dt_.fail(e.what());
    }
}

void platform::add_memory(int node) {
    auto regs = dt_.reg(node);
    if (regs.empty()) dt_.fail(dt_.path(node) + " has no 'reg'");
    check_reg(node, regs);
    for (const auto& r : regs) {
        // The CPU maps RAM page by page (4 KiB): a bank that starts or ends inside a page cannot
        // be mapped, and would fail later with a misleading fault.
        if (r.base % 4096 != 0 || r.size % 4096 != 0 || r.size == 0)
            dt_.fail(node, "RAM bank " +
                                     core::hex(r.base) + " + " + core::hex(r.size) +
                                     " must start and end on a 4 KiB boundary and not be empty");
        const std::string name = numbered_if_taken("ram" + std::to_string(rams_.size()),
                                                   [this](const std::string& n) { return name_taken(n); });
        used_names_.insert(name);
        rams_.push_back(std::make_unique<memory::ram>(name.c_str(), r.size, ram_latency(node)));
        map(router_->bind_target(rams_.back()->socket), r, dt_.path(node));
        ram_ranges_.emplace_back(r, dt_.path(node));
    }
}

core::address_range platform::boot_bank() const {
    auto lowest = std::min_element(ram_ranges_.begin(), ram_ranges_.end(),
                                   [](const auto& a, const auto& b) { return a.first.base < b.first.base; });
    return lowest->first;
}

std::vector<core::address_range> platform::ram_banks() const {
    std::vector<core::address_range> banks;
    for (const auto& r : ram_ranges_) banks.push_back(r.first);
    std::sort(banks.begin(), banks.end(), [](const auto& a, const auto& b) { return a.base < b.base; });
    return banks;
}

void platform::add_model(int node, const model_entry& entry, const std::string& compatible) {
    // Every bus port this model's sockets get is its own, for the memory map.
    auto bind = [this](tlm::tlm_target_socket<>& socket) {
        const unsigned port = router_->bind_target(socket);
        port_owner_[port] = instances_.size();
        return port;
    };
    instance inst;
    inst.path = dt_.path(node);
    inst.name = instance_name(node);
    inst.compatible = compatible;
    inst.description = entry.description;
    inst.regs = dt_.reg(node);
    model_context ctx{dt_, node, inst.name, inst.regs, *this, coherence_.get()};
    inst.model = entry.make(ctx);
    if (inst.model.endpoint)
        dt_.fail(inst.path + " (" + compatible +
                                 ") is a PCI function: it belongs under a PCIe host bridge node");

    if (inst.model.cpu) {
        // Every core is built; the first in DT order boots, the others wait for PSCI CPU_ON.
        if (!cpu_) cpu_ = inst.model.cpu;
        if (cluster_->find(inst.model.cpu->mpidr()) >= 0)
            dt_.fail(inst.path + " has the same MPIDR (" +
                                     core::hex(inst.model.cpu->mpidr()) + ") as another cpu node");
        cluster_->add(*inst.model.cpu);
        core_names_.push_back(inst.name);
        inst.model.cpu->socket.bind(router_->target_socket);
        inst.regs.clear();  // a cpu's `reg` is its MPIDR, not an address
    } else if (!inst.model.targets.empty()) {
        if (inst.regs.empty()) dt_.fail(inst.path + " has no 'reg'");
        check_reg(node, inst.regs);
        if (inst.model.targets.size() == 1) {
            unsigned port = bind(*inst.model.targets[0]);
            for (const auto& r : inst.regs) map(port, r, inst.path);
        } else {
            if (inst.model.targets.size() != inst.regs.size())
                dt_.fail(inst.path + " needs " +
                                         std::to_string(inst.model.targets.size()) + " 'reg' entries");
            for (size_t i = 0; i < inst.regs.size(); ++i) map(bind(*inst.model.targets[i]), inst.regs[i], inst.path);
        }
    }
    for (const auto& w : inst.model.windows) map(bind(*w.socket), w.range, inst.path + " " + w.what);
    instances_.push_back(std::move(inst));
}

namespace {

std::vector<uint8_t> read_file(const std::string& path, const std::string& what) {
    std::vector<uint8_t> bytes = core::read_input_file(path, what);
    if (bytes.empty()) throw core::config_error(what + " '" + path + "' is empty");
    return bytes;
}

uint64_t le64(const std::vector<uint8_t>& b, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
    return v;
}

} // namespace

void platform::prepare_bios_boot() {
    std::vector<uint8_t> bytes = read_file(options_.bios, "BIOS image");
    // The reset address: QEMU's virt (and this platform) execute from 0x0, the first flash bank.
    const uint64_t reset_address = 0;
    auto it = std::find_if(instances_.begin(), instances_.end(), [&](const instance& i) {
        return !i.regs.empty() && i.regs[0].contains(reset_address) && !i.model.cpu;
    });
    if (it == instances_.end() || it->compatible != "socsim,rom")
        dt_.fail("--bios needs a socsim,rom node at " +
                                 core::hex(reset_address) + " (the boot flash)");
    const core::address_range flash = it->regs[0];
    if (bytes.size() > flash.size)
        throw core::config_error("BIOS image '" + options_.bios + "' (" + core::human_size(bytes.size()) +
                                 ") does not fit in the " + core::human_size(flash.size) + " flash at " +
                                 core::hex(flash.base));
    cpu::elf_image image;
    image.path = options_.bios;
    image.entry = reset_address;
    cpu::elf_segment seg;
    seg.paddr = flash.base;
    seg.memsz = bytes.size();
    seg.bytes = std::move(bytes);
    image.segments.push_back(std::move(seg));

    const core::address_range first_bank = boot_bank();
    const uint64_t dtb_size = dt_.total_size();
    if (dtb_size > first_bank.size)
        throw core::config_error("no room in RAM for the " + core::human_size(dtb_size) + " device tree");
    SOCSIM_LOG(log(), info, "BIOS " << options_.bios << " (" << image.segments[0].bytes.size() << " bytes) at "
                                    << core::hex(flash.base) << ", DTB at " << core::hex(first_bank.base) << " ("
                                    << dtb_size << " bytes)");
    std::vector<uint8_t> blob(dt_.blob().begin(), dt_.blob().end());
    cpu_->set_boot(std::move(image), first_bank.base, std::move(blob));
}


void platform::prepare_kernel_boot() {
    // Linux's arm64 boot protocol (Documentation/arch/arm64/booting.rst): a 64-byte Image header
    // with text_offset at 8, image_size at 16, flags at 24 and the magic "ARM\x64" at 56; the
    // Image at a 2 MiB aligned base + text_offset; the DTB 8-byte aligned and under 2 MiB; the
    // initramfs anywhere in RAM, named in /chosen by linux,initrd-start/end; x0 = the DTB.
    std::vector<uint8_t> kernel = read_file(options_.kernel, "kernel");
    if (kernel.size() < 64 || kernel[56] != 'A' || kernel[57] != 'R' || kernel[58] != 'M' || kernel[59] != 0x64)
        throw core::config_error("kernel '" + options_.kernel +
                                 "' is not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56; a compressed "
                                 "vmlinuz must be decompressed first)");
    const uint64_t text_offset = le64(kernel, 8);
    const uint64_t image_size = std::max<uint64_t>(le64(kernel, 16), kernel.size());
    const core::address_range bank = boot_bank();
    constexpr uint64_t two_mib = 2ull << 20;
    const uint64_t load = ((bank.base + two_mib - 1) & ~(two_mib - 1)) + two_mib + text_offset;
    if (load + image_size > bank.base + bank.size)
        throw core::config_error("kernel '" + options_.kernel + "' (" + core::human_size(image_size) +
                                 " with its BSS) does not fit in RAM at " + core::hex(load));
    cpu::elf_image image;
    image.path = options_.kernel;
    image.entry = load;
    cpu::elf_segment seg;
    seg.paddr = load;
    seg.memsz = kernel.size();  // the kernel clears its own BSS
    seg.bytes = std::move(kernel);
    image.segments.push_back(std::move(seg));

    int chosen = dt_.find("/chosen");
    if (chosen < 0) dt_.fail("--kernel needs a /chosen node");
    if (!options_.initrd.empty()) {
        std::vector<uint8_t> initrd = read_file(options_.initrd, "initrd");
        // At the top of the first RAM bank, page aligned, as QEMU keeps it clear of the kernel.
        const uint64_t end = bank.base + bank.size;
        const uint64_t start = (end - initrd.size() - two_mib) & ~uint64_t{0xfff};
        if (initrd.size() + two_mib > bank.size || start < load + image_size)
            throw core::config_error("initrd '" + options_.initrd + "' (" + core::human_size(initrd.size()) +
                                     ") does not fit in RAM above the kernel");
        const uint64_t initrd_end = start + initrd.size();
        dt_.set_property(chosen, "linux,initrd-start",
                         std::vector<uint32_t>{static_cast<uint32_t>(start >> 32), static_cast<uint32_t>(start)});
        chosen = dt_.find("/chosen");
        dt_.set_property(chosen, "linux,initrd-end",
                         std::vector<uint32_t>{static_cast<uint32_t>(initrd_end >> 32), static_cast<uint32_t>(initrd_end)});
        cpu::elf_segment rd;
        rd.paddr = start;
        rd.memsz = initrd.size();
        rd.bytes = std::move(initrd);
        image.segments.push_back(std::move(rd));
    }
    chosen = dt_.find("/chosen");
    if (options_.append) dt_.set_property(chosen, "bootargs", *options_.append);

    const uint64_t dtb_size = dt_.total_size();
    if (dtb_size > two_mib) throw core::config_error("the device tree (" + core::human_size(dtb_size) + ") is over 2 MiB");
    SOCSIM_LOG(log(), info, "kernel " << options_.kernel << " at " << core::hex(load) << ", DTB at "
                                      << core::hex(bank.base) << " (" << dtb_size << " bytes)");
    std::vector<uint8_t> blob(dt_.blob().begin(), dt_.blob().end());
    cpu_->set_boot(std::move(image), bank.base, std::move(blob));
    enable_console_uart();
}

void platform::enable_console_uart() {
    // A boot loader hands Linux its console enabled, and Linux's earlycon writes to it before any
    // driver has set it up. socsim is the boot loader here, so the PL011 that /chosen
    // stdout-path names gets CR = UARTEN | TXE | RXE, as U-Boot leaves it.
    const int chosen = dt_.find("/chosen");
    const auto stdout_path = chosen < 0 ? std::nullopt : dt_.string(chosen, "stdout-path");
    if (!stdout_path) return;
    const int node = dt_.find(stdout_path->substr(0, stdout_path->find(':')));
    if (node < 0) return;
    const std::string path = dt_.path(node);
    for (instance& in : instances_)
        if (in.path == path)
            if (auto* uart = dynamic_cast<devices::pl011*>(in.model.module.get()))
                uart->registers()["CR"].set(0x301);
}

void platform::prepare_boot() {
    if (!options_.kernel.empty()) return prepare_kernel_boot();
    if (!options_.bios.empty()) return prepare_bios_boot();
    if (firmware_.empty())
        throw core::config_error("no firmware: give --firmware ELF, or set /chosen socsim,firmware in the platform");
    cpu::elf_image image = cpu::read_elf(firmware_);
    auto in_ram = [&](core::address_range r) {
        return std::any_of(ram_ranges_.begin(), ram_ranges_.end(),
                           [&](const auto& bank) { return bank.first.contains(r.base, r.size); });
    };
    for (const auto& seg : image.segments)
        if (!in_ram({seg.paddr, seg.memsz}))
            throw core::config_error("firmware '" + firmware_ + "': segment [" + core::hex(seg.paddr) + ".." +
                                     core::hex(seg.paddr + seg.memsz - 1) + "] is not inside RAM");

    // The DTB goes at the base of the boot bank (the lowest RAM) when the image leaves room there
    // (where QEMU's virt puts it), else on the next 4 KiB boundary above the image.
    const uint64_t dtb_size = dt_.total_size();
    const core::address_range first_bank = boot_bank();
    core::address_range dtb{first_bank.base, dtb_size};
    bool clash = std::any_of(image.segments.begin(), image.segments.end(),
                             [&](const cpu::elf_segment& s) { return dtb.overlaps({s.paddr, s.memsz}); });
    if (clash) dtb.base = (image.highest_address() + 0xfff) & ~uint64_t{0xfff};
    if (!in_ram(dtb))
        throw core::config_error("firmware '" + firmware_ + "': no room in RAM for the " + core::human_size(dtb_size) +
                                 " device tree at " + core::hex(dtb.base));
    SOCSIM_LOG(log(), info, "firmware " << firmware_ << " entry " << core::hex(image.entry) << ", DTB at "
                                        << core::hex(dtb.base) << " (" << dtb_size << " bytes)");
    std::vector<uint8_t> blob(dt_.blob().begin(), dt_.blob().end());
    cpu_->set_boot(std::move(image), dtb.base, std::move(blob));
}

void platform::print_statistics(std::ostream& os) const {
    for (const instance& in : instances_)
        if (in.model.statistics) os << "socsim: stats: " << in.name << ": " << in.model.statistics() << "\n";
}

void platform::describe(std::ostream& os) const {
    auto model_string = dt_.string(0, "model");
    os << "platform: " << (model_string ? *model_string : dt_.name(0)) << "\n";
    os << "source:   " << dt_.source() << "\n\n";
    describe_memory_map(os);
    describe_models(os);
}

std::vector<platform::iommu_summary> platform::iommus() const {
    std::vector<iommu_summary> out;
    for (const instance& inst : instances_) {
        if (!inst.model.iommu_debug) continue;
        iommu_summary s{inst.name, inst.compatible, inst.model.iommu_debug, {}};
        for (const auto& master : instances_)
            if (std::find(master.dma_targets.begin(), master.dma_targets.end(), inst.name) != master.dma_targets.end())
                s.masters.push_back(master.name + (master.stream_id.empty()
                                                       ? (master.model.dma_outputs.empty() ? " (no stream id)"
                                                                                           : " (stream id from iommu-map)")
                                                       : " stream id " + master.stream_id));
        out.push_back(std::move(s));
    }
    return out;
}

void platform::describe_memory_map(std::ostream& os) const {
    os << "memory map:\n";
    for (const auto& m : router_->mappings()) {
        std::string what = "RAM";
        std::string extra;
        const auto owner = port_owner_.find(m.port);
        if (owner != port_owner_.end()) {
            const instance& inst = instances_[owner->second];
            what = inst.name + "  " + inst.compatible;
            for (const auto& r : irq_routes_)
                if (r.owner == inst.name && !r.controller.empty()) extra += (extra.empty() ? "  irq " : "; ") + r.input;
        }
        char range[64];
        std::snprintf(range, sizeof range, "0x%010llx-0x%010llx", static_cast<unsigned long long>(m.range.base),
                      static_cast<unsigned long long>(m.range.last()));
        os << "  " << range << "  " << std::setw(9) << std::right << core::human_size(m.range.size) << "  "
           << std::left << std::setw(24) << m.name << "  " << what << extra << "\n";
    }
}

void platform::describe_models(std::ostream& os) const {
    os << "\nmodels:\n";
    for (const auto& inst : instances_)
        os << "  " << std::left << std::setw(20) << inst.name << std::setw(26) << inst.compatible << inst.description
           << "\n";
    if (!irq_routes_.empty()) {
        // Each interrupt output: the controller input its DT specifier names (the controller's own
        // description), or why it goes nowhere.
        os << "\ninterrupt lines:\n";
        for (const auto& r : irq_routes_) {
            os << "  " << std::left << std::setw(20) << r.source << " -> ";
            if (r.controller.empty())
                os << "nothing (no interrupt in the DT for it: unconnected)";
            else
                os << r.controller << " " << r.input
                   << (!r.note.empty() ? "  (" + r.note + ")"
                       : r.connected   ? ""
                                       : "  (" + r.controller + " not modelled: unconnected)");
            os << "\n";
        }
    }
    bool any_dma = std::any_of(instances_.begin(), instances_.end(), [](const instance& i) { return i.model.dma; });
    if (any_dma) {
        os << "\nDMA masters:\n";
        for (const auto& inst : instances_)
            if (inst.model.dma)
                os << "  " << std::left << std::setw(20) << inst.name << "-> " << inst.dma_path
                   << (inst.stream_id.empty() ? "" : "  stream id " + inst.stream_id) << "\n";
    }
    for (const auto& inst : instances_) {
        if (inst.model.details.empty()) continue;
        os << "\n" << inst.name << " (" << inst.compatible << "):\n";
        for (const auto& line : inst.model.details) os << "  " << line << "\n";
        // An IOMMU's section also names the platform masters behind it, by stream.
        if (!inst.model.accept_dma) continue;
        for (const auto& master : instances_)
            if (master.model.dma &&
                std::find(master.dma_targets.begin(), master.dma_targets.end(), inst.name) != master.dma_targets.end())
                os << "  master " << master.name
                   << (master.stream_id.empty() ? " (no stream id)" : ": stream id " + master.stream_id) << "\n";
    }
    if (!unmodelled_.empty()) {
        os << "\nnot modelled (registers unmapped):\n";
        for (const auto& u : unmodelled_) os << "  " << u << "\n";
    }
}

} // namespace socsim::platform
