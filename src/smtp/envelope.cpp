#include "pigeon/smtp/envelope.hpp"

#include "pigeon/net/ascii.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::smtp {
namespace {
constexpr unsigned all_bits = 1u | 2u | 4u | 8u;
}

std::error_code check_notify(notify n) noexcept {
    const auto v = static_cast<unsigned>(n);
    if (v & ~all_bits) return errc::invalid_parameter;
    if ((v & static_cast<unsigned>(notify::never)) && v != static_cast<unsigned>(notify::never))
        return errc::invalid_parameter;
    return {};
}

std::string to_string(notify n) {
    if (n == notify::never) return "NEVER";
    std::string out;
    auto add = [&](notify bit, const char* name) {
        if ((n & bit) == bit && bit != notify::none) {
            if (!out.empty()) out += ',';
            out += name;
        }
    };
    add(notify::success, "SUCCESS");
    add(notify::failure, "FAILURE");
    add(notify::delay, "DELAY");
    return out;
}

std::error_code parse_notify(std::string_view text, notify& out) {
    notify result = notify::none;
    std::size_t pos = 0;
    bool any = false;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos) comma = text.size();
        std::string_view word = text.substr(pos, comma - pos);
        while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
        while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
        notify bit;
        if (net::ascii::iequals(word, "NEVER")) bit = notify::never;
        else if (net::ascii::iequals(word, "SUCCESS")) bit = notify::success;
        else if (net::ascii::iequals(word, "FAILURE")) bit = notify::failure;
        else if (net::ascii::iequals(word, "DELAY")) bit = notify::delay;
        else return errc::invalid_parameter;
        if ((result & bit) == bit) return errc::invalid_parameter;  // duplicate
        result = result | bit;
        any = true;
        pos = comma + 1;
    }
    if (!any) return errc::invalid_parameter;
    if (auto ec = check_notify(result)) return ec;
    out = result;
    return {};
}

} // namespace pigeon::smtp
