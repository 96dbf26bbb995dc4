#include "pigeon/account/paths.hpp"

#include <cctype>
#include <cstdlib>

namespace pigeon::account {

std::string default_state_root() {
    const char* xdg = std::getenv("XDG_STATE_HOME");
    if (xdg && xdg[0] == '/') return std::string(xdg) + "/pigeon";
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + "/.local/state/pigeon";
    return {};
}

std::string state_key(const std::string& name) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char ch : name) {
        if (std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-' || ch == '@' || ch == '+') {
            out.push_back(static_cast<char>(ch));
        } else {
            out.push_back('%');
            out.push_back(hex[ch >> 4]);
            out.push_back(hex[ch & 15]);
        }
    }
    if (out.empty() || out[0] == '.') out = "%" + out;
    return out;
}

} // namespace pigeon::account
