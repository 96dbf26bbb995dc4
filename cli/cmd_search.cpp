// pigeon search ACCOUNT|URL QUERY...: the messages matching a query (see
// mail_query.hpp), translated to IMAP UID SEARCH (ESEARCH when offered),
// printed as `pigeon list` prints. POP3 cannot search: each message of the
// maildrop is tested here (its header by TOP; RETR for body and text). --explain prints the IMAP criteria and
// contacts no server. A query that does not parse: exit 64 with its position.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "mail_listing.hpp"
#include "mail_query.hpp"
#include "show_common.hpp"

namespace pigeon::cli {
namespace {

const registrar search_cmd{command_info{
    "search", "Search a mail folder or maildrop: from alice and since 2026-01-01 and not seen",
    [](CLI::App& sub) -> std::function<int()> {
        struct state {
            mail::mail_flags f;
            mail::listing_flags l;
            bool explain = false;
        };
        auto s = std::make_shared<state>();
        s->f.add_to(sub, "args", "[URL] QUERY...: from, to, subject, body, text, header NAME VALUE, since, before, "
                                 "on, larger, smaller, seen, flagged, ...; and, or, not, ( )",
                    "A JSON array, as `pigeon list --json`");
        s->l.add_to(sub);
        sub.add_flag("--explain", s->explain, "Print the IMAP SEARCH criteria of the query and exit");
        return [s] {
            return mail::guarded([&] {
                std::vector<std::string> words = s->f.args;
                mail::target t;
                if (!s->explain) t = mail::resolve_target(s->f, false);
                else if (!words.empty() && words.front().find("://") != std::string::npos) words.erase(words.begin());
                if (!s->explain) words = t.rest;
                std::string text = mail::query_text(words);
                mail::parsed_query pq = mail::parse_query(text, mail::utc_today());
                if (!pq.query) {
                    error_line(mail::format_error(text, pq.error));
                    return exit_usage;
                }
                if (pq.empty) throw exit_error(exit_usage, "give a query (or use pigeon list)");
                if (s->explain) {
                    show::write_out(mail::describe(*pq.query) + "\n");
                    show::finish_output();
                    return exit_ok;
                }
                return mail::run_listing(s->f, s->l, t, &pq);
            });
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
