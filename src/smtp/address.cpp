#include "pigeon/smtp/address.hpp"

#include "pigeon/text/address_syntax.hpp"

#include <cstdint>

#include "pigeon/net/ascii.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::smtp {
namespace {

constexpr std::size_t max_local = 64;
constexpr std::size_t max_domain = 255;
constexpr std::size_t max_path = 254;  // 256 with the angle brackets (RFC 5321 4.5.3.1.3)

bool is_atext(unsigned char c) noexcept { return text::is_atext(c, true); }  // UTF-8 checked separately

// Returns the length of the local part (quotes included), or 0 if invalid.
std::size_t scan_local(std::string_view a) noexcept {
    if (a.empty()) return 0;
    if (a[0] == '"') {
        std::size_t i = 1;
        while (i < a.size()) {
            const auto c = static_cast<unsigned char>(a[i]);
            if (c == '"') return i + 1;
            if (c == '\\') {
                if (i + 1 >= a.size()) return 0;
                const auto q = static_cast<unsigned char>(a[i + 1]);
                if (q < 0x20 || q > 0x7e) return 0;  // quoted-pairSMTP = %d92 %d32-126
                i += 2;
                continue;
            }
            if (c < 0x20 || c == 0x7f) return 0;  // no control byte, even quoted
            ++i;
        }
        return 0;  // unterminated
    }
    std::size_t i = 0;
    while (i < a.size() && a[i] != '@') {
        const auto c = static_cast<unsigned char>(a[i]);
        if (c != '.' && !is_atext(c)) return 0;
        ++i;
    }
    return i;
}

bool valid_domain(std::string_view d) noexcept { return text::valid_domain(d, {true, true}); }

} // namespace

std::error_code check_address(std::string_view addr, address_kind kind, bool& utf8) noexcept {
    utf8 = false;
    const std::error_code bad = make_error_code(errc::invalid_address);
    if (addr.empty()) return kind == address_kind::reverse_path ? std::error_code{} : bad;
    if (addr.size() > max_path || !is_valid_utf8(addr)) return bad;
    utf8 = !is_ascii(addr);
    if (kind == address_kind::forward_path && net::ascii::iequals(addr, "postmaster")) return {};
    const std::size_t local = scan_local(addr);
    if (local == 0 || local > max_local || local >= addr.size() || addr[local] != '@') return bad;
    if (!valid_domain(addr.substr(local + 1))) return bad;
    return {};
}

} // namespace pigeon::smtp
