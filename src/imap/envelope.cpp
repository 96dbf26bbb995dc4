#include "pigeon/imap/envelope.hpp"

#include "pigeon/imap/error.hpp"
#include "token_util.hpp"

namespace pigeon::imap {

std::string address::addr_spec() const {
    std::string out;
    addr_spec_into(out);
    return out;
}

void address::addr_spec_into(std::string& out) const {
    out.assign(mailbox);
    if (!host.empty()) out.append(1, '@').append(host);
}

std::vector<address> mailboxes(const address_list& list) {
    std::vector<address> out;
    for_each_mailbox(list, [&](const address& a) { out.push_back(a); });
    return out;
}

namespace {

// One body for both: Tok is const token& (strings copied) or token
// (an rvalue: strings moved out of the tree).
template <class Tok>
std::optional<address_list> address_list_of(Tok&& t, std::error_code& ec) {
    ec.clear();
    address_list out;
    if (detail::is_nil(t)) return out;
    if (!detail::is_list(t)) {
        ec = make_error_code(errc::malformed_reply);
        return std::nullopt;
    }
    out.reserve(t.items.size());
    std::optional<address_group> group;  // a group being read
    for (auto& item : t.items) {
        if (detail::is_nil(item)) continue;
        if (!detail::is_list(item) || item.items.size() != 4) {
            ec = make_error_code(errc::malformed_reply);
            return std::nullopt;
        }
        address a;
        std::string* fields[4] = {&a.name, &a.route, &a.mailbox, &a.host};
        bool nil[4] = {};
        for (std::size_t k = 0; k < 4; ++k) {
            nil[k] = detail::is_nil(item.items[k]);
            auto s = detail::nstring(detail::forward_like<Tok>(item.items[k]));
            if (!s) {
                ec = make_error_code(errc::malformed_reply);
                return std::nullopt;
            }
            *fields[k] = std::move(*s);
        }
        if (nil[3]) {
            // host NIL: a group marker. mailbox NIL: the end of a group,
            // else the start with the group's name in the mailbox field.
            if (nil[2]) {
                if (group) {
                    out.emplace_back(std::move(*group));
                    group.reset();
                }
                continue;
            }
            if (group) out.emplace_back(std::move(*group));  // QUIRK: unclosed group
            group = address_group{std::move(a.mailbox), {}};
            continue;
        }
        if (group) group->members.push_back(std::move(a));
        else out.emplace_back(std::move(a));
    }
    if (group) out.emplace_back(std::move(*group));
    return out;
}

template <class Tok>
std::optional<envelope> envelope_of(Tok&& t, std::error_code& ec) {
    ec = make_error_code(errc::malformed_reply);
    if (!detail::is_list(t) || t.items.size() < 10) return std::nullopt;
    auto& it = t.items;
    envelope e;
    std::string* strings[4] = {&e.date, &e.subject, &e.in_reply_to, &e.message_id};
    const std::size_t string_at[4] = {0, 1, 8, 9};
    for (std::size_t k = 0; k < 4; ++k) {
        auto s = detail::nstring(detail::forward_like<Tok>(it[string_at[k]]));
        if (!s) return std::nullopt;
        *strings[k] = std::move(*s);
    }
    address_list* lists[6] = {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc};
    for (std::size_t k = 0; k < 6; ++k) {
        auto l = address_list_of(detail::forward_like<Tok>(it[2 + k]), ec);
        if (!l) return std::nullopt;
        *lists[k] = std::move(*l);
    }
    ec.clear();
    return e;
}

} // namespace

std::optional<address_list> parse_address_list(const token& t, std::error_code& ec) { return address_list_of(t, ec); }
std::optional<address_list> parse_address_list(token&& t, std::error_code& ec) {
    return address_list_of(std::move(t), ec);
}
std::optional<envelope> parse_envelope(const token& t, std::error_code& ec) { return envelope_of(t, ec); }
std::optional<envelope> parse_envelope(token&& t, std::error_code& ec) { return envelope_of(std::move(t), ec); }

} // namespace pigeon::imap
