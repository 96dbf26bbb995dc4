#include "pigeon/imap/list_entry.hpp"

#include "mailbox_name.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/net/ascii.hpp"
#include "token_util.hpp"

namespace pigeon::imap {

using net::ascii::iequals;

bool list_entry::has_attribute(std::string_view attr) const noexcept {
    for (const auto& a : attributes)
        if (iequals(a, attr)) return true;
    return false;
}

bool list_entry::selectable() const noexcept { return !has_attribute("\\Noselect") && !has_attribute("\\NonExistent"); }

std::optional<bool> list_entry::has_children() const noexcept {
    if (has_attribute("\\HasChildren")) return true;
    if (has_attribute("\\HasNoChildren")) return false;
    return std::nullopt;
}

bool list_entry::subscribed() const noexcept {
    return has_attribute("\\Subscribed") || (lsub && !has_attribute("\\Noselect"));
}

special_use list_entry::use() const noexcept {
    static constexpr struct {
        std::string_view attr;
        special_use use;
    } table[] = {{"\\All", special_use::all},         {"\\Archive", special_use::archive},
                 {"\\Drafts", special_use::drafts},   {"\\Flagged", special_use::flagged},
                 {"\\Junk", special_use::junk},       {"\\Sent", special_use::sent},
                 {"\\Trash", special_use::trash},     {"\\Important", special_use::important}};
    for (const auto& a : attributes)
        for (const auto& e : table)
            if (iequals(a, e.attr)) return e.use;
    return special_use::none;
}

bool list_entry::is_inbox() const noexcept { return iequals(wire_name, "INBOX"); }

std::optional<list_entry> parse_list_entry(const response& r, std::error_code& ec, name_encoding enc) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.is_status() || r.number || (r.name != "LIST" && r.name != "LSUB"))
        return std::nullopt;
    ec = make_error_code(errc::malformed_reply);
    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    if (r.data.size() < 3 || r.data.size() > 4 || !detail::is_list(r.data[0])) return std::nullopt;
    list_entry e;
    e.lsub = r.name == "LSUB";
    for (const auto& a : r.data[0].items) {
        if (a.kind != token_kind::atom) return std::nullopt;
        e.attributes.push_back(a.text);
    }
    const token& d = r.data[1];
    if (!detail::is_nil(d)) {
        if (d.kind != token_kind::quoted || d.text.size() != 1) return std::nullopt;
        e.delimiter = d.text[0];
    }
    detail::decoded_name n;
    if (!detail::read_mailbox_name(r.data[2], enc, n)) return std::nullopt;
    e.name = std::move(n.name);
    e.wire_name = std::move(n.wire);
    e.name_valid = n.valid;
    if (r.data.size() == 4) {
        // mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
        const token& ext = r.data[3];
        if (!detail::is_list(ext) || ext.items.size() % 2 != 0) return std::nullopt;
        for (std::size_t k = 0; k < ext.items.size(); k += 2) {
            const token& tag = ext.items[k];
            const token& value = ext.items[k + 1];
            if (!tag.is_string()) return std::nullopt;
            if (iequals(tag.text, "CHILDINFO")) {
                if (!detail::is_list(value)) return std::nullopt;
                for (const auto& c : value.items) {
                    if (!c.is_string()) return std::nullopt;
                    e.child_info.push_back(c.text);
                }
            } else if (iequals(tag.text, "OLDNAME")) {
                if (!detail::is_list(value) || value.items.size() != 1) return std::nullopt;
                detail::decoded_name old;
                if (!detail::read_mailbox_name(value.items[0], enc, old)) return std::nullopt;
                e.old_name = std::move(old.name);
            }
        }
    }
    ec.clear();
    return e;
}

} // namespace pigeon::imap
