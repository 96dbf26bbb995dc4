#include "pigeon/nntp/capabilities.hpp"

namespace pigeon::nntp {

int capabilities::version() const noexcept {
    int best = 0;
    for (const auto& a : arguments("VERSION")) {
        if (a.empty() || a.size() > 6) continue;
        int v = 0;
        bool digits = true;
        for (char c : a) {
            if (c < '0' || c > '9') { digits = false; break; }
            v = v * 10 + (c - '0');
        }
        if (digits && v > best) best = v;
    }
    return best;
}

} // namespace pigeon::nntp
