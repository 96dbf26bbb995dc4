#include "pigeon/net/pin.hpp"

#include "detail/tls_context.hpp"

namespace pigeon::net {

bool parse_certificate_pin(const std::string& pin, std::vector<unsigned char>& out) {
    return detail::parse_pin(pin, out);
}

} // namespace pigeon::net
