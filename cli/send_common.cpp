#include "send_common.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "fetch_setup.hpp"
#include "password_command.hpp"
#include "pigeon/mime/compose_address.hpp"
#include "pigeon/mime/compose_error.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/sasl/error.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::cli {
namespace {

std::vector<std::string> split_list(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        std::size_t start = 0;
        while (start <= item.size()) {
            auto comma = item.find(',', start);
            std::string part = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.erase(part.begin());
            while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.pop_back();
            if (!part.empty()) out.push_back(part);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

/// The domain of the address in a From value ("Ann <ann@x.org>" -> x.org).
std::string domain_of(const std::string& from) {
    mime::compose_address a;
    if (mime::parse_compose_address(from, a, true)) return {};
    auto at = a.address.rfind('@');
    return at == std::string::npos ? std::string() : a.address.substr(at + 1);
}

bool is_auth_refusal(const smtp::reply& r) {
    if (r.code == 530) return true;
    return r.status && r.status->klass == 5 && r.status->subject == 7 && (r.status->detail <= 1);
}

} // namespace

void connection_flags::add_to(CLI::App& app) {
    app.add_option("--server", server,
                   "Server URL: smtp://host[:port] (STARTTLS required), smtps://host[:port] (implicit TLS), "
                   "lmtp://host[:port], lmtp:///path or a unix socket path")
        ->type_name("URL");
    app.add_option("--account", account, "Use this account of the configuration file (default: the default one)")
        ->type_name("NAME");
    app.add_option("--config", config, "Configuration file (default: $XDG_CONFIG_HOME/pigeon/config.toml)")
        ->type_name("FILE");
    app.add_option("--user", user, "Log in with this user name (AUTH); the password comes from --password-command, "
                                    "PIGEON_PASSWORD or the account")
        ->type_name("USER");
    app.add_option("--password-command", password_command,
                   "Run CMD with /bin/sh -c and use its output (trailing line end removed) as the password")
        ->type_name("CMD");
    app.add_option("--auth-mech", auth_mechanisms,
                   "Allow only these SASL mechanisms (repeatable or comma list, e.g. SCRAM-SHA-256)")
        ->type_name("MECH")
        ->allow_extra_args(false);
    app.add_flag("--allow-cleartext-login", allow_cleartext,
                 "Allow a password over a connection without TLS (with --tls none, for a local test server)");
    app.add_option("--timeout", timeout, "Connect, I/O and password command timeout in seconds (default 60)")
        ->check(CLI::PositiveNumber);
    tls.add_to(app);
    trace.add_to(app);
}

send_settings resolve_settings(const connection_flags& flags, bool need_server, int missing_server_code) {
    send_settings s;
    config_file cfg = load_config(first_of(flags.config, env_value("PIGEON_CONFIG")));
    const account_config* acc = nullptr;
    std::string wanted = first_of(flags.account, env_value("PIGEON_ACCOUNT"));
    if (!wanted.empty()) {
        acc = cfg.find(wanted);
        if (!acc) {
            if (!cfg.loaded)
                throw exit_error(exit_config, "account " + printable(wanted) + " requested, but there is no "
                                              "configuration file" + (cfg.path.empty() ? "" : " (" + cfg.path + ")"));
            throw exit_error(exit_config, cfg.path + ": no account named " + printable(wanted));
        }
    } else {
        acc = cfg.default_account();
    }
    account_config none;
    const account_config& a = acc ? *acc : none;
    s.account = a.name;
    s.aliases = cfg.aliases;

    s.server_url = first_of(flags.server, env_value("PIGEON_SERVER"), a.server);
    if (s.server_url.empty()) {
        if (need_server)
            throw exit_error(missing_server_code,
                             "no server: give --server URL, set PIGEON_SERVER, or configure an account in " +
                                 (cfg.path.empty() ? std::string("config.toml") : cfg.path));
    } else {
        std::error_code ec;
        auto ep = net::parse_endpoint(s.server_url, ec);
        if (!ep || (ep->proto != net::protocol::smtp && ep->proto != net::protocol::lmtp))
            throw exit_error(flags.server.empty() ? exit_config : exit_usage,
                             "not an SMTP server URL: " + printable(s.server_url) +
                                 " (want smtp://host[:port], smtps://host[:port], lmtp://host or a socket path)");
        s.ep = *ep;
    }

    tls_flags t = merged_tls(flags.tls, a);
    if (!s.server_url.empty()) s.client.net.tls = t.apply(s.ep);
    s.client.net.proxy = t.proxy_options(a.proxy, "account " + a.name + ": proxy");
    s.client.net.trace = flags.trace.options();
    double timeout = flags.timeout > 0 ? flags.timeout : a.timeout.value_or(60);
    auto ms = std::chrono::milliseconds(static_cast<long long>(timeout * 1000));
    s.client.net.connect.connect_timeout = ms;
    s.client.net.connect.io_timeout = ms;
    s.password_timeout = ms;
    s.client.nul = flags.strip_nul ? net::nul_policy::strip : net::nul_policy::refuse;

    s.user = first_of(flags.user, env_value("PIGEON_USER"), a.user, s.ep.user);
    if (!s.user.empty()) {
        if (!flags.password_command.empty()) {
            s.password_command = flags.password_command;
            s.password_origin = "--password-command";
        } else if (const char* pw = std::getenv("PIGEON_PASSWORD"); pw && *pw) {
            s.password = std::string(pw);
        } else if (std::string c = env_value("PIGEON_PASSWORD_COMMAND"); !c.empty()) {
            s.password_command = c;
            s.password_origin = "PIGEON_PASSWORD_COMMAND";
        } else if (!a.password_command.empty()) {
            s.password_command = a.password_command;
            s.password_origin = "account " + a.name + ": password_command";
        } else if (a.password) {
            s.password = *a.password;
        }
    }
    s.auth_mechanisms = split_list(flags.auth_mechanisms.empty() ? a.auth_mechanisms : flags.auth_mechanisms);
    s.allow_cleartext = flags.allow_cleartext;
    if (a.oauth2 && !s.user.empty() && flags.password_command.empty()) {
        s.oauth2 = std::make_shared<oauth2_login>(
            make_oauth2_settings(a, state_root(""), t.ca_file, s.client.net.proxy, ms, s.client.net.trace.hook));
        s.auth_mechanisms = oauth2_mechanisms(s.auth_mechanisms);
    }
    s.from = first_of(flags.from, env_value("PIGEON_FROM"), a.from);
    s.domain = first_of(a.domain, domain_of(s.from));
    return s;
}

tls_flags merged_tls(const tls_flags& flags, const account_config& a) {
    tls_flags t = flags;
    if (t.mode.empty()) t.mode = first_of(env_value("PIGEON_TLS"), a.tls);
    if (!t.mode.empty() && t.mode != "starttls" && t.mode != "implicit" && t.mode != "none")
        throw exit_error(exit_config, "PIGEON_TLS must be starttls, implicit or none");
    if (t.ca_file.empty()) t.ca_file = first_of(env_value("PIGEON_TLS_CA"), a.tls_ca);
    if (t.pins.empty()) t.pins = a.pins;
    t.insecure = t.insecure || a.insecure;
    if (!t.ca_file.empty() && ::access(t.ca_file.c_str(), R_OK) != 0)
        throw exit_error(exit_config, "cannot read the CA file " + printable(t.ca_file) + ": " + std::strerror(errno));
    return t;
}

sasl::credentials credentials(const send_settings& s) {
    sasl::credentials c;
    c.username = s.user;
    c.host = s.ep.host;
    c.port = s.ep.port;
    if (s.oauth2) {
        c.oauth_token = s.oauth2->access_token();
    } else if (s.password) {
        c.password = *s.password;
    } else if (!s.password_command.empty()) {
        password_command_options o;
        o.timeout = s.password_timeout;
        c.password = run_password_command(s.password_command, s.password_origin, o);
    } else {
        throw exit_error(exit_config, "no password for user " + printable(s.user) +
                                          ": use --password-command, PIGEON_PASSWORD, or password_command in the "
                                          "account");
    }
    return c;
}

void deliver(const send_settings& s, smtp::envelope env, const net::source_fn& source, delivery_report& report,
             const envelope_adjuster& adjust, const sent_hook& on_sent) {
    // The password first: a prompt or a failing command before any
    // connection is opened (nothing to time out meanwhile).
    std::optional<sasl::credentials> creds;
    if (!s.user.empty()) creds = credentials(s);

    report.stage = "connect";
    smtp::client c;
    c.connect(s.ep, s.client);
    if (const auto* t = c.channel().tls()) report.tls = *t;
    report.auth_offer = c.capabilities().auth_mechanisms;
    report.auth_offered = !report.auth_offer.empty();
    if (creds) {
        report.stage = "auth";
        sasl::selection_options sel;
        sel.allowed = s.auth_mechanisms;
        sel.allow_cleartext_secrets = s.allow_cleartext;
        oauth2::authenticate_with_token(c, *creds, sel, s.oauth2.get());
        std::fill(creds->password.begin(), creds->password.end(), '\0');
        report.auth_mechanism = c.info().auth_mechanism;
    }
    report.stage = "send";
    if (adjust) adjust(c.capabilities(), env);
    report.result = c.send(env, source);
    if (on_sent) on_sent(report);
    report.stage = "quit";
    // The message is delivered: a failing QUIT changes nothing.
    try {
        c.quit();
    } catch (const std::exception&) {
    }
    report.stage = "done";
}

int exit_code_for_result(const smtp::send_result& r) {
    if (r.all_accepted()) return exit_ok;
    bool permanent = false;
    for (const auto& rr : r.recipients)
        if (const auto* ref = rr.refusal(); ref && !ref->transient()) permanent = true;
    return permanent ? exit_nouser : exit_tempfail;
}

void report_refusals(const smtp::send_result& r) {
    std::size_t refused = 0;
    for (const auto& rr : r.recipients) {
        const auto* ref = rr.refusal();
        if (!ref) continue;
        ++refused;
        std::string text = ref->to_string();
        for (auto& ch : text)
            if (ch == '\n') ch = ' ';
        error_line("recipient refused: " + printable(rr.address) + ": " + printable(text));
    }
    if (refused > 0 && refused < r.recipients.size())
        error_line("the message went to the other " + std::to_string(r.recipients.size() - refused) +
                   " recipient(s)" + (queue_id(r.final_reply).empty() ? "" : " (queued as " +
                                                                              printable(queue_id(r.final_reply)) + ")"));
}

int report_failure(const std::exception& e, const send_settings* s, const delivery_report& report) {
    int code = exit_code_for(e);
    std::string hint;
    const bool no_user = s && s->user.empty();
    if (const auto* se = dynamic_cast<const smtp::send_error*>(&e)) {
        const smtp::reply rep = smtp::to_reply(se->server_reply());
        if (se->code() == smtp::errc::recipients_refused) {
            for (const auto& rr : se->results()) {
                const auto* ref = rr.refusal();
                if (!ref) continue;
                std::string text = ref->to_string();
                for (auto& ch : text)
                    if (ch == '\n') ch = ' ';
                error_line("recipient refused: " + printable(rr.address) + ": " + printable(text));
            }
            code = se->is_transient() ? exit_tempfail : exit_nouser;
            bool all_auth = !se->results().empty();
            for (const auto& rr : se->results())
                if (const auto* ref = rr.refusal(); !ref || !is_auth_refusal(*ref)) all_auth = false;
            if (all_auth && no_user && report.auth_offered) code = exit_noperm;
        } else if (se->code() == smtp::errc::sender_refused) {
            if (rep.transient()) code = exit_tempfail;
            else if (is_auth_refusal(rep) && no_user) code = exit_noperm;
            else if (rep.status && rep.status->subject == 1) code = exit_data;
            else code = exit_unavailable;
        } else if (se->code() == smtp::errc::data_refused) {
            if (rep.transient()) code = exit_tempfail;
            else if (rep.code == 552 || (rep.status && (rep.status->subject == 6 ||
                                                        (rep.status->subject == 3 && rep.status->detail == 4))))
                code = exit_data;
            else code = exit_unavailable;
        }
        if (code == exit_noperm)
            hint = "the server requires authentication (it offers AUTH " +
                   [&] {
                       std::string m;
                       for (const auto& x : report.auth_offer) m += (m.empty() ? "" : " ") + x;
                       return printable(m);
                   }() +
                   "): configure a user with --user, PIGEON_USER or the account's user";
    } else if (const auto* ae = dynamic_cast<const smtp::auth_error*>(&e)) {
        if (ae->code() == smtp::errc::no_mechanism && s && s->ep.tls == net::tls_mode::none)
            hint = "PLAIN and LOGIN are never sent without TLS; do not use --tls none to log in";
    }
    std::string msg = e.what();
    if (const auto* sys = dynamic_cast<const std::system_error*>(&e); sys && sys->code() == net::errc::nul_in_data) {
        // The library closed the connection in the middle of the data: the
        // server dropped the transaction, nothing was delivered.
        code = exit_data;
        msg = "the message contains a NUL byte, which cannot be sent; nothing was delivered";
        hint = "remove it, or use --strip-nul to delete NUL bytes from the message";
    }
    if (const auto* se = dynamic_cast<const smtp::send_error*>(&e); se && se->code() == smtp::errc::recipients_refused)
        msg = "no recipient was accepted; nothing was sent";
    if (dynamic_cast<const net::tls_error*>(&e)) msg = "TLS: " + msg;
    if (report.stage == "connect" && s && dynamic_cast<const net::transport_error*>(&e) &&
        !dynamic_cast<const smtp::protocol_error*>(&e))
        msg = s->server_url + ": " + msg;
    error_line(printable(msg));
    if (!hint.empty()) error_line(hint);
    return code;
}

nlohmann::json reply_json(const smtp::reply& r) {
    if (r.empty()) return nullptr;
    nlohmann::json j;
    j["code"] = r.code;
    j["enhanced"] = r.status ? nlohmann::json(r.status->to_string()) : nlohmann::json(nullptr);
    // Server text may hold any byte: keep it valid UTF-8 for the JSON.
    j["text"] = printable(r.text());
    return j;
}

std::string queue_id(const smtp::reply& r) {
    if (!r.positive()) return {};
    const std::string text = r.text();
    auto token_after = [&](std::size_t pos) {
        std::string id;
        while (pos < text.size() && (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '-' ||
                                     text[pos] == '_' || text[pos] == '.'))
            id.push_back(text[pos++]);
        while (!id.empty() && id.back() == '.') id.pop_back();
        return id;
    };
    if (auto p = text.find("queued as "); p != std::string::npos) return token_after(p + 10);
    if (auto p = text.find("id="); p != std::string::npos) return token_after(p + 3);
    return {};
}

nlohmann::json result_json(const smtp::send_result& r) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& rr : r.recipients) {
        nlohmann::json j;
        j["address"] = printable(rr.address);
        j["accepted"] = rr.accepted();
        j["rcpt_reply"] = reply_json(rr.rcpt_reply);
        if (rr.data_reply) j["data_reply"] = reply_json(*rr.data_reply);
        list.push_back(std::move(j));
    }
    return list;
}

nlohmann::json report_json(const send_settings* s, const delivery_report& report, int exit_code,
                           const std::exception* error) {
    nlohmann::json j;
    const auto& r = report.result;
    j["status"] = error ? "failed" : r.all_accepted() ? "sent" : r.accepted_count() > 0 ? "partial" : "failed";
    j["exit_code"] = exit_code;
    j["server"] = s ? nlohmann::json(printable(s->server_url)) : nlohmann::json(nullptr);
    j["account"] = s && !s->account.empty() ? nlohmann::json(s->account) : nlohmann::json(nullptr);
    if (report.tls) j["tls"] = {{"version", report.tls->version}, {"cipher", report.tls->cipher},
                                {"verified", report.tls->verified}, {"pinned", report.tls->pinned}};
    else j["tls"] = nullptr;
    j["auth_mechanism"] = report.auth_mechanism.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.auth_mechanism);
    nlohmann::json recipients = result_json(r);
    if (error) {
        if (const auto* se = dynamic_cast<const smtp::send_error*>(error)) {
            smtp::send_result tmp;
            tmp.recipients = se->results();
            recipients = result_json(tmp);
        }
    }
    j["recipients"] = recipients;
    j["final_reply"] = reply_json(r.final_reply);
    std::string qid = queue_id(r.final_reply);
    j["queue_id"] = qid.empty() ? nlohmann::json(nullptr) : nlohmann::json(printable(qid));
    j["message_bytes"] = r.message_bytes;
    if (error) {
        nlohmann::json e;
        e["message"] = printable(error->what());
        e["stage"] = report.stage;
        if (const auto* ce = dynamic_cast<const smtp::command_error*>(error)) e["reply"] = reply_json(smtp::to_reply(ce->server_reply()));
        else if (const auto* pe = dynamic_cast<const smtp::protocol_error*>(error))
            e["reply"] = reply_json(smtp::to_reply(pe->server_reply()));
        else e["reply"] = nullptr;
        j["error"] = std::move(e);
    }
    return j;
}

std::string read_text_input(const std::string& path, const char* what) {
    int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        throw exit_error(exit_noinput, std::string("cannot read the ") + what + " " + printable(path) + ": " +
                                           std::strerror(errno));
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            if (fd != 0) ::close(fd);
            throw exit_error(exit_noinput, std::string("cannot read the ") + what + " " + printable(path) + ": " +
                                               std::strerror(err));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    if (fd != 0) ::close(fd);
    return out;
}

} // namespace pigeon::cli
