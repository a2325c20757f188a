// Fuzz harness: the platform builder (platforms/builder) on device tree blobs from the fuzzer:
// libfdt's checks, then every factory, the address map, interrupt and DMA wiring, the IOMMU
// stream checks, and `socsim info`'s description of what was built. A malformed tree must give a
// core::config_error; anything else (a crash, a sanitizer report, another exception, a hang) is a
// finding. Seeds: the shipped platforms compiled with dtc (scripts/fuzz adds them) and a minimal
// tree written here.
//
// The builder opens host files that properties name (a UART's socsim,output is truncated, an
// NVMe socsim,disk-image is created): those properties are removed before the build, so that no
// input can touch the host's files. Host I/O is not what this harness tests.
#include <libfdt.h>

#include <ostream>

#include "models/core/config_error.h"
#include "platforms/builder/device_tree.h"
#include "platforms/builder/platform.h"
#include "tests/fuzz/rig.h"

using namespace socsim;

namespace {

const char* const host_file_properties[] = {"socsim,output", "socsim,input", "socsim,png-output", "socsim,disk-image",
                                            "socsim,firmware"};

// Deletes every host-file property; false if libfdt cannot walk the blob.
bool without_host_files(std::vector<char>& blob) {
    for (bool again = true; again;) {
        again = false;
        for (int node = 0; node >= 0 && !again; node = fdt_next_node(blob.data(), node, nullptr))
            for (const char* prop : host_file_properties)
                if (fdt_getprop(blob.data(), node, prop, nullptr)) {
                    if (fdt_delprop(blob.data(), node, prop) != 0) return false;
                    again = true;  // offsets after it moved: walk again
                    break;
                }
    }
    return true;
}

// A tree with memory, a CPU, a GIC, a UART and an SMMUv3 with a DMA engine behind it.
std::vector<uint8_t> minimal_tree() {
    std::vector<char> blob(8192);
    char* fdt = blob.data();
    fdt_create(fdt, static_cast<int>(blob.size()));
    fdt_finish_reservemap(fdt);
    fdt_begin_node(fdt, "");
    fdt_property_u32(fdt, "#address-cells", 2);
    fdt_property_u32(fdt, "#size-cells", 2);
    fdt_property_u32(fdt, "interrupt-parent", 1);
    fdt_property_string(fdt, "compatible", "linux,dummy-virt");
    fdt_begin_node(fdt, "memory@40000000");
    fdt_property_string(fdt, "device_type", "memory");
    const uint32_t mem[] = {0, cpu_to_fdt32(0x40000000), 0, cpu_to_fdt32(0x08000000)};
    fdt_property(fdt, "reg", mem, sizeof mem);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "cpus");
    fdt_property_u32(fdt, "#address-cells", 1);
    fdt_property_u32(fdt, "#size-cells", 0);
    fdt_begin_node(fdt, "cpu@0");
    fdt_property_string(fdt, "device_type", "cpu");
    fdt_property_string(fdt, "compatible", "arm,cortex-a57");
    fdt_property_u32(fdt, "reg", 0);
    fdt_end_node(fdt);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "intc@8000000");
    fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic");
    fdt_property_u32(fdt, "#interrupt-cells", 3);
    fdt_property(fdt, "interrupt-controller", nullptr, 0);
    const uint32_t gic[] = {0, cpu_to_fdt32(0x08000000), 0, cpu_to_fdt32(0x10000),
                            0, cpu_to_fdt32(0x08010000), 0, cpu_to_fdt32(0x10000)};
    fdt_property(fdt, "reg", gic, sizeof gic);
    fdt_property_u32(fdt, "phandle", 1);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "pl011@9000000");
    fdt_property_string(fdt, "compatible", "arm,pl011");
    const uint32_t uart[] = {0, cpu_to_fdt32(0x09000000), 0, cpu_to_fdt32(0x1000)};
    fdt_property(fdt, "reg", uart, sizeof uart);
    const uint32_t uart_irq[] = {0, cpu_to_fdt32(1), cpu_to_fdt32(4)};
    fdt_property(fdt, "interrupts", uart_irq, sizeof uart_irq);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "smmuv3@9050000");
    fdt_property_string(fdt, "compatible", "arm,smmu-v3");
    const uint32_t smmu[] = {0, cpu_to_fdt32(0x09050000), 0, cpu_to_fdt32(0x20000)};
    fdt_property(fdt, "reg", smmu, sizeof smmu);
    fdt_property_u32(fdt, "#iommu-cells", 1);
    fdt_property_u32(fdt, "phandle", 2);
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "dma@9100000");
    fdt_property_string(fdt, "compatible", "socsim,dma-engine");
    const uint32_t dma[] = {0, cpu_to_fdt32(0x09100000), 0, cpu_to_fdt32(0x1000)};
    fdt_property(fdt, "reg", dma, sizeof dma);
    const uint32_t iommus[] = {cpu_to_fdt32(2), cpu_to_fdt32(3)};
    fdt_property(fdt, "iommus", iommus, sizeof iommus);
    fdt_end_node(fdt);
    fdt_end_node(fdt);
    fdt_finish(fdt);
    return std::vector<uint8_t>(blob.begin(), blob.begin() + fdt_totalsize(fdt));
}

std::ostream discard(nullptr);

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::initialize([] { return std::vector<std::vector<uint8_t>>{minimal_tree()}; });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<char> blob(data, data + size);
    try {
        platform::device_tree checked(blob, "fuzz.dtb");  // libfdt's checks first
        blob = checked.blob();
    } catch (const core::config_error&) {
        return 0;
    }
    if (!without_host_files(blob)) return 0;
    fuzz::fresh_simulation sim;
    try {
        platform::platform p(platform::device_tree(blob, "fuzz.dtb"), platform::platform_options{});
        p.describe(discard);
    } catch (const core::config_error&) {
    }
    return 0;
}
