#include "platforms/host/serial_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "models/core/config_error.h"
#include "models/core/log.h"

namespace socsim::host {
namespace {

// The builder's module: users and tests know these lines as the platform's.
core::logger& log() {
    static core::logger l("platform");
    return l;
}

} // namespace

serial_backend::~serial_backend() {
    for (int fd : input_fds_) close(fd);
}

std::ostream& serial_backend::output(const std::string& path) {
    if (path.empty()) return std::cout;
    auto& file = files_[path];
    if (!file) {
        file = std::make_unique<std::ofstream>(path, std::ios::out | std::ios::trunc | std::ios::binary);
        if (!*file) throw core::config_error("cannot write output file '" + path + "'");
    }
    return *file;
}

std::function<int()> serial_backend::input(const std::string& path) {
    int fd = 0;
    if (path != "-") {
        fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw core::config_error("cannot read input file '" + path + "': " + std::strerror(errno));
        input_fds_.push_back(fd);
    }
    struct source {
        int fd;
        std::string name;
        bool ended = false;
    };
    auto src = std::make_shared<source>(source{fd, path == "-" ? "stdin" : path});
    return [src]() -> int {
        if (src->ended) return -1;
        pollfd p{src->fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) return -1;
        unsigned char c;
        ssize_t n = read(src->fd, &c, 1);
        if (n == 1) return c;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
        src->ended = true;
        SOCSIM_LOG(log(), info, "end of UART input from " << src->name << ": the line stays idle");
        return -1;
    };
}

} // namespace socsim::host
