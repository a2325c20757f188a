#include "platforms/builder/interrupt_wiring.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "models/core/address_range.h"
#include "models/core/config_error.h"
#include "models/core/log.h"
#include "models/cpu/arm64_cpu.h"
#include "models/irq/interrupt_controller.h"

namespace socsim::platform {
namespace {

core::logger& log() {
    static core::logger l("platform");
    return l;
}

std::string cells_text(const std::vector<uint32_t>& c) {
    std::string s = "<";
    for (size_t i = 0; i < c.size(); ++i) s += (i ? " " : "") + core::hex(c[i]);
    return s + ">";
}

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
    return s;
}

// The generic timer's outputs in the order of the arm,arch_timer binding.
const std::vector<std::string> timer_names = {"sec-phys", "phys", "virt", "hyp-phys", "hyp-virt"};

core::irq_line* timer_output(cpu::arm64_cpu& core, const std::string& name) {
    if (name == "sec-phys") return &core.timer_secure_irq;
    if (name == "phys") return &core.timer_phys_irq;
    if (name == "virt") return &core.timer_virt_irq;
    if (name == "hyp-phys") return &core.timer_hyp_irq;
    return nullptr;  // hyp-virt: the CPU model has no EL2 virtual timer
}

std::string trigger_text(uint32_t flags) {
    switch (flags & 0xf) {
    case 1: return "edge rising";
    case 2: return "edge falling";
    case 3: return "edge both";
    case 4: return "level high";
    case 8: return "level low";
    default: return "trigger " + core::hex(flags & 0xf);
    }
}

bool has_compatible(const device_tree& dt, int node, const std::string& prefix, const std::string& part) {
    for (const auto& c : dt.strings(node, "compatible"))
        if (c.rfind(prefix, 0) == 0 && c.find(part) != std::string::npos) return true;
    return false;
}

// What a specifier names at a controller that has no model (so no describe()): the Arm GIC and
// Apple AIC bindings are read here for `socsim info`; anything else is shown as its cells.
std::string describe_unmodelled(const device_tree& dt, int controller, const std::vector<uint32_t>& s) {
    if (has_compatible(dt, controller, "arm,", "gic") && s.size() == 3 && s[0] <= 1) {
        std::string text = (s[0] == 0 ? "SPI " : "PPI ") + std::to_string(s[1]) + ", " + trigger_text(s[2]);
        if (s[0] == 1 && (s[2] >> 8 & 0xff)) text += ", cpu mask " + core::hex(s[2] >> 8 & 0xff);
        return text;
    }
    if (has_compatible(dt, controller, "apple,", "aic") && (s.size() == 3 || s.size() == 4) && s[0] <= 1) {
        std::string text = (s[0] == 0 ? "IRQ " : "FIQ ") + std::to_string(s[s.size() - 2]);
        if (s.size() == 4) text += " (die " + std::to_string(s[1]) + ")";
        return text + ", " + trigger_text(s.back());
    }
    return cells_text(s);
}

class wiring {
public:
    wiring(const device_tree& dt, const std::vector<wiring_model>& models, const std::vector<wiring_core>& cores)
        : dt_(dt), models_(models), cores_(cores) {}

    std::vector<interrupt_route> run() {
        for (const wiring_model& m : models_) {
            wire_model(m);
            wire_pci(m);
        }
        find_timers(0);
        wire_cores();
        warn_unconnected();
        return std::move(routes_);
    }

private:
    // Where one specifier ends up: a controller node and the specifier in its terms.
    struct target {
        int controller;
        std::vector<uint32_t> spec;
    };

    bool has_cells(int node) const { return dt_.has(node, "#interrupt-cells"); }

    // of_irq_find_parent: `interrupt-parent`, else the parent node, until one has #interrupt-cells.
    int interrupt_parent(int node) const {
        for (int child = node, depth = 0; depth < 64; ++depth) {
            auto phandle = dt_.cells(child, "interrupt-parent");
            if (!phandle.empty()) {
                int p = dt_.by_phandle(phandle[0]);
                if (p < 0) dt_.fail(child, "interrupt-parent " + core::hex(phandle[0]) + " names no node");
                if (!has_cells(p))
                    dt_.fail(child, "interrupt-parent " + dt_.path(p) +
                                    " is not an interrupt controller (it has no #interrupt-cells)");
                return p;
            }
            int p = dt_.parent(child);
            if (p < 0) return -1;
            if (has_cells(p)) return p;
            child = p;
        }
        dt_.fail(node, "interrupt-parent chain too long");
    }

    // #address-cells of a nexus for the child unit address (searched upwards, default 2, as Linux).
    unsigned nexus_address_cells(int nexus) const {
        for (int n = nexus; n >= 0; n = dt_.parent(n)) {
            auto c = dt_.cells(n, "#address-cells");
            if (!c.empty()) return c[0];
        }
        return 2;
    }

    // Follows `spec` from `parent` through interrupt-map nexuses to a controller. `unit` is the
    // child's unit address (its `reg` cells); `who` names the child in messages.
    target resolve(int node, int parent, std::vector<uint32_t> spec, std::vector<uint32_t> unit,
                   const std::string& who) const {
        for (int depth = 0; depth < 16; ++depth) {
            if (!has_cells(parent))
                dt_.fail(node, "interrupt parent " + dt_.path(parent) +
                               " is not an interrupt controller (it has no #interrupt-cells)");
            const unsigned cells = dt_.interrupt_cells(parent);
            if (spec.size() != cells)
                dt_.fail(node, "interrupt specifier " + cells_text(spec) + " has " + std::to_string(spec.size()) +
                               " cells, but " + dt_.path(parent) + " has #interrupt-cells = " + std::to_string(cells));
            if (dt_.has(parent, "interrupt-controller")) return {parent, spec};
            if (!dt_.has(parent, "interrupt-map"))
                dt_.fail(node, "interrupt parent " + dt_.path(parent) +
                               " is not an interrupt controller (neither interrupt-controller nor interrupt-map)");

            // A nexus: match (unit address, specifier) & mask against each entry.
            const unsigned ac = nexus_address_cells(parent);
            unit.resize(ac, 0);
            std::vector<uint32_t> key = unit;
            key.insert(key.end(), spec.begin(), spec.end());
            std::vector<uint32_t> mask = dt_.cells(parent, "interrupt-map-mask");
            if (mask.empty()) mask.assign(key.size(), 0xffffffff);
            if (mask.size() != key.size())
                dt_.fail(parent, "interrupt-map-mask has " + std::to_string(mask.size()) + " cells, expected " +
                                 std::to_string(key.size()) + " (#address-cells + #interrupt-cells)");
            const std::vector<uint32_t> map = dt_.cells(parent, "interrupt-map");
            bool found = false;
            for (size_t i = 0; i < map.size();) {
                if (i + key.size() + 1 > map.size()) dt_.fail(parent, "interrupt-map ends in the middle of an entry");
                bool match = true;
                for (size_t k = 0; k < key.size(); ++k) match = match && ((map[i + k] ^ key[k]) & mask[k]) == 0;
                const uint32_t phandle = map[i + key.size()];
                const int next = dt_.by_phandle(phandle);
                if (next < 0) dt_.fail(parent, "interrupt-map names phandle " + core::hex(phandle) + ", which is no node");
                if (!has_cells(next))
                    dt_.fail(parent, "interrupt-map names " + dt_.path(next) +
                                     ", which is not an interrupt controller (it has no #interrupt-cells)");
                auto pac_cells = dt_.cells(next, "#address-cells");
                const size_t pac = pac_cells.empty() ? 0 : pac_cells[0];
                const size_t pic = dt_.interrupt_cells(next);
                const size_t start = i + key.size() + 1;
                if (start + pac + pic > map.size()) dt_.fail(parent, "interrupt-map ends in the middle of an entry");
                if (match) {
                    unit.assign(map.begin() + start, map.begin() + start + pac);
                    spec.assign(map.begin() + start + pac, map.begin() + start + pac + pic);
                    parent = next;
                    found = true;
                    break;
                }
                i = start + pac + pic;
            }
            if (!found)
                dt_.fail(parent, "no interrupt-map entry for " + who + " (unit address " + cells_text(unit) +
                                 ", specifier " + cells_text(spec) + ", interrupt-map-mask " + cells_text(mask) + ")");
        }
        dt_.fail(node, "interrupt-map chain too long (a loop?)");
    }

    // The node's interrupts (`interrupts-extended`, else `interrupts`), resolved to controllers.
    std::vector<target> entries(int node) const {
        std::vector<target> out;
        std::vector<uint32_t> unit = dt_.cells(node, "reg");
        const std::string who = dt_.path(node);
        if (dt_.has(node, "interrupts-extended")) {
            const auto c = dt_.cells(node, "interrupts-extended");
            for (size_t i = 0; i < c.size();) {
                const int p = dt_.by_phandle(c[i]);
                if (p < 0) dt_.fail(node, "interrupts-extended names phandle " + core::hex(c[i]) + ", which is no node");
                if (!has_cells(p))
                    dt_.fail(node, "interrupts-extended names " + dt_.path(p) +
                                   ", which is not an interrupt controller (it has no #interrupt-cells)");
                const size_t n = dt_.interrupt_cells(p);
                if (i + 1 + n > c.size())
                    dt_.fail(node, "interrupts-extended: the entry for " + dt_.path(p) + " has fewer than its #interrupt-cells (" +
                                   std::to_string(n) + ") cells");
                out.push_back(resolve(node, p, {c.begin() + i + 1, c.begin() + i + 1 + n}, unit, who));
                i += 1 + n;
            }
            return out;
        }
        const auto c = dt_.cells(node, "interrupts");
        if (c.empty()) return out;
        const int p = interrupt_parent(node);
        if (p < 0) dt_.fail(node, "has 'interrupts' but no interrupt parent (no interrupt-parent on it or above it)");
        const size_t n = dt_.interrupt_cells(p);
        if (n == 0 || c.size() % n != 0)
            dt_.fail(node, "'interrupts' has " + std::to_string(c.size()) + " cells, not a multiple of #interrupt-cells (" +
                           std::to_string(n) + ") of its interrupt parent " + dt_.path(p));
        for (size_t i = 0; i < c.size(); i += n) out.push_back(resolve(node, p, {c.begin() + i, c.begin() + i + n}, unit, who));
        return out;
    }

    const wiring_model* model_at(int node) const {
        const std::string path = dt_.path(node);
        for (const wiring_model& m : models_)
            if (m.path == path) return &m;
        return nullptr;
    }

    std::string controller_name(int controller) const {
        if (const wiring_model* m = model_at(controller)) return m->name;
        std::string label = dt_.label(controller);
        if (!label.empty()) return label;
        std::string name = dt_.name(controller);
        return name.substr(0, name.find('@'));
    }

    // `core_index` >= 0: the source belongs to that core (its timer) and goes to its banked input.
    void connect(const target& t, core::irq_line& line, const std::string& owner, const std::string& source,
                 const std::string& who, int core_index = -1) {
        interrupt_route r;
        r.owner = owner;
        r.source = source;
        r.controller = controller_name(t.controller);
        const wiring_model* cm = model_at(t.controller);
        irq::interrupt_controller* ic = cm ? cm->model->interrupt_controller : nullptr;
        if (!ic) {
            r.input = describe_unmodelled(dt_, t.controller, t.spec);
            auto& owners = unconnected_[t.controller];
            if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
            routes_.push_back(r);
            return;
        }
        if (ic->interrupt_cells() != t.spec.size())
            dt_.fail(t.controller, "#interrupt-cells is " + std::to_string(t.spec.size()) + ", but its model takes " +
                                   std::to_string(ic->interrupt_cells()) + " cells");
        try {
            if (core_index >= 0)
                ic->connect_for_core(static_cast<unsigned>(core_index), t.spec, line, who);
            else
                ic->connect(t.spec, line, who);
        } catch (const core::config_error& e) {
            dt_.fail(who + ": " + e.what());
        }
        r.input = ic->describe(t.spec);
        r.connected = true;
        routes_.push_back(r);
    }

    void unwired(const std::string& owner, const std::string& source) {
        interrupt_route r;
        r.owner = owner;
        r.source = source;
        routes_.push_back(r);
    }

    void wire_model(const wiring_model& m) {
        const int node = dt_.find(m.path);
        std::vector<std::pair<std::string, core::irq_line*>> lines = m.model->irq_lines;
        const bool named = !lines.empty();
        if (!named && m.model->irq) lines.push_back({"", m.model->irq});
        const bool described = dt_.has(node, "interrupts") || dt_.has(node, "interrupts-extended");
        if (lines.empty()) {
            if (described) {
                // Nothing to wire, but the property is still checked: a malformed specifier (the
                // wrong cell count for the parent's #interrupt-cells) is an error on every node.
                entries(node);
                SOCSIM_LOG(log(), debug, m.path << " has interrupts, but its model has no interrupt output");
            }
            return;
        }
        auto source_of = [&](size_t k) { return m.name + (lines[k].first.empty() ? "" : " " + lines[k].first); };
        if (!described) {
            for (size_t k = 0; k < lines.size(); ++k) unwired(m.name, source_of(k));
            return;
        }
        const std::vector<target> targets = entries(node);
        const std::vector<std::string> names = dt_.strings(node, "interrupt-names");
        if (!names.empty() && names.size() != targets.size())
            dt_.fail(node, "'interrupt-names' has " + std::to_string(names.size()) + " names for " +
                           std::to_string(targets.size()) + " interrupts");
        std::vector<std::string> model_names;
        for (const auto& l : lines) model_names.push_back(l.first);
        std::vector<bool> used(lines.size(), false);
        for (size_t i = 0; i < targets.size(); ++i) {
            size_t k = i;
            if (named && !names.empty()) {
                auto it = std::find(model_names.begin(), model_names.end(), names[i]);
                if (it == model_names.end())
                    dt_.fail(node, "interrupt-names \"" + names[i] + "\": the model has no output of that name (it has " +
                                   join(model_names) + ")");
                k = static_cast<size_t>(it - model_names.begin());
            } else if (k >= lines.size()) {
                dt_.fail(node, "has " + std::to_string(targets.size()) + " interrupts, but its model has " +
                               std::to_string(lines.size()) + " interrupt output" + (lines.size() == 1 ? "" : "s") +
                               (named ? " (" + join(model_names) + ")" : ""));
            }
            if (used[k]) dt_.fail(node, "interrupt-names names \"" + names[i] + "\" twice");
            used[k] = true;
            const std::string who = m.path + (names.empty() ? "" : " " + names[i]);
            connect(targets[i], *lines[k].second, m.name, source_of(k), who);
        }
        for (size_t k = 0; k < lines.size(); ++k)
            if (!used[k]) unwired(m.name, source_of(k));
    }

    void wire_pci(const wiring_model& m) {
        if (m.model->pci_functions.empty()) return;
        const int node = dt_.find(m.path);
        for (const auto& f : m.model->pci_functions) {
            if (f.pin < 1 || f.pin > 4 || !f.intx) continue;
            char bdf[16];
            std::snprintf(bdf, sizeof bdf, "%02x:%02x.%x", f.bus & 0xff, (f.devfn >> 3) & 0x1f, f.devfn & 7);
            const std::string pin = std::string("INT") + static_cast<char>('A' + f.pin - 1);
            const std::string who = std::string("PCI function ") + bdf + " " + pin;
            // A bridge node that describes no INTx routing at all leaves the pins unconnected (as a
            // model whose node has no `interrupts`); one with an interrupt-map must cover every pin.
            if (!dt_.has(node, "interrupt-map") && !dt_.has(node, "interrupt-controller")) {
                unwired(f.name, f.name + " " + pin);
                continue;
            }
            const target t = resolve(node, node, {f.pin}, {f.bus << 16 | f.devfn << 8, 0, 0}, who);
            connect(t, *f.intx, f.name, f.name + " " + pin, m.path + " " + bdf + " " + pin);
        }
    }

    void find_timers(int node) {
        if (node != 0 && !dt_.enabled(node)) return;
        const auto compat = dt_.strings(node, "compatible");
        if (node != 0 && (std::find(compat.begin(), compat.end(), "arm,armv8-timer") != compat.end() ||
                          std::find(compat.begin(), compat.end(), "arm,armv7-timer") != compat.end())) {
            wire_timer(node);
            return;
        }
        for (int child : dt_.children(node)) find_timers(child);
    }

    void wire_timer(int node) {
        const std::vector<target> targets = entries(node);
        const std::vector<std::string> names = dt_.strings(node, "interrupt-names");
        if (!names.empty() && names.size() != targets.size())
            dt_.fail(node, "'interrupt-names' has " + std::to_string(names.size()) + " names for " +
                           std::to_string(targets.size()) + " interrupts");
        if (names.empty() && targets.size() > timer_names.size())
            dt_.fail(node, "has " + std::to_string(targets.size()) + " interrupts; the generic timer has " +
                           std::to_string(timer_names.size()) + " (" + join(timer_names) + ")");
        for (size_t i = 0; i < targets.size(); ++i) {
            const std::string name = names.empty() ? timer_names[i] : names[i];
            if (std::find(timer_names.begin(), timer_names.end(), name) == timer_names.end())
                dt_.fail(node, "interrupt-names \"" + name + "\": the generic timer has no output of that name (it has " +
                               join(timer_names) + ")");
            for (size_t k = 0; k < cores_.size(); ++k) {
                const wiring_core& core = cores_[k];
                core::irq_line* line = timer_output(*core.cpu, name);
                const std::string source = core.name + " timer " + name;
                if (!line) {
                    SOCSIM_LOG(log(), info, dt_.path(node) << " " << name << ": the CPU model has no EL2 virtual timer; "
                                                           << "the line stays unconnected");
                    interrupt_route r;
                    r.owner = core.name;
                    r.source = source;
                    r.controller = controller_name(targets[i].controller);
                    const wiring_model* cm = model_at(targets[i].controller);
                    r.input = cm && cm->model->interrupt_controller
                                  ? cm->model->interrupt_controller->describe(targets[i].spec)
                                  : describe_unmodelled(dt_, targets[i].controller, targets[i].spec);
                    r.note = "the CPU model has no EL2 virtual timer: unconnected";
                    routes_.push_back(r);
                    continue;
                }
                connect(targets[i], *line, core.name, source, dt_.path(node) + " " + name + " (" + core.name + ")",
                        static_cast<int>(k));
            }
        }
    }

    // A controller whose own interrupts (a GIC's maintenance interrupt) go to itself, or that has
    // none, is the root: it drives the cores. One with a parent elsewhere is cascaded.
    bool is_root(int node) const {
        if (dt_.has(node, "interrupts-extended")) {
            auto c = dt_.cells(node, "interrupts-extended");
            return c.empty() || dt_.by_phandle(c[0]) == node;
        }
        if (!dt_.has(node, "interrupts")) return true;
        const int p = interrupt_parent(node);
        return p < 0 || p == node;
    }

    // Root controllers (see is_root) drive the cores' IRQ and FIQ inputs.
    void wire_cores() {
        const wiring_model* root = nullptr;
        for (const wiring_model& m : models_) {
            if (!m.model->interrupt_controller) continue;
            const int node = dt_.find(m.path);
            if (!is_root(node)) continue;
            if (root)
                dt_.fail(node, "two interrupt controllers without an interrupt parent (" + root->path + " and " + m.path +
                               ") would both drive the cores' IRQ inputs");
            root = &m;
        }
        if (!root) return;
        irq::interrupt_controller* ic = root->model->interrupt_controller;
        for (unsigned i = 0; i < cores_.size(); ++i) {
            cpu::arm64_cpu* core = cores_[i].cpu;
            ic->cpu_irq(i).on_change([core](bool level) { core->set_irq(level); });
            ic->cpu_fiq(i).on_change([core](bool level) { core->set_fiq(level); });
            interrupt_route r;
            r.owner = root->name;
            r.source = root->name + " IRQ, FIQ";
            r.controller = cores_[i].name;
            r.input = "core " + std::to_string(i) + " IRQ, FIQ inputs";
            r.connected = true;
            routes_.push_back(r);
        }
    }

    void warn_unconnected() {
        for (const auto& [controller, owners] : unconnected_) {
            std::string why = !dt_.enabled(controller) ? "is disabled"
                              : model_at(controller)   ? "has a model that is not an interrupt controller"
                                                       : "has no model";
            log().warning("interrupt controller " + dt_.describe(controller) + " " + why + ": the interrupt lines of " +
                          join(owners) + " to it stay unconnected");
        }
    }

    const device_tree& dt_;
    const std::vector<wiring_model>& models_;
    const std::vector<wiring_core>& cores_;
    std::vector<interrupt_route> routes_;
    std::map<int, std::vector<std::string>> unconnected_;  // controller node -> owners of its lines
};

} // namespace

std::vector<interrupt_route> wire_interrupts(const device_tree& dt, const std::vector<wiring_model>& models,
                                             const std::vector<wiring_core>& cores) {
    return wiring(dt, models, cores).run();
}

} // namespace socsim::platform
