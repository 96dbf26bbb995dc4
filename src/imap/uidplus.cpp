#include "pigeon/imap/uidplus.hpp"

#include <string_view>

#include "pigeon/imap/error.hpp"
#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {
namespace {

std::optional<std::uint32_t> nz_number(std::string_view s) {
    if (s.empty() || s.size() > 10 || s[0] < '1' || s[0] > '9') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xffffffffULL) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

std::optional<uid_set> uid_set_of(std::string_view s, std::error_code& ec) {
    auto set = sequence_set::parse(s, ec);
    if (!set || set->has_star()) return std::nullopt;
    return set;
}

} // namespace

std::optional<std::vector<std::pair<std::uint32_t, std::uint32_t>>> copy_uid::pairs(std::size_t max,
                                                                                    std::error_code& ec) const {
    auto n = source.count();
    if (!n || destination.count() != n) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    if (*n > max) {
        ec = make_error_code(errc::too_many_tokens);
        return std::nullopt;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    out.reserve(static_cast<std::size_t>(*n));
    auto d = destination.begin();
    for (std::uint32_t s : source) out.emplace_back(s, *d++);
    ec.clear();
    return out;
}

std::optional<append_uid> parse_append_uid(const response_code& code, std::error_code& ec) {
    ec.clear();
    if (code.name != "APPENDUID") return std::nullopt;
    auto words = net::ascii::split_words(code.text);
    append_uid a;
    std::optional<std::uint32_t> v;
    std::optional<uid_set> uids;
    if (words.size() == 2 && (v = nz_number(words[0])) && (uids = uid_set_of(words[1], ec))) {
        a.uidvalidity = *v;
        a.uids = std::move(*uids);
        ec.clear();
        return a;
    }
    ec = make_error_code(errc::malformed_reply);
    return std::nullopt;
}

std::optional<copy_uid> parse_copy_uid(const response_code& code, std::error_code& ec) {
    ec.clear();
    if (code.name != "COPYUID") return std::nullopt;
    auto words = net::ascii::split_words(code.text);
    copy_uid c;
    std::optional<std::uint32_t> v;
    std::optional<uid_set> src, dst;
    if (words.size() == 3 && (v = nz_number(words[0])) && (src = uid_set_of(words[1], ec)) &&
        (dst = uid_set_of(words[2], ec)) && src->count() == dst->count()) {
        c.uidvalidity = *v;
        c.source = std::move(*src);
        c.destination = std::move(*dst);
        ec.clear();
        return c;
    }
    ec = make_error_code(errc::malformed_reply);
    return std::nullopt;
}

} // namespace pigeon::imap
