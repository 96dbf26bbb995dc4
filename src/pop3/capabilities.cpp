#include "pigeon/pop3/capabilities.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::pop3 {

capabilities capabilities::parse(const std::vector<std::string>& lines) {
    capabilities c;
    for (const auto& line : lines) {
        auto words = net::ascii::split_words(line);
        if (words.empty()) continue;
        c.lines_.push_back(line);
        entry e;
        e.keyword = net::ascii::upper(words.front());
        e.arguments.assign(words.begin() + 1, words.end());
        c.entries_.push_back(std::move(e));
    }
    return c;
}

bool capabilities::has(std::string_view keyword) const noexcept {
    for (const auto& e : entries_)
        if (net::ascii::iequals(e.keyword, keyword)) return true;
    return false;
}

const std::vector<std::string>& capabilities::arguments(std::string_view keyword) const noexcept {
    static const std::vector<std::string> none;
    for (const auto& e : entries_)
        if (net::ascii::iequals(e.keyword, keyword)) return e.arguments;
    return none;
}

std::vector<std::string> capabilities::sasl_mechanisms() const {
    std::vector<std::string> out;
    for (const auto& m : arguments("SASL")) out.push_back(net::ascii::upper(m));
    return out;
}

std::string capabilities::implementation() const {
    std::string out;
    for (const auto& a : arguments("IMPLEMENTATION")) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

} // namespace pigeon::pop3
