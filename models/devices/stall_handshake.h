#pragma once
// The RESUME / ABORT handshake of a DMA master that stalls on a failed DMA (the capture and the
// video decoders): an IOMMU that stalls a faulting master, as the H6's does, leaves the decision
// to software. Software writes RESUME or ABORT to CONTROL (`request`); the device's thread,
// stalled, waits for that answer (`wait_for_answer`). A request while the device is not stalled
// is ignored with a warning.

#include <cstdint>
#include <systemc>

#include "models/core/log.h"

namespace socsim::devices {

class stall_handshake {
public:
    enum class answer : uint8_t { resume, abort };

    // From a CONTROL write with RESUME or ABORT (`abort`: ABORT, which wins when both are set).
    // False, with a warning, when the device is not stalled.
    bool request(bool abort, bool stalled, core::logger& log) {
        if (!stalled) {
            log.warning(std::string(abort ? "ABORT" : "RESUME") + " while not stalled: ignored");
            return false;
        }
        (abort ? abort_ : resume_) = true;
        answered_.notify(sc_core::SC_ZERO_TIME);
        return true;
    }

    // From the device's thread, right after it stalled (before it yields).
    answer wait_for_answer() {
        resume_ = abort_ = false;
        while (!resume_ && !abort_) sc_core::wait(answered_);
        return abort_ ? answer::abort : answer::resume;
    }

private:
    sc_core::sc_event answered_;
    bool resume_ = false, abort_ = false;
};

} // namespace socsim::devices
