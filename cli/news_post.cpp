// pigeon news post: composes an article like `pigeon send` (From, Subject,
// Newsgroups, a text body, MIME attachments, extra headers; a follow-up
// takes References, Newsgroups / Followup-To and "Re:" from its parent), or
// posts a prepared article from a file. Logs in when a user is configured,
// checks that posting is allowed before anything of the article is sent
// (the greeting, CAPABILITIES, then POST's 340 / 440 / 480), prints the
// Message-ID the server accepted. Exit codes: 0 posted, 65 refused (441),
// 77 posting not allowed (440, 480), else as the other commands.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "config.hpp"
#include "news_commands.hpp"
#include "news_overview.hpp"
#include "news_setup.hpp"
#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "send_common.hpp"
#include "send_headers.hpp"

namespace pigeon::cli {
namespace {

struct post_cmd {
    news_flags flags;
    std::string newsgroups;
    std::string from;
    std::string subject;
    bool has_subject = false;
    std::string body;
    std::vector<std::string> attach, headers;
    std::string followup;
    std::string group;
    std::string file;
    bool dry_run = false;
    bool json = false;
};

/// The account's From, when the source is an account.
std::string account_from(const news_flags& f) {
    std::string name = f.account;
    if (name.empty() && !f.args.empty() && f.args.front().find("://") == std::string::npos) name = f.args.front();
    if (name.empty()) return {};
    config_file cfg = load_config(first_of(f.fetch.config, env_value("PIGEON_CONFIG")));
    const account_config* a = cfg.find(name);
    return a ? a->from : std::string();
}

/// The header block of an article held in memory.
header_block header_of(const std::string& text) {
    std::size_t pos = 0;
    return read_header_block(
        [&](char* buf, std::size_t cap) {
            std::size_t n = std::min(cap, text.size() - pos);
            std::copy_n(text.data() + pos, n, buf);
            pos += n;
            return n;
        },
        1 << 20);
}

std::string first_value(const header_block& h, std::string_view name) {
    auto v = field_values(h, name);
    if (v.empty()) return {};
    std::string s = v.front();
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// The parent's References plus its Message-ID, trimmed as posting agents
/// do (RFC 5537 3.4.4): the first and the latest IDs, under 998 octets.
std::string follow_references(const std::string& parent_refs, const std::string& parent_id) {
    std::vector<std::string> ids;
    for (auto id : reference_ids(parent_refs)) ids.emplace_back(id);
    ids.push_back(parent_id);
    auto joined = [&] {
        std::string s;
        for (const auto& id : ids) s += (s.empty() ? "" : " ") + id;
        return s;
    };
    while (ids.size() > 2 && joined().size() > 900) ids.erase(ids.begin() + 1);
    return joined();
}

/// The Message-ID in a 240 reply's text ("240 article <id> received"), if any.
std::string id_in_reply(const std::string& text) {
    auto b = text.find('<');
    auto e = b == std::string::npos ? b : text.find('>', b);
    if (e == std::string::npos) return {};
    std::string id = text.substr(b, e - b + 1);
    return nntp::is_valid_message_id(id) ? id : std::string();
}

int run_post(const post_cmd& p) {
    std::string message_id;
    auto report = [&](int code, const std::string& reply_line, const std::string& error) {
        if (!p.json) return;
        nlohmann::json j;
        j["status"] = code == exit_ok ? "posted" : "failed";
        j["exit_code"] = code;
        j["message_id"] = message_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(message_id);
        j["reply"] = reply_line.empty() ? nlohmann::json(nullptr) : nlohmann::json(reply_line);
        if (!error.empty()) j["error"] = error;
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    };
    try {
        if (!p.file.empty() && (p.has_subject || !p.body.empty() || !p.attach.empty() || !p.followup.empty() ||
                                !p.newsgroups.empty() || !p.headers.empty()))
            throw exit_error(exit_usage, "--file posts the article as it is: no composing options with it");
        news_target t = resolve_news(p.flags);
        if (!t.rest.empty()) throw exit_error(exit_usage, "unexpected argument: " + printable(t.rest.front()));
        if (p.dry_run && p.json) throw exit_error(exit_usage, "--dry-run and --json cannot be used together");

        std::string article;      // a prepared one (--file)
        std::optional<mime::composed_message> composed;
        nntp::client c;
        bool connected = false;
        auto connect = [&] {
            if (connected) return;
            connect_news(c, t.job.source, news_client_options(t, p.flags));
            connected = true;
        };

        if (!p.file.empty()) {
            article = read_text_input(p.file, "article file");
            header_block h = header_of(article);
            for (const char* need : {"Newsgroups", "From", "Subject"})
                if (!has_field(h, need)) throw exit_error(exit_data, printable(p.file) + " has no " + need + " header");
            message_id = first_value(h, "Message-ID");
        } else {
            std::string newsgroups = first_of(p.newsgroups, t.job.folder);
            std::string subject = p.subject;
            std::string references;
            if (!p.followup.empty()) {
                connect();
                std::string group = first_of(p.group, t.job.folder);
                nntp::article_ref ref = p.followup.front() == '<' ? nntp::article_ref(p.followup) : nntp::article_ref(0);
                if (!ref.is_message_id()) {
                    std::error_code ec;
                    auto n = nntp::parse_article_number(p.followup, ec);
                    if (!n) throw exit_error(exit_usage, "--followup-to wants an article number or a <Message-ID>");
                    if (group.empty()) throw exit_error(exit_usage, "--followup-to NUMBER needs the group (URL path or --group)");
                    c.group(group);
                    ref = *n;
                }
                header_block h = header_of(c.head(ref));
                std::string parent_id = first_value(h, "Message-ID");
                if (!nntp::is_valid_message_id(parent_id))
                    throw exit_error(exit_protocol, "the article to follow up has no usable Message-ID");
                references = follow_references(first_value(h, "References"), parent_id);
                if (p.newsgroups.empty()) {
                    std::string fu = first_value(h, "Followup-To");
                    newsgroups = !fu.empty() && fu != "poster" ? fu : first_value(h, "Newsgroups");
                }
                if (!p.has_subject) {
                    std::string s = mime::decode_unstructured(first_value(h, "Subject"));
                    bool re = s.size() >= 3 && (s[0] == 'R' || s[0] == 'r') && (s[1] == 'E' || s[1] == 'e') && s[2] == ':';
                    subject = re ? s : "Re: " + s;
                }
            }
            if (newsgroups.empty())
                throw exit_error(exit_usage, "which groups? --newsgroups, or the group in the URL (nntps://host/GROUP)");
            if (subject.empty() && !p.has_subject) throw exit_error(exit_usage, "give a --subject");
            std::string from = first_of(p.from, env_value("PIGEON_FROM"), account_from(p.flags));
            if (from.empty()) throw exit_error(exit_usage, "no sender: give --from, set PIGEON_FROM, or set from in the account");

            mime::message_builder b;
            b.from(from);
            b.subject(subject);
            b.header("Newsgroups", newsgroups);
            if (!references.empty()) b.header("References", references);
            for (const auto& hd : p.headers) {
                auto colon = hd.find(':');
                if (colon == std::string::npos || colon == 0)
                    throw exit_error(exit_usage, "--header wants 'Name: value', got " + printable(hd));
                std::string value = hd.substr(colon + 1);
                value.erase(0, value.find_first_not_of(" \t"));
                b.header(hd.substr(0, colon), value);
            }
            std::string body = p.body;
            if (body == "-") body = read_text_input("-", "body");
            else if (!body.empty() && body.front() == '@') body = read_text_input(body.substr(1), "body file");
            b.text(body);
            for (const auto& f : p.attach) b.attach_file(f);
            composed = b.build();
            message_id = composed->message_id();
        }

        if (p.dry_run) {
            if (composed) std::cout << composed->str();
            else std::cout << article;
            std::cout.flush();
            return std::cout ? exit_ok : exit_ioerr;
        }
        connect();
        // Posting allowed? A 201 greeting before a login, or a CAPABILITIES
        // list without POST, says no before the article is even read.
        bool logged_in = !t.job.source.user.empty();
        if (!logged_in && c.info().greeting_code == 201 && !c.capabilities().has("AUTHINFO"))
            throw exit_error(exit_noperm, "the server does not allow posting (greeting 201)");
        if (logged_in && !c.capabilities().empty() && !c.capabilities().post())
            throw exit_error(exit_noperm, "the server does not allow " + printable(t.job.source.user) + " to post");
        nntp::reply r;
        try {
            r = composed ? c.post(net::source_fn(composed->source())) : c.post(article);
        } catch (const core::command_error& e) {
            int code = e.server_reply().code;
            if (code == 440 || code == 480) {
                std::string hint = code == 480 && !logged_in ? " (log in: user@ in the URL, --user, or user in the account)" : "";
                throw exit_error(exit_noperm, std::string("posting refused: ") + e.what() + hint);
            }
            if (code == 441) throw exit_error(exit_data, std::string("article refused: ") + e.what());
            throw;
        }
        if (std::string id = id_in_reply(r.text); !id.empty()) message_id = id;
        try {
            c.quit();
        } catch (const std::exception&) {
        }
        if (p.json) report(exit_ok, std::to_string(r.code) + " " + r.text, {});
        else std::cout << message_id << std::endl;
        return exit_ok;
    } catch (const CLI::Error& e) {
        error_line(printable(e.what()));
        report(exit_usage, {}, e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        int code = report_exception(e);
        report(code, {}, e.what());
        return code;
    }
}

} // namespace

std::function<int()> setup_news_post(CLI::App& sub) {
    auto p = std::make_shared<post_cmd>();
    p->flags.add_to(sub, "ACCOUNT or URL (nntps://user@host/GROUP: the group posted to)");
    sub.add_option("--newsgroups", p->newsgroups, "Groups to post to, comma-separated (default: the URL's)")
        ->type_name("GROUPS");
    sub.add_option("--from", p->from, "Poster: 'Name <addr>' or addr (default: PIGEON_FROM, the account's from)")
        ->type_name("ADDR");
    sub.add_option("-s,--subject", p->subject, "Subject (UTF-8)")->type_name("TEXT")->each([p](const std::string&) {
        p->has_subject = true;
    });
    sub.add_option("--body", p->body, "Text body: TEXT, @FILE, or - for standard input (UTF-8)");
    sub.add_option("--attach", p->attach, "Attach FILE (repeatable)")->type_name("FILE")->allow_extra_args(false);
    sub.add_option("--header", p->headers, "Extra header 'Name: value' (repeatable)")
        ->type_name("'NAME: VALUE'")
        ->allow_extra_args(false);
    sub.add_option("--followup-to", p->followup,
                   "Follow up to this article (number in the group, or <Message-ID>): References, groups and "
                   "\"Re:\" from it")
        ->type_name("ARTICLE");
    sub.add_option("--group", p->group, "The group of --followup-to NUMBER (default: the URL's)")->type_name("GROUP");
    sub.add_option("--file", p->file, "Post this prepared article (headers, blank line, body) as it is; - for standard input")
        ->type_name("FILE");
    sub.add_flag("--dry-run", p->dry_run, "Print the article instead of posting it");
    sub.add_flag("--json", p->json, "Print {status, exit_code, message_id, reply} as JSON");
    return [p] { return run_post(*p); };
}

} // namespace pigeon::cli
