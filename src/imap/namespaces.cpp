#include "pigeon/imap/namespaces.hpp"

#include "mailbox_name.hpp"
#include "pigeon/imap/error.hpp"
#include "token_util.hpp"

namespace pigeon::imap {
namespace {

// NIL, or "(" 1*( "(" string SP (DQUOTE char DQUOTE / nil) *extension ")" ) ")".
bool read_group(const token& t, name_encoding enc, std::vector<namespace_entry>& out) {
    if (detail::is_nil(t)) return true;
    if (!detail::is_list(t) || t.items.empty()) return false;
    for (const auto& d : t.items) {
        if (!detail::is_list(d) || d.items.size() < 2) return false;
        namespace_entry e;
        detail::decoded_name n;
        if (!detail::is_string_token(d.items[0]) && d.items[0].kind != token_kind::atom) return false;
        if (!detail::read_mailbox_name(d.items[0], enc, n)) return false;
        e.prefix = std::move(n.name);
        e.wire_prefix = std::move(n.wire);
        const token& delim = d.items[1];
        if (!detail::is_nil(delim)) {
            if (!detail::is_string_token(delim) || delim.text.size() != 1) return false;
            e.delimiter = delim.text[0];
        }
        out.push_back(std::move(e));
    }
    return true;
}

} // namespace

std::optional<namespaces> parse_namespaces(const response& r, std::error_code& ec, name_encoding enc) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.is_status() || r.name != "NAMESPACE") return std::nullopt;
    namespaces out;
    if (r.data.size() != 3 || !read_group(r.data[0], enc, out.personal) ||
        !read_group(r.data[1], enc, out.other_users) || !read_group(r.data[2], enc, out.shared)) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    return out;
}

} // namespace pigeon::imap
