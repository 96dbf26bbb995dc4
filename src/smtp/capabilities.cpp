#include "pigeon/smtp/capabilities.hpp"

#include <algorithm>
#include <limits>

#include "pigeon/net/ascii.hpp"

namespace pigeon::smtp {
namespace {

using net::ascii::split_words;

// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool valid_keyword(std::string_view k) noexcept {
    if (k.empty() || !(net::ascii::is_alpha(k[0]) || net::ascii::is_digit(k[0]))) return false;
    return std::all_of(k.begin(), k.end(),
                       [](char c) { return net::ascii::is_alpha(c) || net::ascii::is_digit(c) || c == '-'; });
}

// sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
// (lower case tolerated and folded).
bool valid_mechanism(std::string_view m) noexcept {
    if (m.empty() || m.size() > 20) return false;
    return std::all_of(m.begin(), m.end(), [](char c) {
        return net::ascii::is_alpha(c) || net::ascii::is_digit(c) || c == '-' || c == '_';
    });
}

std::uint64_t parse_size(std::string_view s) noexcept {
    if (s.empty()) return 0;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!net::ascii::is_digit(c)) return 0;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
            return std::numeric_limits<std::uint64_t>::max();
        v = v * 10 + d;
    }
    return v;
}

void add_mechanisms(capabilities& caps, const std::vector<std::string>& params) {
    for (const auto& p : params) {
        if (!valid_mechanism(p)) continue;
        std::string m = net::ascii::upper(p);
        if (std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), m) == caps.auth_mechanisms.end())
            caps.auth_mechanisms.push_back(std::move(m));
    }
}

} // namespace

const extension* capabilities::find(std::string_view keyword) const noexcept {
    for (const auto& e : extensions)
        if (net::ascii::iequals(e.keyword, keyword)) return &e;
    return nullptr;
}

bool capabilities::has(std::string_view keyword) const noexcept { return find(keyword) != nullptr; }

capabilities parse_helo(const reply& r) {
    capabilities caps;
    caps.esmtp = false;
    if (!r.lines.empty()) {
        auto words = split_words(r.lines[0]);
        if (!words.empty()) caps.domain = std::string(words[0]);
    }
    return caps;
}

capabilities parse_ehlo(const reply& r) {
    capabilities caps = parse_helo(r);
    caps.esmtp = true;
    for (std::size_t i = 1; i < r.lines.size(); ++i) {
        auto words = split_words(r.lines[i]);
        if (words.empty()) continue;
        extension ext;
        std::string_view key = words[0];
        std::size_t first_param = 1;
        if (key.size() >= 5 && net::ascii::iequals(key.substr(0, 5), "AUTH=")) {
            // QUIRK(old Microsoft/Netscape servers): "AUTH=LOGIN PLAIN", the
            // pre-RFC 2554 form, still sent by some next to "AUTH ...".
            ext.keyword = "AUTH";
            if (key.size() > 5) ext.params.emplace_back(key.substr(5));
        } else {
            if (!valid_keyword(key)) continue;
            ext.keyword = net::ascii::upper(key);
        }
        for (std::size_t w = first_param; w < words.size(); ++w) ext.params.emplace_back(words[w]);

        const std::string& k = ext.keyword;
        if (k == "STARTTLS") caps.starttls = true;
        else if (k == "PIPELINING") caps.pipelining = true;
        else if (k == "8BITMIME") caps.eightbitmime = true;
        else if (k == "SMTPUTF8") caps.smtputf8 = true;
        else if (k == "CHUNKING") caps.chunking = true;
        else if (k == "BINARYMIME") caps.binarymime = true;
        else if (k == "DSN") caps.dsn = true;
        else if (k == "ENHANCEDSTATUSCODES") caps.enhanced_status_codes = true;
        else if (k == "SIZE") {
            caps.size = true;
            caps.size_limit = ext.params.empty() ? 0 : parse_size(ext.params[0]);
        } else if (k == "AUTH") {
            add_mechanisms(caps, ext.params);
        }
        caps.extensions.push_back(std::move(ext));
    }
    return caps;
}

} // namespace pigeon::smtp
