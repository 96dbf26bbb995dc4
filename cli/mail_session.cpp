#include "mail_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cctype>
#include <charconv>
#include <map>

#include "config.hpp"
#include "oauth2_login.hpp"

namespace pigeon::cli::mail {

void mail_flags::add_to(CLI::App& app, const std::string& args_name, const std::string& args_help,
                        const char* json_help) {
    app.add_option(args_name, args, args_help);
    app.add_option("--account", account, "Account of the configuration file (default: PIGEON_ACCOUNT, else the "
                                         "default account)")
        ->type_name("NAME");
    app.add_option("--folder", folder, "IMAP folder (overrides the URL's path; default INBOX)")->type_name("NAME");
    conn.add_connection_to(app);
    if (json_help) app.add_flag("--json", json, json_help);
}

target resolve_target(const mail_flags& f, bool account_positional) {
    target t;
    std::vector<std::string> rest = f.args;
    std::string url;
    std::string account_name = f.account;
    if (!rest.empty() && rest.front().find("://") != std::string::npos) {
        url = rest.front();
        rest.erase(rest.begin());
    } else if (account_positional && !rest.empty() && account_name.empty()) {
        account_name = rest.front();
        rest.erase(rest.begin());
    }
    if (!url.empty() && !f.account.empty())
        throw exit_error(exit_usage, "give a URL or --account, not both");
    const account_config* a = nullptr;
    config_file cfg;
    if (url.empty()) {
        cfg = load_config(first_of(f.conn.config, env_value("PIGEON_CONFIG")));
        account_name = first_of(account_name, env_value("PIGEON_ACCOUNT"));
        a = account_name.empty() ? cfg.default_account() : cfg.find(account_name);
        if (!a) {
            if (account_name.empty())
                throw exit_error(exit_usage, "give a URL (imaps://user@host/INBOX, pop3s://user@host) or --account NAME");
            throw exit_error(exit_config, (cfg.loaded ? cfg.path + ": no account named "
                                                      : std::string("no configuration file for account ")) +
                                              printable(account_name));
        }
    }
    t.src = resolve_source(f.conn, a, url);
    t.pop3 = t.src.source.ep.proto == net::protocol::pop3;
    const auto& ep = t.src.source.ep;
    t.account = a ? a->name : (t.src.source.user.empty() ? "" : t.src.source.user + "@") + ep.host;
    std::string path = url_folder(t.src.url);
    t.folder = !f.folder.empty() ? f.folder : path;
    t.folder_given = !t.folder.empty();
    if (t.pop3) {
        if (t.folder_given && t.folder != "INBOX") throw exit_error(exit_usage, "POP3 has one maildrop and no folders");
        t.folder = "INBOX";
    } else if (t.folder.empty()) {
        t.folder = "INBOX";
    }
    t.rest = std::move(rest);
    // Only this process logs in: commands it starts do not inherit secrets.
    ::unsetenv("PIGEON_PASSWORD");
    ::unsetenv("PIGEON_PROXY_PASSWORD");
    return t;
}

namespace {

bool needs_login(const imap::client& c) { return c.state() == imap::state::not_authenticated; }
bool needs_login(const pop3::client&) { return true; }

/// Connected, and logged in unless no user is set or the server greeted
/// with PREAUTH (IMAP).
template <class Client, class Options> Client open_client(const target& t) {
    Options o;
    o.net = t.src.source.net;
    Client c;
    c.connect(t.src.source.ep, o);
    if (!t.src.source.user.empty() && needs_login(c))
        oauth2::authenticate_with_token(c, credentials_of(t.src.source), selection_of(t.src.source),
                                        t.src.source.oauth2.get());
    return c;
}

} // namespace

imap::client open_imap(const target& t) { return open_client<imap::client, imap::client_options>(t); }

pop3::client open_pop3(const target& t) { return open_client<pop3::client, pop3::client_options>(t); }

const imap::mailbox_status& open_folder(imap::client& c, const std::string& folder, bool writable) {
    try {
        return writable ? c.select(folder) : c.examine(folder);
    } catch (const core::command_error& e) {
        if (e.is_transient()) throw;
        throw exit_error(exit_noinput, "cannot open folder " + printable(folder) + ": " +
                                           printable(e.server_reply().text()));
    }
}

std::vector<message_id> parse_ids(const std::vector<std::string>& words) {
    std::vector<message_id> out;
    auto number = [](std::string_view s, std::uint32_t& n) {
        if (s.empty() || s.front() == '0') return false;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        return ec == std::errc() && p == s.data() + s.size() && n > 0;
    };
    for (const auto& w : words) {
        message_id id;
        id.text = w;
        std::string_view s = w;
        auto colon = s.find(':');
        bool ok = false;
        if (colon == std::string_view::npos) {
            ok = number(s, id.uid);
        } else {
            std::uint32_t v = 0;
            ok = number(s.substr(0, colon), v) && number(s.substr(colon + 1), id.uid);
            id.uidvalidity = v;
        }
        if (!ok)
            throw exit_error(exit_usage, "not a message id: " + printable(w) +
                                             " (want a UID or UIDVALIDITY:UID as `pigeon list` prints)");
        out.push_back(std::move(id));
    }
    if (out.empty()) throw exit_error(exit_usage, "give the ids of the messages (as `pigeon list` prints them)");
    return out;
}

imap::uid_set checked_uids(imap::client& c, const std::vector<message_id>& ids, const std::string& folder) {
    const auto& mb = c.mailbox();
    std::vector<std::uint32_t> uids;
    for (const auto& id : ids) {
        if (id.uidvalidity && mb.uidvalidity && *id.uidvalidity != *mb.uidvalidity)
            throw exit_error(exit_data, "the UIDVALIDITY of " + printable(folder) + " changed (was " +
                                            std::to_string(*id.uidvalidity) + ", now " +
                                            std::to_string(*mb.uidvalidity) + "): id " + printable(id.text) +
                                            " may name another message now; list the folder again");
        uids.push_back(id.uid);
    }
    imap::uid_set wanted = imap::uid_set::from_numbers(uids);
    imap::uid_set found = c.search(imap::search_query::uid(wanted));
    for (std::uint32_t u : wanted)
        if (!found.contains(u))
            throw exit_error(exit_noinput, "no message with UID " + std::to_string(u) + " in " + printable(folder));
    return wanted;
}

std::vector<std::uint32_t> pop3_numbers(pop3::client& c, const std::vector<std::string>& ids) {
    std::map<std::string, std::uint32_t> by_uid;
    c.uidl([&](const pop3::message_uid& m) { by_uid.emplace(m.uid, m.number); });
    std::vector<std::uint32_t> out;
    for (const auto& id : ids) {
        auto it = by_uid.find(id);
        if (it == by_uid.end()) throw exit_error(exit_noinput, "no message with id " + printable(id) + " in the maildrop");
        out.push_back(it->second);
    }
    if (out.empty()) throw exit_error(exit_usage, "give the ids of the messages (as `pigeon list` prints them)");
    return out;
}

std::string flag_name(const std::string& word) {
    static const char* system[] = {"Seen", "Flagged", "Answered", "Deleted", "Draft"};
    std::string w = word;
    if (!w.empty() && w[0] == '\\') w.erase(0, 1);
    for (const char* f : system) {
        std::string_view fv(f);
        if (w.size() == fv.size() &&
            std::equal(w.begin(), w.end(), fv.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return "\\" + std::string(f);
    }
    bool atom = !word.empty() && word[0] != '\\';
    for (char c : word)
        if (c <= ' ' || c >= 127 || std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) atom = false;
    if (!atom)
        throw exit_error(exit_usage, "not a flag: " + printable(word) +
                                         " (seen, flagged, answered, deleted, draft, or a keyword such as $Label1)");
    return word;
}

std::string copied_text(const char* verb, const imap::uid_set& uids, const std::string& to,
                        const std::optional<imap::copy_uid>& result) {
    std::string out;
    std::error_code ec;
    auto pairs = result ? result->pairs(100000, ec) : std::nullopt;
    if (!pairs) return std::string(verb) + " UIDs " + uids.to_string() + " to " + printable(to) + "\n";
    for (const auto& [from, into] : *pairs)
        out += std::string(verb) + " UID " + std::to_string(from) + " to " + printable(to) + " as " +
               std::to_string(result->uidvalidity) + ":" + std::to_string(into) + "\n";
    return out;
}

net::sink_fn fd_sink(int fd) {
    return [fd](std::string_view b) {
        while (!b.empty()) {
            ssize_t n = ::write(fd, b.data(), b.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                throw exit_error(exit_ioerr, std::string("writing a temporary file: ") + std::strerror(errno));
            }
            b.remove_prefix(static_cast<std::size_t>(n));
        }
    };
}

int guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        return report_exception(e);
    }
}

} // namespace pigeon::cli::mail
