// The IMAP client: mailboxes (SELECT / EXAMINE, CLOSE, UNSELECT, LIST,
// STATUS, CREATE, DELETE, RENAME, SUBSCRIBE) and the session commands
// (ENABLE, ID, NAMESPACE).
#include <utility>

#include "pigeon/imap/client.hpp"

namespace pigeon::imap {
namespace {

bool rev2(const imap::capabilities& c) { return c.imap4rev2(); }

std::string status_item_list(const status_items& it) {
    std::string s = "(";
    auto add = [&s](bool on, const char* name) {
        if (!on) return;
        if (s.size() > 1) s += ' ';
        s += name;
    };
    add(it.messages, "MESSAGES");
    add(it.uidnext, "UIDNEXT");
    add(it.uidvalidity, "UIDVALIDITY");
    add(it.unseen, "UNSEEN");
    add(it.recent, "RECENT");
    add(it.deleted, "DELETED");
    add(it.size, "SIZE");
    add(it.highest_modseq, "HIGHESTMODSEQ");
    return s + ")";
}

} // namespace

const mailbox_status& client::select(std::string_view mailbox, const select_options& opts) {
    return open_mailbox("SELECT", mailbox, opts);
}

const mailbox_status& client::examine(std::string_view mailbox, const select_options& opts) {
    return open_mailbox("EXAMINE", mailbox, opts);
}

const mailbox_status& client::open_mailbox(const char* name, std::string_view mailbox, const select_options& opts) {
    require_authenticated(name);
    const auto& caps = session_.caps();
    if (opts.condstore) require_cap(caps.has("CONDSTORE"), name, "CONDSTORE");
    if (opts.qresync && !qresync_)
        throw request_error(errc::not_supported, std::string(name) + ": QRESYNC is not enabled (enable({\"QRESYNC\"}))");
    command_builder b(next_tag(), name, session_.literals());
    b.astring(wire_name(mailbox, name));
    if (opts.qresync) {
        const auto& q = *opts.qresync;
        if (q.uidvalidity == 0 || q.modseq > 0x7fffffffffffffffULL ||
            (q.known_uids && (q.known_uids->empty() || q.known_uids->has_star())))
            throw request_error(errc::invalid_argument, std::string(name) + ": invalid QRESYNC parameters");
        std::string p = "(QRESYNC (" + std::to_string(q.uidvalidity) + " " + std::to_string(q.modseq);
        if (q.known_uids) p += " " + q.known_uids->to_string();
        b.raw(p + "))");
    } else if (opts.condstore) {
        b.raw("(CONDSTORE)");
    }
    command cmd = finish(b, name);
    // RFC 9051 section 6.3.1: SELECT first deselects; if it fails, no
    // mailbox is selected. Data from here on is about the new mailbox
    // (QRESYNC servers mark the boundary with [CLOSED], which apply() honours).
    mailbox_ = {};
    selected_name_.clear();
    if (session_.current() == imap::state::selected) session_.on_selected(false);
    tracking_ = true;
    response done;
    try {
        // The mailbox's own data (FLAGS, EXISTS, RECENT) is the answer,
        // folded into mailbox_; VANISHED (EARLIER) and FETCH go on as events.
        done = execute(cmd, [](response& r) {
            return !r.is_status() && (r.name == "FLAGS" || r.name == "EXISTS" || r.name == "RECENT");
        });
    } catch (const command_error&) {
        deselected();
        throw;
    }
    std::error_code ec;
    mailbox_.apply(done, ec);
    if (std::string_view(name) == "EXAMINE") mailbox_.read_only = true;
    session_.on_selected(true);
    selected_name_.assign(mailbox);
    if (opts.condstore || opts.qresync) condstore_ = true;
    return mailbox_;
}

void client::close_mailbox() {
    require_selected("CLOSE");
    command_builder b(next_tag(), "CLOSE");
    execute(finish(b, "CLOSE"));
    deselected();
}

void client::unselect() {
    require_selected("UNSELECT");
    require_cap(session_.caps().has("UNSELECT") || rev2(session_.caps()), "UNSELECT", "UNSELECT");
    command_builder b(next_tag(), "UNSELECT");
    execute(finish(b, "UNSELECT"));
    deselected();
}

void client::list(std::string_view reference, std::string_view pattern, const std::function<void(mailbox_info&)>& each,
                  const list_options& opts) {
    require_authenticated("LIST");
    const auto& caps = session_.caps();
    const bool extended = caps.has("LIST-EXTENDED") || rev2(caps);
    const bool with_status = opts.status && (caps.has("LIST-STATUS") || rev2(caps));
    const bool special = opts.special_use && (caps.has("SPECIAL-USE") || rev2(caps)) && extended;
    const bool lsub = opts.subscribed_only && !extended;
    const char* name = lsub ? "LSUB" : "LIST";
    command_builder b(next_tag(), name, session_.literals());
    if (opts.subscribed_only && extended) b.raw("(SUBSCRIBED)");
    // The reference and the pattern are names too (the wildcards are ASCII).
    b.astring(reference.empty() ? std::string() : wire_name(reference, name));
    b.astring(pattern.empty() ? std::string() : wire_name(pattern, name));
    if (special || with_status) {
        std::string ret = "RETURN (";
        if (special) ret += "SPECIAL-USE";
        if (with_status) ret += std::string(special ? " " : "") + "STATUS " + status_item_list(*opts.status);
        b.raw(ret + ")");
    }
    command cmd = finish(b, name);
    const name_encoding enc = mailbox_encoding();
    std::optional<mailbox_info> pending;
    auto flush = [&] {
        if (pending) {
            each(*pending);
            pending.reset();
        }
    };
    execute(cmd, [&](response& r) {
        if (r.is_status()) return false;
        std::error_code ec;
        if (r.name == "LIST" || r.name == "LSUB") {
            auto e = parse_list_entry(r, ec, enc);
            if (!e) return true;  // malformed: skipped
            flush();
            pending.emplace();
            pending->entry = std::move(*e);
            return true;
        }
        if (r.name == "STATUS" && with_status) {
            auto st = parse_status(r, ec, enc);
            if (st && pending && st->wire_mailbox == pending->entry.wire_name) pending->status = std::move(*st);
            return true;
        }
        return false;
    });
    flush();
}

std::vector<mailbox_info> client::list(std::string_view reference, std::string_view pattern, const list_options& opts) {
    std::vector<mailbox_info> out;
    list(
        reference, pattern,
        [&](mailbox_info& m) {
            if (out.size() >= opts_.limits.max_entries_kept)
                fail(errc::response_too_large, "LIST: more than " + std::to_string(opts_.limits.max_entries_kept) +
                                                   " mailboxes");
            out.push_back(std::move(m));
        },
        opts);
    return out;
}

status_data client::status(std::string_view mailbox, const status_items& items) {
    require_authenticated("STATUS");
    const auto& caps = session_.caps();
    if (items.size) require_cap(caps.has("STATUS=SIZE"), "STATUS", "STATUS=SIZE");
    if (items.highest_modseq) require_cap(caps.has("CONDSTORE") || caps.has("QRESYNC"), "STATUS", "CONDSTORE");
    if (items.deleted) require_cap(rev2(caps), "STATUS", "IMAP4rev2");
    const std::string wire = wire_name(mailbox, "STATUS");
    command_builder b(next_tag(), "STATUS", session_.literals());
    b.astring(wire);
    b.raw(status_item_list(items));
    command cmd = finish(b, "STATUS");
    status_data out;
    out.mailbox.assign(mailbox);
    out.wire_mailbox = wire;
    const name_encoding enc = mailbox_encoding();
    execute(cmd, [&](response& r) {
        if (r.is_status() || r.name != "STATUS") return false;
        std::error_code ec;
        auto st = parse_status(r, ec, enc);
        if (st && st->wire_mailbox == wire) out = std::move(*st);
        return true;
    });
    return out;
}

void client::create(std::string_view mailbox) {
    require_authenticated("CREATE");
    simple("CREATE", mailbox, "CREATE");
}

void client::delete_mailbox(std::string_view mailbox) {
    require_authenticated("DELETE");
    simple("DELETE", mailbox, "DELETE");
}

void client::rename(std::string_view from, std::string_view to) {
    require_authenticated("RENAME");
    command_builder b(next_tag(), "RENAME", session_.literals());
    b.astring(wire_name(from, "RENAME")).astring(wire_name(to, "RENAME"));
    execute(finish(b, "RENAME"));
}

void client::subscribe(std::string_view mailbox) {
    require_authenticated("SUBSCRIBE");
    simple("SUBSCRIBE", mailbox, "SUBSCRIBE");
}

void client::unsubscribe(std::string_view mailbox) {
    require_authenticated("UNSUBSCRIBE");
    simple("UNSUBSCRIBE", mailbox, "UNSUBSCRIBE");
}

// ---- session commands --------------------------------------------------------

std::vector<std::string> client::enable(const std::vector<std::string>& extensions) {
    // RFC 5161 section 3.1: only in the authenticated state.
    require(true, false, "ENABLE");
    require_cap(session_.caps().has("ENABLE") || rev2(session_.caps()), "ENABLE", "ENABLE");
    if (extensions.empty()) throw request_error(errc::invalid_argument, "ENABLE: nothing to enable");
    command_builder b(next_tag(), "ENABLE");
    for (const auto& e : extensions) b.atom(e);
    command cmd = finish(b, "ENABLE");
    std::vector<std::string> out;
    execute(cmd, [&](response& r) {
        if (r.is_status() || r.name != "ENABLED") return false;
        for (const auto& t : r.data)
            if (t.kind == token_kind::atom && out.size() < 100) out.push_back(t.text);
        return true;
    });
    return out;
}

std::vector<std::pair<std::string, std::string>> client::id(const std::vector<std::pair<std::string, std::string>>& fields) {
    if (!conn_.is_open()) throw request_error(errc::invalid_state, "ID: not connected");
    require_cap(session_.caps().has("ID"), "ID", "ID");
    // RFC 2971: at most 30 pairs, field names up to 30 octets, values up to 1024.
    if (fields.size() > 30) throw request_error(errc::invalid_argument, "ID: more than 30 fields");
    command_builder b(next_tag(), "ID", session_.literals());
    if (fields.empty()) {
        b.raw("NIL");
    } else {
        b.open_list();
        for (const auto& [k, v] : fields) {
            if (k.size() > 30 || v.size() > 1024) throw request_error(errc::invalid_argument, "ID: field too long");
            b.string(k).string(v);
        }
        b.close_list();
    }
    command cmd = finish(b, "ID");
    std::vector<std::pair<std::string, std::string>> out;
    execute(cmd, [&](response& r) {
        if (r.is_status() || r.name != "ID") return false;
        if (r.data.size() == 1 && r.data[0].kind == token_kind::list) {
            const auto& items = r.data[0].items;
            for (std::size_t i = 0; i + 1 < items.size() && out.size() < 30; i += 2) {
                if (!items[i].is_string()) continue;
                out.emplace_back(items[i].text, items[i + 1].kind == token_kind::nil ? std::string() : items[i + 1].text);
            }
        }
        return true;
    });
    return out;
}

imap::namespaces client::get_namespaces() {
    require_authenticated("NAMESPACE");
    require_cap(session_.caps().has("NAMESPACE") || rev2(session_.caps()), "NAMESPACE", "NAMESPACE");
    command_builder b(next_tag(), "NAMESPACE");
    command cmd = finish(b, "NAMESPACE");
    imap::namespaces out;
    const name_encoding enc = mailbox_encoding();
    execute(cmd, [&](response& r) {
        if (r.is_status() || r.name != "NAMESPACE") return false;
        std::error_code ec;
        if (auto n = parse_namespaces(r, ec, enc)) out = std::move(*n);
        return true;
    });
    return out;
}

} // namespace pigeon::imap
