// The NNTP client's listings of groups and news: LIST ACTIVE / NEWSGROUPS /
// ACTIVE.TIMES / COUNTS / HEADERS, NEWGROUPS, NEWNEWS; and DATE.
#include <utility>

#include "detail/client_util.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/nntp/date_reply.hpp"

namespace pigeon::nntp {

void client::list_active(std::string_view wildmat, const std::function<void(const active_entry&)>& each) {
    std::error_code ec;
    auto cmd = encode_list_active(wildmat, ec);
    listing(cmd, ec, 215, "LIST ACTIVE", [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_active_line(line, lec);
        if (!e) bad_line("LIST ACTIVE", line, lec);
        each(*e);
    });
}

std::vector<active_entry> client::list_active(std::string_view wildmat) {
    std::vector<active_entry> out;
    list_active(wildmat, [&](const active_entry& e) {
        check_room(out.size(), "LIST ACTIVE");
        out.push_back(e);
    });
    return out;
}

void client::list_newsgroups(std::string_view wildmat, const std::function<void(const newsgroups_entry&)>& each) {
    std::error_code ec;
    auto cmd = encode_list_newsgroups(wildmat, ec);
    listing(cmd, ec, 215, "LIST NEWSGROUPS", [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_newsgroups_line(line, lec);
        if (!e) bad_line("LIST NEWSGROUPS", line, lec);
        each(*e);
    });
}

std::vector<newsgroups_entry> client::list_newsgroups(std::string_view wildmat) {
    std::vector<newsgroups_entry> out;
    list_newsgroups(wildmat, [&](const newsgroups_entry& e) {
        check_room(out.size(), "LIST NEWSGROUPS");
        out.push_back(e);
    });
    return out;
}

void client::list_active_times(std::string_view wildmat, const std::function<void(const active_times_entry&)>& each) {
    std::error_code ec;
    auto cmd = encode_list_active_times(wildmat, ec);
    listing(cmd, ec, 215, "LIST ACTIVE.TIMES", [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_active_times_line(line, lec);
        if (!e) bad_line("LIST ACTIVE.TIMES", line, lec);
        each(*e);
    });
}

std::vector<active_times_entry> client::list_active_times(std::string_view wildmat) {
    std::vector<active_times_entry> out;
    list_active_times(wildmat, [&](const active_times_entry& e) {
        check_room(out.size(), "LIST ACTIVE.TIMES");
        out.push_back(e);
    });
    return out;
}

void client::list_counts(std::string_view wildmat, const std::function<void(const counts_entry&)>& each) {
    std::error_code ec;
    auto cmd = encode_list_counts(wildmat, ec);
    listing(cmd, ec, 215, "LIST COUNTS", [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_counts_line(line, lec);
        if (!e) bad_line("LIST COUNTS", line, lec);
        each(*e);
    });
}

std::vector<counts_entry> client::list_counts(std::string_view wildmat) {
    std::vector<counts_entry> out;
    list_counts(wildmat, [&](const counts_entry& e) {
        check_room(out.size(), "LIST COUNTS");
        out.push_back(e);
    });
    return out;
}

void client::list_headers(list_headers_form form, const std::function<void(const header_field&)>& each) {
    std::error_code ec;
    auto cmd = encode_list_headers(form, ec);
    listing(cmd, ec, 215, "LIST HEADERS", [&](std::string_view line) {
        std::error_code lec;
        auto f = parse_list_headers_line(line, lec);
        if (!f) bad_line("LIST HEADERS", line, lec);
        each(*f);
    });
}

std::vector<header_field> client::list_headers(list_headers_form form) {
    std::vector<header_field> out;
    list_headers(form, [&](const header_field& f) {
        check_room(out.size(), "LIST HEADERS");
        out.push_back(f);
    });
    return out;
}

void client::newgroups(std::chrono::sys_seconds since, const std::function<void(const active_entry&)>& each) {
    std::error_code ec;
    auto cmd = encode_newgroups(since, ec);
    listing(cmd, ec, 231, "NEWGROUPS", [&](std::string_view line) {
        std::error_code lec;
        auto e = parse_active_line(line, lec);
        if (!e) bad_line("NEWGROUPS", line, lec);
        each(*e);
    });
}

std::vector<active_entry> client::newgroups(std::chrono::sys_seconds since) {
    std::vector<active_entry> out;
    newgroups(since, [&](const active_entry& e) {
        check_room(out.size(), "NEWGROUPS");
        out.push_back(e);
    });
    return out;
}

void client::newnews(std::string_view wildmat, std::chrono::sys_seconds since,
                     const std::function<void(std::string_view)>& each) {
    std::error_code ec;
    auto cmd = encode_newnews(wildmat, since, ec);
    listing(cmd, ec, 230, "NEWNEWS", [&](std::string_view line) {
        std::error_code lec;
        auto id = parse_newnews_line(line, lec);
        if (!id) bad_line("NEWNEWS", line, lec);
        each(*id);
    });
}

std::vector<std::string> client::newnews(std::string_view wildmat, std::chrono::sys_seconds since) {
    std::vector<std::string> out;
    newnews(wildmat, since, [&](std::string_view id) {
        check_room(out.size(), "NEWNEWS");
        out.emplace_back(id);
    });
    return out;
}

std::chrono::sys_seconds client::date() {
    std::error_code ec;
    auto cmd = encode_date(ec);
    detail::require_encoded(cmd, ec, "DATE");
    require_connected("DATE");
    send(cmd, ec, "DATE");
    reply r = expect(111, "DATE");
    std::error_code pec;
    auto t = parse_date_reply(r, pec);
    if (!t) conn_.fail(errc::malformed_reply, "DATE: " + core::excerpt(r.line), to_server_reply(r));
    return *t;
}

} // namespace pigeon::nntp
