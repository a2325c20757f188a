#pragma once
// The host side of the simulated UARTs (and of sim_control's putchar): where their characters go
// and where received ones come from. The UART models only see an std::ostream and a function
// that returns the next received byte; this room owns the host files, descriptors and polling
// behind them, as VCML keeps its serial backends (file, terminal, TCP) apart from its UART
// models.
//
// Output: the console (stdout) or a file, opened once (truncated) and shared by every UART that
// names it. Input: a file or "-" for stdin; a byte is returned only when one is ready now, so a
// terminal or pipe with nothing typed yet is polled, never waited on, and simulated time goes on
// (U-Boot's autoboot countdown, for one). At the end of the input the line stays idle (-1 for
// ever after), said once in the log.

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace socsim::host {

class serial_backend {
public:
    serial_backend() = default;
    serial_backend(const serial_backend&) = delete;
    serial_backend& operator=(const serial_backend&) = delete;
    ~serial_backend();  // closes the input files

    // The console when `path` is empty, else the file at `path`. Throws core::config_error when
    // the file cannot be written.
    std::ostream& output(const std::string& path);
    // A source of received characters from the file at `path`, or stdin for "-": the function
    // returns the next byte, or -1 when none is available now. Throws core::config_error when
    // the file cannot be read.
    std::function<int()> input(const std::string& path);

private:
    std::map<std::string, std::unique_ptr<std::ostream>> files_;
    std::vector<int> input_fds_;
};

} // namespace socsim::host
