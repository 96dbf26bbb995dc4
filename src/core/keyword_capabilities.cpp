#include "pigeon/core/keyword_capabilities.hpp"

#include "pigeon/net/ascii.hpp"

namespace pigeon::core {

void keyword_capabilities::add_lines(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        auto words = net::ascii::split_words(line);
        if (words.empty()) continue;
        lines_.push_back(line);
        entry e;
        e.keyword = net::ascii::upper(words.front());
        e.arguments.assign(words.begin() + 1, words.end());
        entries_.push_back(std::move(e));
    }
}

bool keyword_capabilities::has(std::string_view keyword) const noexcept {
    for (const auto& e : entries_)
        if (net::ascii::iequals(e.keyword, keyword)) return true;
    return false;
}

const std::vector<std::string>& keyword_capabilities::arguments(std::string_view keyword) const noexcept {
    static const std::vector<std::string> none;
    for (const auto& e : entries_)
        if (net::ascii::iequals(e.keyword, keyword)) return e.arguments;
    return none;
}

bool keyword_capabilities::has_argument(std::string_view keyword, std::string_view arg) const noexcept {
    for (const auto& a : arguments(keyword))
        if (net::ascii::iequals(a, arg)) return true;
    return false;
}

std::vector<std::string> keyword_capabilities::upper_arguments(std::string_view keyword) const {
    std::vector<std::string> out;
    for (const auto& m : arguments(keyword)) out.push_back(net::ascii::upper(m));
    return out;
}

std::vector<std::string> keyword_capabilities::sasl_mechanisms() const { return upper_arguments("SASL"); }

std::string keyword_capabilities::implementation() const {
    std::string out;
    for (const auto& a : arguments("IMPLEMENTATION")) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

} // namespace pigeon::core
