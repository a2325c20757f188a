#pragma once
// A platform built from a Device Tree: the router, RAM from `/memory` nodes (every node whose
// device_type is "memory", and every `reg` entry of each: one RAM model per bank), a CPU from the
// `/cpus` node, and one model per node whose `compatible` is in the model registry, each mapped
// at its translated `reg` ranges. Nodes with `status` other than "okay" are skipped; a node whose
// compatible has no model, or that has `reg` but no `compatible` (outside /reserved-memory), is
// listed once as a warning (an error with `strict`). `iommus` naming a stream id or master index
// its IOMMU does not have (or an `iommu-map` reaching past them), `reg` entries of size 0 or
// overlapping each other are errors.
//
// Simulator knobs live in the tree as `socsim,` properties; `-c node.property=value` overrides
// set them (or any property) before the platform is built.

#include "models/cpu/cluster.h"
#include <map>
#include <optional>
#include <memory>
#include <set>
#include <ostream>
#include <string>
#include <vector>

#include "models/core/address_range.h"
#include "platforms/builder/device_tree.h"
#include "platforms/builder/interrupt_wiring.h"
#include "platforms/builder/model_registry.h"
#include "platforms/host/serial_backend.h"

namespace socsim::bus {
class router;
}
namespace socsim::memory {
class ram;
class coherence_tracker;
}

namespace socsim::platform {

struct platform_options {
    bool strict = false;
    std::vector<std::string> overrides;  // "node.property=value"
    std::string firmware;                // empty: /chosen socsim,firmware
    std::string bios;                    // a raw image for the memory at 0x0 (excludes firmware)
    // Linux's arm64 boot protocol (excludes firmware and bios): the Image, an initramfs, and the
    // command line for /chosen/bootargs.
    std::string kernel;
    std::string initrd;
    std::optional<std::string> append;
};

class platform : public platform_io {
public:
    platform(device_tree dt, platform_options options);
    ~platform() override;

    // Reads and checks the firmware ELF, places it and the DTB in RAM and points the CPU at it.
    // With a BIOS image instead: loads it at 0x0 (into the ROM mapped there), the DTB at the base
    // of RAM, and starts the CPU at 0x0 with x0 = the DTB, as QEMU's virt does with -bios.
    // "RAM" for the DTB, the kernel and the initrd is the boot bank: the RAM bank at the lowest
    // address, whatever the order of the banks in the DT (the firmware build's layout,
    // cmake/platform_layout.cmake, picks the same bank). Throws core::config_error.
    void prepare_boot();
    // The bank boot uses (lowest address), and every RAM bank sorted by address.
    core::address_range boot_bank() const;
    std::vector<core::address_range> ram_banks() const;
    // The memory map, models, interrupt lines and unmodelled nodes, for `socsim info`.
    void describe(std::ostream& os) const;
    // Its first part: the memory map with sizes and the model at each range.
    void describe_memory_map(std::ostream& os) const;
    // Every IOMMU, with the DMA masters wired to it (for a debugger's monitor commands).
    struct iommu_summary {
        std::string name, compatible;
        iommu::debug_view* view = nullptr;
        std::vector<std::string> masters;  // "scanout stream id 0x0"
    };
    std::vector<iommu_summary> iommus() const;
    // One line per model that keeps counters (the IOMMUs), "socsim: stats: <model>: ...", for
    // `socsim run --stats`.
    void print_statistics(std::ostream& os) const;

    // The boot core (the first `cpu` node), and every core in DT order.
    cpu::arm64_cpu* cpu() const { return cpu_; }
    const cpu::cluster& cores() const { return *cluster_; }
    const device_tree& tree() const { return dt_; }

    std::ostream& output(const std::string& path) override;
    std::function<int()> input(const std::string& path) override;
    const std::string& firmware_path() const override { return firmware_; }

private:
    struct instance {
        std::string path;
        std::string name;         // sc_module name
        std::string compatible;   // the one that matched
        std::string description;  // from the registry
        std::vector<core::address_range> regs;
        std::string dma_path;     // the IOMMU(s) its DMA goes through, or the bus, for `info`
        std::vector<std::string> dma_targets;  // the IOMMU instances its DMA outputs are bound to
        std::string stream_id;    // from `iommus`, for `info`
        built_model model;
    };

    void prepare_bios_boot();
    void prepare_kernel_boot();
    void enable_console_uart();
    void apply_overrides();
    void apply_override(const std::string& spec);
    void build();
    void visit(int node);
    bool in_reserved_memory(int node) const;
    void wire_dma();
    // `how` says where the stream id comes from ("'iommus' names"), for the message.
    void check_stream(const instance& master, uint32_t iommu_phandle, uint64_t stream, const std::string& how) const;
    void connect_dma_debug();
    sc_core::sc_time ram_latency(int node) const;
    void add_memory(int node);
    void check_reg(int node, const std::vector<core::address_range>& regs) const;
    // Maps a range on the bus; an overlap with another node is an error naming the platform.
    void map(unsigned port, const core::address_range& range, const std::string& name);
    void add_model(int node, const model_entry& entry, const std::string& compatible);
    std::string instance_name(int node);
    bool name_taken(const std::string& name) const;
    // `-c` also takes the names `socsim info` shows ("pcie_edu"): the names a node's model could
    // be given, and the nodes that could be given `name`.
    std::vector<std::string> possible_instance_names(int node) const;
    std::vector<int> nodes_with_instance_name(const std::string& name) const;
    void wire_irqs();
    void describe_models(std::ostream& os) const;

    device_tree dt_;
    platform_options options_;
    std::string firmware_;
    // Before the models: it outlives every model that holds a pointer to it.
    std::unique_ptr<memory::coherence_tracker> coherence_;
    std::unique_ptr<bus::router> router_;
    std::vector<std::unique_ptr<memory::ram>> rams_;
    std::vector<std::pair<core::address_range, std::string>> ram_ranges_;  // range, node path
    std::vector<instance> instances_;
    std::map<unsigned, size_t> port_owner_;    // bus port -> its model in instances_ (RAM ports: none)
    std::vector<interrupt_route> irq_routes_;  // every interrupt output, for `info`
    std::vector<std::string> unmodelled_;
    std::set<std::string> used_names_;
    host::serial_backend serial_;  // the UARTs' files and stdin
    cpu::arm64_cpu* cpu_ = nullptr;
    std::unique_ptr<cpu::cluster> cluster_ = std::make_unique<cpu::cluster>();
    std::vector<std::string> core_names_;  // sc_module names, by core index
};

} // namespace socsim::platform
