// SASLprep on top of GNU Libidn's stringprep (libidn 1.x, Debian's
// libidn-dev). Libidn carries the complete RFC 3454 tables and an NFKC over
// Unicode 3.2, the version stringprep is pinned to; pigeon therefore covers
// every script, not a hand-picked subset. What is done here: reject what
// libidn must not see (a NUL would cut its C string; malformed UTF-8), skip it
// for printable ASCII (its own SASLprep), and wipe the prepared copy.
#include "pigeon/sasl/saslprep.hpp"

#include <stringprep.h>

#include <cstdlib>
#include <cstring>

#include "detail/crypto.hpp"
#include "pigeon/sasl/error.hpp"

namespace pigeon::sasl {
namespace {

/// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// above U+10FFFF.
bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            len = 3;
            if (b0 == 0xE0) lo = 0xA0;       // overlong
            if (b0 == 0xED) hi = 0x9F;       // surrogates
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            len = 4;
            if (b0 == 0xF0) lo = 0x90;       // overlong
            if (b0 == 0xF4) hi = 0x8F;       // above U+10FFFF
        } else {
            return false;
        }
        if (s.size() - i < len) return false;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b1 < lo || b1 > hi) return false;
        for (std::size_t k = 2; k < len; ++k) {
            const auto bk = static_cast<unsigned char>(s[i + k]);
            if (bk < 0x80 || bk > 0xBF) return false;
        }
        i += len;
    }
    return true;
}

bool printable_ascii(std::string_view s) noexcept {
    for (const char c : s)
        if (c < 0x20 || c > 0x7E) return false;
    return true;
}

} // namespace

std::string saslprep(std::string_view utf8, std::error_code& ec) {
    ec.clear();
    // Printable ASCII: nothing maps, NFKC is the identity, nothing is
    // prohibited and there is no right-to-left character.
    if (printable_ascii(utf8)) return std::string(utf8);

    if (utf8.find('\0') != std::string_view::npos || !valid_utf8(utf8)) {
        ec = errc::saslprep_failed;
        return {};
    }
    std::string in(utf8);
    char* out = nullptr;
    // Flags 0: unassigned code points allowed (query semantics, see the
    // header); NFKC, prohibition and bidi checks all on.
    const int rc = stringprep_profile(in.c_str(), &out, "SASLprep", static_cast<Stringprep_profile_flags>(0));
    detail::wipe(in);
    if (rc != STRINGPREP_OK || out == nullptr) {
        std::free(out);
        ec = errc::saslprep_failed;
        return {};
    }
    const std::size_t n = std::strlen(out);
    std::string result(out, n);
    detail::wipe(out, n);
    std::free(out);
    return result;
}

} // namespace pigeon::sasl
