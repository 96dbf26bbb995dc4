// The IMAP client: STORE, COPY, MOVE (with the UIDPLUS fallback), EXPUNGE
// and UID EXPUNGE.
#include <string>
#include <vector>

#include "flag_list.hpp"
#include "pigeon/imap/client.hpp"

namespace pigeon::imap {
namespace {

// flag = "\" atom / keyword atom ("\*" is not storable).
bool valid_flag(std::string_view f) noexcept {
    if (!f.empty() && f.front() == '\\') f.remove_prefix(1);
    if (f.empty()) return false;
    for (char c : f)
        if (!is_atom_char(c)) return false;
    return true;
}

std::uint64_t announced(const response& r) {
    if (r.is_status()) return 0;
    if (r.number && r.name == "EXPUNGE") return 1;
    if (r.name == "VANISHED") {
        std::error_code ec;
        if (auto v = parse_vanished(r, ec); v && !v->earlier) return v->uids.count().value_or(0);
    }
    return 0;
}

} // namespace

std::string detail::flag_list(const std::vector<std::string>& flags, const char* what) {
    std::string s = "(";
    for (const auto& f : flags) {
        if (!valid_flag(f)) throw request_error(errc::invalid_argument, std::string(what) + ": invalid flag");
        if (s.size() > 1) s += ' ';
        s += f;
    }
    return s + ")";
}

store_result client::store(const uid_set& uids, store_action action, const std::vector<std::string>& flags,
                           const store_options& opts, const message_handler& on_update) {
    require_selected("UID STORE");
    if (uids.empty()) throw request_error(errc::invalid_argument, "UID STORE: no UIDs");
    if (opts.unchanged_since) {
        require_cap(session_.caps().has("CONDSTORE") || session_.caps().has("QRESYNC"), "UID STORE", "CONDSTORE");
        if (*opts.unchanged_since > 0x7fffffffffffffffULL)
            throw request_error(errc::invalid_argument, "UID STORE: UNCHANGEDSINCE beyond 2^63 - 1");
    }
    const std::string list = detail::flag_list(flags, "UID STORE");
    command_builder b(next_tag(), "UID");
    b.atom("STORE").raw(uids.to_string());
    if (opts.unchanged_since) b.raw("(UNCHANGEDSINCE " + std::to_string(*opts.unchanged_since) + ")");
    std::string item = action == store_action::add ? "+FLAGS" : action == store_action::remove ? "-FLAGS" : "FLAGS";
    if (opts.silent) item += ".SILENT";
    b.atom(item).raw(list);
    command cmd = finish(b, "UID STORE");
    response done = execute(cmd, [&](response& r) {
        if (r.is_status() || r.name != "FETCH" || !on_update) return false;
        std::error_code ec;
        auto m = parse_fetch(r, ec);
        if (!m || !m->uid || !uids.contains(*m->uid)) return false;
        on_update(*m);
        return true;
    });
    if (opts.unchanged_since) condstore_ = true;
    store_result out;
    if (done.code && done.code->name == "MODIFIED") {
        std::error_code ec;
        auto set = uid_set::parse(done.code->text, ec);
        if (!set) fail(errc::malformed_reply, "UID STORE: " + core::excerpt(first_line_));
        out.modified = std::move(*set);
    }
    return out;
}

std::optional<copy_uid> client::copy(const uid_set& uids, std::string_view mailbox) {
    require_selected("UID COPY");
    if (uids.empty()) throw request_error(errc::invalid_argument, "UID COPY: no UIDs");
    command_builder b(next_tag(), "UID", session_.literals());
    b.atom("COPY").raw(uids.to_string()).astring(wire_name(mailbox, "UID COPY"));
    response done = execute(finish(b, "UID COPY"));
    if (!done.code) return std::nullopt;
    std::error_code ec;
    auto c = parse_copy_uid(*done.code, ec);
    if (ec) fail(errc::malformed_reply, "UID COPY: " + core::excerpt(first_line_));
    return c;
}

std::optional<copy_uid> client::move(const uid_set& uids, std::string_view mailbox) {
    require_selected("UID MOVE");
    if (uids.empty()) throw request_error(errc::invalid_argument, "UID MOVE: no UIDs");
    const auto& caps = session_.caps();
    const bool has_move = caps.has("MOVE") || caps.imap4rev2();
    const bool uidplus = caps.has("UIDPLUS") || caps.imap4rev2();
    if (!has_move && !uidplus)
        throw request_error(errc::not_supported,
                            "UID MOVE: the server offers neither MOVE nor UIDPLUS (a plain EXPUNGE would remove "
                            "other messages marked \\Deleted)");
    const std::string wire = wire_name(mailbox, "UID MOVE");
    if (!has_move) {
        // RFC 6851 section 3.3's fallback, limited to exactly these UIDs.
        auto result = copy(uids, mailbox);
        store(uids, store_action::add, {"\\Deleted"});
        expunge(uids);
        return result;
    }
    command_builder b(next_tag(), "UID", session_.literals());
    b.atom("MOVE").raw(uids.to_string()).astring(wire);
    command cmd = finish(b, "UID MOVE");
    std::optional<copy_uid> out;
    bool malformed = false;
    // RFC 6851 section 4.3: COPYUID comes in an untagged OK before the
    // EXPUNGEs (or, from some servers, on the tagged OK).
    auto take = [&](const response& r) {
        if (!r.code || r.code->name != "COPYUID") return false;
        std::error_code ec;
        out = parse_copy_uid(*r.code, ec);
        if (ec) malformed = true;
        return true;
    };
    response done = execute(cmd, [&](response& r) { return r.cond == condition::ok && take(r); });
    if (!out) take(done);
    if (malformed) fail(errc::malformed_reply, "UID MOVE: malformed COPYUID");
    return out;
}

std::uint32_t client::expunge() {
    require_selected("EXPUNGE");
    command_builder b(next_tag(), "EXPUNGE");
    std::uint64_t n = 0;
    execute(finish(b, "EXPUNGE"), [&](response& r) {
        n += announced(r);
        return false;  // on to the event handler
    });
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 0xffffffffULL));
}

std::uint32_t client::expunge(const uid_set& uids) {
    require_selected("UID EXPUNGE");
    require_cap(session_.caps().has("UIDPLUS") || session_.caps().imap4rev2(), "UID EXPUNGE", "UIDPLUS");
    if (uids.empty()) throw request_error(errc::invalid_argument, "UID EXPUNGE: no UIDs");
    command_builder b(next_tag(), "UID");
    b.atom("EXPUNGE").raw(uids.to_string());
    std::uint64_t n = 0;
    execute(finish(b, "UID EXPUNGE"), [&](response& r) {
        n += announced(r);
        return false;
    });
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 0xffffffffULL));
}

} // namespace pigeon::imap
