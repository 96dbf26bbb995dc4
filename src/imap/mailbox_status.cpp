#include "pigeon/imap/mailbox_status.hpp"

#include "mailbox_name.hpp"
#include "pigeon/imap/error.hpp"
#include "pigeon/imap/vanished.hpp"
#include "pigeon/net/ascii.hpp"
#include "token_util.hpp"

namespace pigeon::imap {
namespace {

std::optional<std::uint64_t> code_number(const response_code& c) {
    const std::string& t = c.text;
    if (t.empty() || t.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char ch : t) {
        if (ch < '0' || ch > '9') return std::nullopt;
        auto d = static_cast<std::uint64_t>(ch - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::optional<std::uint32_t> code_number32(const response_code& c) {
    auto v = code_number(c);
    if (!v || *v == 0 || *v > 0xffffffffULL) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

// "(\Answered \Seen \*)" in a response code's text.
std::optional<std::vector<std::string>> code_flags(const response_code& c) {
    std::string_view t = net::ascii::trim(c.text);
    if (t.size() < 2 || t.front() != '(' || t.back() != ')') return std::nullopt;
    std::vector<std::string> out;
    for (auto w : net::ascii::split_words(t.substr(1, t.size() - 2))) {
        if (w.find_first_of("()\"{") != std::string_view::npos) return std::nullopt;
        out.emplace_back(w);
    }
    return out;
}

} // namespace

bool mailbox_status::apply(const response& r, std::error_code& ec) {
    ec.clear();
    auto bad = [&ec] {
        ec = make_error_code(errc::malformed_reply);
        return true;
    };
    if (r.kind == response_kind::continuation) return false;
    if (!r.is_status()) {
        if (r.kind != response_kind::untagged) return false;
        if (r.number) {
            if (r.name == "EXISTS") exists = *r.number;
            else if (r.name == "RECENT") recent = *r.number;
            else if (r.name == "EXPUNGE") {
                if (exists && *exists > 0) --*exists;
            } else return false;
            return true;
        }
        if (r.name == "FLAGS") {
            if (r.data.size() != 1 || !detail::is_list(r.data[0])) return bad();
            std::vector<std::string> f;
            for (const auto& t : r.data[0].items) {
                if (t.kind != token_kind::atom) return bad();
                f.push_back(t.text);
            }
            flags = std::move(f);
            return true;
        }
        if (r.name == "VANISHED") {
            auto v = parse_vanished(r, ec);
            if (!v) return true;  // ec says why
            if (!v->earlier && exists) {
                auto n = v->uids.count().value_or(0);
                *exists = n >= *exists ? 0 : static_cast<std::uint32_t>(*exists - n);
            }
            return true;
        }
        return false;
    }
    if (!r.code) return false;
    const std::string& name = r.code->name;
    if (r.kind == response_kind::untagged && name == "UIDNOTSTICKY") {
        uid_not_sticky = true;
        return true;
    }
    if (r.cond != condition::ok) return false;
    if (name == "READ-ONLY" || name == "READ-WRITE") {
        read_only = name == "READ-ONLY";
        return true;
    }
    if (r.kind != response_kind::untagged) return false;
    if (name == "CLOSED") {
        *this = mailbox_status{};
        return true;
    }
    if (name == "UIDVALIDITY" || name == "UIDNEXT" || name == "UNSEEN") {
        auto v = code_number32(*r.code);
        if (!v) return bad();
        (name == "UIDVALIDITY" ? uidvalidity : name == "UIDNEXT" ? uidnext : unseen) = *v;
        return true;
    }
    if (name == "HIGHESTMODSEQ") {
        auto v = code_number(*r.code);
        if (!v || *v > 0x7fffffffffffffffULL) return bad();
        highest_modseq = *v;
        nomodseq = false;
        return true;
    }
    if (name == "NOMODSEQ") {
        nomodseq = true;
        return true;
    }
    if (name == "PERMANENTFLAGS") {
        auto f = code_flags(*r.code);
        if (!f) return bad();
        permanent_flags = std::move(*f);
        return true;
    }
    return false;
}

std::optional<status_data> parse_status(const response& r, std::error_code& ec, name_encoding enc) {
    ec.clear();
    if (r.kind != response_kind::untagged || r.name != "STATUS" || r.is_status() || r.number) return std::nullopt;
    ec = make_error_code(errc::malformed_reply);
    if (r.data.size() != 2 || !detail::is_list(r.data[1])) return std::nullopt;
    status_data s;
    detail::decoded_name n;
    if (!detail::read_mailbox_name(r.data[0], enc, n)) return std::nullopt;
    s.mailbox = std::move(n.name);
    s.wire_mailbox = std::move(n.wire);
    s.name_valid = n.valid;
    const auto& items = r.data[1].items;
    if (items.size() % 2 != 0) return std::nullopt;
    for (std::size_t k = 0; k < items.size(); k += 2) {
        const token& key = items[k];
        const token& value = items[k + 1];
        if (key.kind != token_kind::atom) return std::nullopt;
        using net::ascii::iequals;
        std::optional<std::uint32_t>* small = nullptr;
        std::optional<std::uint64_t>* big = nullptr;
        if (iequals(key.text, "MESSAGES")) small = &s.messages;
        else if (iequals(key.text, "RECENT")) small = &s.recent;
        else if (iequals(key.text, "UIDNEXT")) small = &s.uidnext;
        else if (iequals(key.text, "UIDVALIDITY")) small = &s.uidvalidity;
        else if (iequals(key.text, "UNSEEN")) small = &s.unseen;
        else if (iequals(key.text, "DELETED")) small = &s.deleted;
        else if (iequals(key.text, "SIZE")) big = &s.size;
        else if (iequals(key.text, "HIGHESTMODSEQ")) big = &s.highest_modseq;
        if (small) {
            auto v = detail::number32(value);
            if (!v) return std::nullopt;
            *small = *v;
        } else if (big) {
            auto v = detail::number63(value);
            if (!v) return std::nullopt;
            *big = *v;
        }
    }
    ec.clear();
    return s;
}

} // namespace pigeon::imap
