#include "wait.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "pigeon/net/error.hpp"

namespace pigeon::net::detail {

int remaining_ms(clock::time_point deadline) noexcept {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return 0;
    return left > 1000000000 ? 1000000000 : static_cast<int>(left);
}

bool wait_fd(int fd, short events, clock::time_point deadline, std::error_code& ec) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) return true;
        if (r == 0) {
            ec = errc::timeout;
            return false;
        }
        if (errno != EINTR) {
            ec = errc::io_error;
            return false;
        }
    }
}

void quick_ack(int fd) noexcept {
#ifdef TCP_QUICKACK
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#else
    (void)fd;
#endif
}

} // namespace pigeon::net::detail
