#include "pigeon/net/stream.hpp"

#include "pigeon/net/error.hpp"

namespace pigeon::net {

void stream::start_tls(const tls_options&, std::error_code& ec) { ec = errc::tls_unsupported; }

bool stream::wait_readable(std::chrono::milliseconds, std::error_code& ec) {
    ec.clear();
    return true;
}

} // namespace pigeon::net
