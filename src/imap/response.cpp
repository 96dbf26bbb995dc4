#include "pigeon/imap/response.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::imap {

bool token::is_atom(std::string_view name) const noexcept {
    return (kind == token_kind::atom || kind == token_kind::number) && net::ascii::iequals(text, name);
}

std::optional<std::uint64_t> token::as_number() const noexcept {
    if (kind != token_kind::number || text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::vector<std::string> response_code::arguments() const {
    auto words = net::ascii::split_words(text);
    return {words.begin(), words.end()};
}

const char* to_string(condition c) noexcept {
    switch (c) {
    case condition::none: return "";
    case condition::ok: return "OK";
    case condition::no: return "NO";
    case condition::bad: return "BAD";
    case condition::preauth: return "PREAUTH";
    case condition::bye: return "BYE";
    }
    return "";
}

} // namespace pigeon::imap
