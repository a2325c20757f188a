#include "platforms/builder/model_registry.h"

#include "platforms/builder/factories/factory_support.h"

namespace socsim::platform {

namespace {

std::vector<model_entry>& registry_entries() {
    static std::vector<model_entry> registry = [] {
        std::vector<model_entry> all;
        for (auto area : {core_factories, pcie_factories, smmuv3_factories, dart_factories, sun50i_factories,
                          device_factories, irq_factories}) {
            auto entries = area();
            all.insert(all.end(), entries.begin(), entries.end());
        }
        return all;
    }();
    return registry;
}

} // namespace

const std::vector<model_entry>& model_registry() { return registry_entries(); }

void add_model_entry(model_entry entry) { registry_entries().push_back(std::move(entry)); }

const model_entry* find_model(const std::vector<std::string>& compatible) {
    for (const std::string& c : compatible)
        for (const model_entry& e : model_registry())
            for (const std::string& mine : e.compatibles)
                if (c == mine) return &e;
    return nullptr;
}

} // namespace socsim::platform
