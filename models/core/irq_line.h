#pragma once
// An interrupt output: a level that listeners (an interrupt controller, a CPU, a test) observe.
// Plain C++ rather than sc_signal so that a line may stay unconnected when the platform has no
// interrupt controller for it; the builder records the DT `interrupts` specifier for `info`.

#include <functional>
#include <vector>

namespace socsim::core {

class irq_line {
public:
    void set(bool level) {
        if (level == level_) return;
        level_ = level;
        for (auto& listener : listeners_) listener(level);
    }
    bool level() const { return level_; }
    void on_change(std::function<void(bool)> listener) { listeners_.push_back(std::move(listener)); }

private:
    bool level_ = false;
    std::vector<std::function<void(bool)>> listeners_;
};

} // namespace socsim::core
