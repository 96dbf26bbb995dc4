#include "pigeon/imap/session.hpp"

#include <limits>


namespace pigeon::imap {

literal_options session::literals() const noexcept {
    literal_options o;
    if (caps_.literal_plus()) {
        o.non_synchronizing = true;
        o.non_sync_max = std::numeric_limits<std::size_t>::max();
    } else if (caps_.literal_minus()) {
        o.non_synchronizing = true;
        o.non_sync_max = 4096;
    }
    return o;
}

} // namespace pigeon::imap
