// The IMAP client: UID SEARCH with a typed query, ESEARCH when offered.
#include "pigeon/imap/client.hpp"

namespace pigeon::imap {

uid_set client::search(const search_query& query) {
    search_return ret;
    ret.all = true;
    return search(query, ret).all;
}

search_result client::search(const search_query& query, const search_return& ret) {
    require_selected("UID SEARCH");
    const auto& caps = session_.caps();
    const bool esearch = caps.has("ESEARCH") || caps.imap4rev2();
    command_builder b(next_tag(), "UID", session_.literals());
    b.atom("SEARCH");
    if (esearch) {
        std::string r = "RETURN (";
        auto add = [&r](bool on, const char* name) {
            if (!on) return;
            if (r.back() != '(') r += ' ';
            r += name;
        };
        add(ret.min, "MIN");
        add(ret.max, "MAX");
        add(ret.all, "ALL");
        add(ret.count, "COUNT");
        if (r.back() == '(') r += "ALL";
        b.atom("RETURN").raw(r.substr(7) + ")");
    }
    search_options so;
    so.charset = !utf8_;  // RFC 6855 section 3: no CHARSET once UTF8=ACCEPT is on
    if (query.append_to(b, so)) throw request_error(errc::invalid_argument, "UID SEARCH: invalid criteria");
    command cmd = finish(b, "UID SEARCH");

    search_result out;
    out.uid = true;
    out.extended = esearch;
    bool malformed = false;
    execute(cmd, [&](response& r) {
        if (r.is_status() || (r.name != "SEARCH" && r.name != "ESEARCH")) return false;
        std::error_code ec;
        auto s = parse_search(r, ec);
        if (!s) {
            malformed = true;
            return true;
        }
        if (s->extended) {
            // ESEARCH (TAG "x"): only the answer to this command counts.
            if (!s->tag.empty() && s->tag != cmd.tag) return false;
            out.min = s->min;
            out.max = s->max;
            out.count = s->count;
            out.modseq = s->modseq;
            for (const auto& rg : s->all.ranges()) out.all.add_range(rg.first, rg.last);
        } else {
            for (const auto& rg : s->all.ranges()) out.all.add_range(rg.first, rg.last);
            if (s->modseq) out.modseq = s->modseq;
        }
        return true;
    });
    if (malformed) fail(errc::malformed_reply, "UID SEARCH: malformed SEARCH response");
    out.all.normalize();
    if (!esearch) {
        // The same figures from a plain SEARCH answer.
        if (!out.all.empty()) {
            out.min = out.all.ranges().front().first;
            out.max = out.all.ranges().back().last;
        }
        out.count = static_cast<std::uint32_t>(out.all.count().value_or(0));
        if (!ret.all) out.all = {};
        if (!ret.min) out.min.reset();
        if (!ret.max) out.max.reset();
        if (!ret.count) out.count.reset();
    } else if (ret.count && !out.count) {
        out.count = 0;  // RFC 4731: COUNT 0 may be left out with no match
    }
    return out;
}

} // namespace pigeon::imap
