#include "pigeon/imap/vanished.hpp"

#include "pigeon/imap/error.hpp"
#include "token_util.hpp"

namespace pigeon::imap {

std::optional<vanished> parse_vanished(const response& r, std::error_code& ec) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.name != "VANISHED" || r.is_status() || r.number) return std::nullopt;
    ec = make_error_code(errc::malformed_reply);
    vanished v;
    std::size_t k = 0;
    if (k < r.data.size() && detail::is_list(r.data[k])) {
        const auto& tags = r.data[k].items;
        if (tags.size() != 1 || !tags[0].is_atom("EARLIER")) return std::nullopt;
        v.earlier = true;
        ++k;
    }
    if (k + 1 != r.data.size()) return std::nullopt;
    const token& set = r.data[k];
    if (set.kind != token_kind::atom && set.kind != token_kind::number) return std::nullopt;
    auto uids = sequence_set::parse(set.text, ec);
    if (!uids) return std::nullopt;
    if (uids->has_star()) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    v.uids = std::move(*uids);
    ec.clear();
    return v;
}

} // namespace pigeon::imap
