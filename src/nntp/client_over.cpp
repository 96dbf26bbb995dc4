// The NNTP client's overview and header commands: LIST OVERVIEW.FMT (once
// per connection), OVER, XOVER, HDR, XHDR, and the overview built from
// HDR / XHDR for a server that has neither OVER nor XOVER.
#include <map>
#include <utility>

#include "detail/client_util.hpp"
#include "pigeon/net/ascii.hpp"
#include "pigeon/nntp/client.hpp"

namespace pigeon::nntp {

void client::read_overview_fmt_reply() {
    reply r = read_status("LIST OVERVIEW.FMT");
    overview_format fmt;
    if (r.code == 215) {
        std::string block;
        read_block(net::string_sink(block), opts_.limits.max_overview_fmt_bytes, "reading LIST OVERVIEW.FMT");
        fmt = overview_format::parse(net::ascii::split_lines(block));
    } else if (r.code < 400) {
        unexpected("LIST OVERVIEW.FMT", r);
    }
    // QUIRK(RFC 977 / 2980 servers): no LIST OVERVIEW.FMT, or an empty one:
    // their XOVER lines carry the standard fields in the standard order.
    if (fmt.empty()) fmt = overview_format::standard();
    overview_fmt_ = std::move(fmt);
}

const overview_format& client::overview_fmt() {
    if (overview_fmt_) return *overview_fmt_;
    std::error_code ec;
    auto cmd = encode_list_overview_fmt(ec);
    detail::require_encoded(cmd, ec, "LIST OVERVIEW.FMT");
    ensure_reader();
    send(cmd, ec, "LIST OVERVIEW.FMT");
    read_overview_fmt_reply();
    return *overview_fmt_;
}

void client::over(const range& r, const std::function<void(const overview_entry&)>& each) {
    if (r.empty()) {
        require_connected("OVER");
        return;
    }
    overview(&r, nullptr, each);
}

void client::over(std::string_view message_id, const std::function<void(const overview_entry&)>& each) {
    if (!is_valid_message_id(message_id)) throw request_error(errc::invalid_argument, "OVER: not a message-id");
    std::string id(message_id);
    overview(nullptr, &id, each);
}

void client::over(const std::function<void(const overview_entry&)>& each) { overview(nullptr, nullptr, each); }

std::vector<overview_entry> client::over(const range& r) {
    std::vector<overview_entry> out;
    over(r, [&](const overview_entry& e) {
        check_room(out.size(), "OVER");
        out.push_back(e);
    });
    return out;
}

void client::overview(const range* r, const std::string* message_id,
                      const std::function<void(const overview_entry&)>& each) {
    require_connected("OVER");
    ensure_reader();
    const bool has_over = session_.caps_known() && session_.caps().over();
    // XOVER has no message-id form; without OVER that takes the HDR route.
    if (!has_over && (xover_unknown_ || message_id)) {
        overview_from_headers(r, message_id, each);
        return;
    }
    std::error_code ec;
    std::optional<command_line> cmd;
    if (has_over) cmd = message_id ? encode_over(*message_id, ec) : r ? encode_over(*r, ec) : encode_over(ec);
    else cmd = r ? encode_xover(*r, ec) : encode_xover(ec);
    const char* what = has_over ? "OVER" : "XOVER";
    detail::require_encoded(cmd, ec, what);
    if (!overview_fmt_) {
        // The format goes out with the first OVER, in one write: one round
        // trip fewer.
        std::error_code fec;
        auto fmt_cmd = encode_list_overview_fmt(fec);
        detail::require_encoded(fmt_cmd, fec, "LIST OVERVIEW.FMT");
        conn_.write_lines({fmt_cmd->line, cmd->line});
        read_overview_fmt_reply();
    } else {
        send(cmd, ec, what);
    }
    const overview_format& fmt = *overview_fmt_;
    reply rep = read_status(what);
    if (!has_over && (rep.code == 500 || rep.code == 503)) {
        // Neither OVER listed nor XOVER known: the standard fields from HDR.
        xover_unknown_ = true;
        overview_from_headers(r, message_id, each);
        return;
    }
    if (rep.code != 224) {
        if (rep.code >= 400) refused(what, rep);
        unexpected(what, rep);
    }
    read_lines(what, [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_overview_line(line, fmt, lec);
        if (!e) bad_line(what, line, lec);
        each(*e);
    });
}

namespace {

struct header_source {
    std::string_view hdr_name;   // for HDR (RFC 3977: metadata items for bytes and lines)
    std::string_view xhdr_name;  // for XHDR (RFC 2980: the overview header names)
};

constexpr header_source standard_sources[] = {
    {"Subject", "Subject"},       {"From", "From"},           {"Date", "Date"}, {"Message-ID", "Message-ID"},
    {"References", "References"}, {":bytes", "Bytes"},        {":lines", "Lines"},
};

void set_field(overview_entry& e, std::size_t index, std::string_view value) {
    switch (index) {
    case 0: e.subject.assign(value); break;
    case 1: e.from.assign(value); break;
    case 2: e.date.assign(value); break;
    case 3: e.message_id.assign(value); break;
    case 4: e.references.assign(value); break;
    default: {
        std::error_code ignored;
        auto n = parse_article_number(value, ignored);
        (index == 5 ? e.bytes : e.lines) = n;
    }
    }
}

} // namespace

void client::overview_from_headers(const range* r, const std::string* message_id,
                                   const std::function<void(const overview_entry&)>& each) {
    const bool use_hdr = session_.caps_known() && session_.caps().hdr();
    const char* what = use_hdr ? "HDR" : "XHDR";
    const int ok = use_hdr ? 225 : 221;
    std::vector<std::string> lines;
    for (const auto& src : standard_sources) {
        std::string_view field = use_hdr ? src.hdr_name : src.xhdr_name;
        std::error_code ec;
        std::optional<command_line> cmd;
        if (use_hdr) cmd = message_id ? encode_hdr(field, *message_id, ec) : r ? encode_hdr(field, *r, ec) : encode_hdr(field, ec);
        else cmd = message_id ? encode_xhdr(field, *message_id, ec) : r ? encode_xhdr(field, *r, ec) : encode_xhdr(field, ec);
        detail::require_encoded(cmd, ec, what);
        lines.push_back(std::move(cmd->line));
    }
    // All seven in one write; the replies are read in order.
    conn_.write_lines(lines);
    std::map<article_number, overview_entry> entries;
    std::optional<reply> first_refusal;
    try {
        for (std::size_t i = 0; i < lines.size(); ++i) {
            reply rep = read_status(what);
            if (rep.code != ok) {
                if (rep.code < 400) unexpected(what, rep);
                // A standard header refused decides the outcome if nothing
                // else comes back; bytes and lines are only nice to have.
                if (!first_refusal && i < 5) first_refusal = rep;
                continue;
            }
            read_lines(what, [&](std::string_view line) {
                std::error_code lec;
                auto h = parse_hdr_line(line, lec);
                if (!h) bad_line(what, line, lec);
                auto it = entries.find(h->number);
                if (it == entries.end()) {
                    check_room(entries.size(), "OVER (from HDR)");
                    it = entries.emplace(h->number, overview_entry{}).first;
                    it->second.number = h->number;
                }
                set_field(it->second, i, h->value);
            });
        }
    } catch (...) {
        close();  // replies may still be in flight
        throw;
    }
    if (entries.empty() && first_refusal) refused("OVER (from HDR)", *first_refusal);
    for (const auto& [n, e] : entries) each(e);
}

// ---- HDR / XHDR ---------------------------------------------------------------------

void client::header(std::string_view field, const range* r, const std::string* message_id,
                    const std::function<void(const hdr_entry&)>& each) {
    require_connected("HDR");
    {
        // Checked before MODE READER may go out.
        std::error_code vec;
        detail::require_encoded(encode_hdr(field, vec), vec, "HDR");
        if (message_id && !is_valid_message_id(*message_id))
            throw request_error(errc::invalid_argument, "HDR: not a message-id");
    }
    ensure_reader();
    const bool use_hdr = session_.caps_known() && session_.caps().hdr();
    const char* what = use_hdr ? "HDR" : "XHDR";
    std::error_code ec;
    std::optional<command_line> cmd;
    if (use_hdr) cmd = message_id ? encode_hdr(field, *message_id, ec) : r ? encode_hdr(field, *r, ec) : encode_hdr(field, ec);
    else cmd = message_id ? encode_xhdr(field, *message_id, ec) : r ? encode_xhdr(field, *r, ec) : encode_xhdr(field, ec);
    listing(cmd, ec, use_hdr ? 225 : 221, what, [&](std::string_view line) {
        std::error_code lec;
        auto h = parse_hdr_line(line, lec);
        if (!h) bad_line(what, line, lec);
        each(*h);
    });
}

void client::hdr(std::string_view field, const range& r, const std::function<void(const hdr_entry&)>& each) {
    if (r.empty()) {
        require_connected("HDR");
        return;
    }
    header(field, &r, nullptr, each);
}

void client::hdr(std::string_view field, std::string_view message_id,
                 const std::function<void(const hdr_entry&)>& each) {
    std::string id(message_id);
    header(field, nullptr, &id, each);
}

void client::hdr(std::string_view field, const std::function<void(const hdr_entry&)>& each) {
    header(field, nullptr, nullptr, each);
}

std::vector<hdr_entry> client::hdr(std::string_view field, const range& r) {
    std::vector<hdr_entry> out;
    hdr(field, r, [&](const hdr_entry& e) {
        check_room(out.size(), "HDR");
        out.push_back(e);
    });
    return out;
}

} // namespace pigeon::nntp
