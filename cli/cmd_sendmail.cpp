// pigeon sendmail, and the pigeon binary invoked as "sendmail": the
// sendmail(8) interface that cron, git send-email, PHP's mail() and mutt
// call. The message comes on standard input; its header block is read
// (bounded) to remove Bcc, add a missing From, Date and Message-ID, and, with
// -t, to find the recipients; the body streams to the server as it is read.
#include <unistd.h>

#include <chrono>
#include <optional>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "command.hpp"
#include "common.hpp"
#include "pigeon/mime/address.hpp"
#include "pigeon/mime/compose_address.hpp"
#include "pigeon/mime/compose_date.hpp"
#include "pigeon/mime/compose_error.hpp"
#include "pigeon/mime/encode_header.hpp"
#include "pigeon/mime/header.hpp"
#include "pigeon/smtp/envelope.hpp"
#include "outbox_queue.hpp"
#include "send_common.hpp"
#include "send_headers.hpp"

namespace pigeon::cli {
namespace {

constexpr std::size_t max_header_bytes = 1024 * 1024;

const char* const usage_text =
    "usage: pigeon sendmail [options] [--] [recipient...] < message\n"
    "       sendmail [options] [recipient...] < message     (pigeon installed as sendmail)\n"
    "\n"
    "Sends the RFC 5322 message on standard input through the configured server\n"
    "(the default account of the configuration file, or PIGEON_* variables).\n"
    "\n"
    "  -t               also send to the To, Cc and Bcc addresses of the message\n"
    "                   (Resent-To/-Cc/-Bcc when the message has any)\n"
    "  -i, -oi          a line holding only \".\" does not end the message\n"
    "  -f ADDR, -r ADDR envelope sender (MAIL FROM); \"<>\" for none\n"
    "  -F NAME          full name for a From header added by pigeon\n"
    "  -N DSN           DSN NOTIFY: never, or a comma list of success, failure, delay\n"
    "  -R full|hdrs     DSN RET;  -V ENVID  DSN envelope id (both used when offered)\n"
    "  -v               protocol trace on standard error (-v -v: message data too)\n"
    "  --account NAME, --config FILE, --server URL, --user USER,\n"
    "  --password-command CMD, --tls MODE, --tls-ca FILE, --insecure, --proxy URL,\n"
    "  --timeout SECONDS, --trace-secrets   as for pigeon send\n"
    "  --strip-nul      delete NUL bytes from the message; without it a message\n"
    "                   holding one is not sent (exit 65)\n"
    "  --no-queue       do not keep a message the server cannot take now in the\n"
    "                   outbox (exit 75 instead of 0; the caller keeps it)\n"
    "  --state-dir DIR  the outbox is DIR/outbox (default $XDG_STATE_HOME/pigeon)\n"
    "  --log FILE|syslog  a delivery line per message (also PIGEON_LOG)\n"
    "  -q               send what is due in the outbox (one pass of pigeon queue run)\n"
    "Accepted and ignored: -B TYPE, -bm, -C FILE, -d..., -G, -h N, -L TAG, -m, -n,\n"
    "-O OPT=VAL, -o* (-odi, -oem, -om...), -U, -X FILE.\n"
    "Bcc and Resent-Bcc fields are always removed. Bare local names (root) are\n"
    "mapped through [aliases] or qualified with the account's domain.\n"
    "Exit status: sysexits.h, as pigeon send (0 sent, 65 bad message data, 67\n"
    "recipients refused, 75 try again later, 77 authentication, 78 configuration).\n";

struct sendmail_options {
    bool extract = false;        // -t
    bool ignore_dots = false;    // -i, -oi
    std::optional<std::string> sender;  // -f / -r
    std::string full_name;       // -F
    bool has_full_name = false;
    std::string notify, ret, envid;
    std::vector<std::string> recipients;
    connection_flags conn;
    bool help = false;
    bool queue = true;     // --no-queue turns it off
    bool run_queue = false;  // -q
    outbox_flags outbox;
};

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

/// Parses sendmail's historic flags. Throws exit_error(exit_usage).
sendmail_options parse_args(const std::vector<std::string>& args) {
    sendmail_options o;
    std::size_t i = 0;
    // The value of a flag: attached ("-fme") or the next argument.
    auto value = [&](const std::string& a, std::size_t flag_len) -> std::string {
        if (a.size() > flag_len) return a.substr(flag_len);
        if (i + 1 >= args.size()) throw exit_error(exit_usage, "option " + a + " needs a value");
        return args[++i];
    };
    auto long_value = [&](const std::string& a, const std::string& name) -> std::optional<std::string> {
        if (a == name) {
            if (i + 1 >= args.size()) throw exit_error(exit_usage, "option " + name + " needs a value");
            return args[++i];
        }
        if (starts_with(a, name + "=")) return a.substr(name.size() + 1);
        return std::nullopt;
    };
    bool only_recipients = false;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (only_recipients || a.empty() || a[0] != '-' || a == "-") {
            o.recipients.push_back(a);
            continue;
        }
        if (a == "--") {
            only_recipients = true;
            continue;
        }
        if (starts_with(a, "--")) {
            if (a == "--help") o.help = true;
            else if (auto v = long_value(a, "--account")) o.conn.account = *v;
            else if (auto v2 = long_value(a, "--config")) o.conn.config = *v2;
            else if (auto v3 = long_value(a, "--server")) o.conn.server = *v3;
            else if (auto v4 = long_value(a, "--user")) o.conn.user = *v4;
            else if (auto v5 = long_value(a, "--password-command")) o.conn.password_command = *v5;
            else if (auto v6 = long_value(a, "--tls")) {
                if (*v6 != "starttls" && *v6 != "implicit" && *v6 != "none")
                    throw exit_error(exit_usage, "--tls must be starttls, implicit or none");
                o.conn.tls.mode = *v6;
            } else if (auto v7 = long_value(a, "--tls-ca")) o.conn.tls.ca_file = *v7;
            else if (auto v9 = long_value(a, "--proxy")) o.conn.tls.proxy = *v9;
            else if (auto v8 = long_value(a, "--timeout")) {
                try {
                    o.conn.timeout = std::stod(*v8);
                } catch (const std::exception&) {
                    o.conn.timeout = -1;
                }
                if (!(o.conn.timeout > 0)) throw exit_error(exit_usage, "--timeout wants a positive number");
            } else if (a == "--insecure") o.conn.tls.insecure = true;
            else if (a == "--strip-nul") o.conn.strip_nul = true;
            else if (a == "--no-queue") o.queue = false;
            else if (auto v10 = long_value(a, "--state-dir")) o.outbox.state_dir = *v10;
            else if (auto v11 = long_value(a, "--log")) o.outbox.log = *v11;
            else if (a == "--trace-secrets") o.conn.trace.show_secrets = true;
            else throw exit_error(exit_usage, "unknown option " + printable(a) + " (see pigeon sendmail --help)");
            continue;
        }
        if (a.find_first_not_of("tiv", 1) == std::string::npos) {
            // Flags without values, possibly bundled: -t -i -v, -ti, -vv.
            for (std::size_t k = 1; k < a.size(); ++k) {
                if (a[k] == 't') o.extract = true;
                else if (a[k] == 'i') o.ignore_dots = true;
                else ++o.conn.trace.verbosity;
            }
            continue;
        }
        const char f = a[1];
        switch (f) {
        case 'f':
        case 'r': o.sender = value(a, 2); break;
        case 'F':
            o.full_name = value(a, 2);
            o.has_full_name = true;
            break;
        case 'N': o.notify = value(a, 2); break;
        case 'R': o.ret = value(a, 2); break;
        case 'V': o.envid = value(a, 2); break;
        case 'o':
            // -oi acts; every other -oX (-odi, -oem, -om, -oA...) is ignored.
            // "-o" alone takes its option from the next argument.
            if (value(a, 2) == "i") o.ignore_dots = true;
            break;
        case 'b':
            if (a == "-bm") break;
            throw exit_error(exit_usage, "mode " + printable(a) + " is not supported: pigeon only sends (-bm)");
        case 'q':
            // -q, -q30m, -qf: one pass over the outbox (an interval is not
            // kept: a timer or pigeon queue run --watch does that).
            o.run_queue = true;
            break;
        case 'B': case 'C': case 'h': case 'L': case 'O': case 'X':
            (void)value(a, 2);  // takes a value; ignored
            break;
        case 'd': case 'G': case 'm': case 'n': case 'U': case 'A': case 'e':
            break;  // historic flags without effect here
        default: throw exit_error(exit_usage, "unknown option " + printable(a) + " (see pigeon sendmail --help)");
        }
    }
    return o;
}

bool has_at(const std::string& a) { return a.find('@') != std::string::npos; }

/// A bare local name as cron and scripts write it ("root", "www-data").
bool is_local_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-' || c == '_' || c == '+';
        if (!ok) return false;
    }
    return true;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}

std::vector<std::string> split_commas(const std::string& v) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        auto comma = v.find(',', start);
        std::string part = trim(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!part.empty()) parts.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return parts;
}

/// Expands a recipient: an address as is; a bare name through the aliases
/// (an unknown one through "default"), else qualified with the domain.
void add_recipient(const std::string& r, const send_settings& s, std::vector<std::string>& out, int depth = 0) {
    std::string a = trim(r);
    if (a.find('<') != std::string::npos) {
        // "Name <addr>" or "<addr>": the whole item must be valid.
        mime::compose_address parsed;
        if (auto ec = mime::parse_compose_address(a, parsed, true))
            throw exit_error(exit_usage, "invalid recipient " + printable(a) + ": " + ec.message());
        a = parsed.address;
    }
    if (a.empty()) return;
    if (has_at(a)) {
        if (auto ec = mime::check_addr_spec(a, true))
            throw exit_error(exit_usage, "invalid recipient " + printable(a) + ": " + ec.message());
        out.push_back(a);
        return;
    }
    if (!is_local_name(a)) throw exit_error(exit_usage, "invalid recipient " + printable(a));
    if (depth < 8) {
        auto it = s.aliases.find(a);
        if (it == s.aliases.end() && depth == 0) it = s.aliases.find("default");
        if (it != s.aliases.end()) {
            for (const auto& part : split_commas(it->second)) {
                if (part == a) {
                    if (s.domain.empty()) break;
                    out.push_back(a + "@" + s.domain);
                } else {
                    add_recipient(part, s, out, depth + 1);
                }
            }
            return;
        }
    }
    if (s.domain.empty())
        throw exit_error(exit_usage, "recipient " + printable(a) +
                                         " has no domain: add it to [aliases] or set domain (or from) in the account");
    out.push_back(a + "@" + s.domain);
}

/// The addresses of address-list header values (-t).
void add_header_recipients(const std::vector<std::string>& values, const send_settings& s,
                           std::vector<std::string>& out) {
    for (const auto& v : values) {
        auto list = mime::parse_address_list(v);
        for (const auto& m : list.mailboxes()) out.push_back(m.address());
        for (const auto& bad : list.errors) {
            // "root" or "root (Cron Daemon)": a bare local name.
            std::string name = trim(bad);
            if (auto paren = name.find('('); paren != std::string::npos && name.back() == ')')
                name = trim(name.substr(0, paren));
            if (!is_local_name(name))
                throw exit_error(exit_data, "cannot read the recipient " + printable(trim(bad)) + " in the message header");
            add_recipient(name, s, out);
        }
    }
}

std::string random_token(std::size_t n) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device rd;
    std::string t;
    for (std::size_t i = 0; i < n; ++i) t.push_back(alphabet[rd() % 36]);
    return t;
}

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
    return buf;
}

int run_sendmail(const std::vector<std::string>& args) {
    sendmail_options o;
    send_settings settings;
    bool have_settings = false;
    delivery_report report;
    try {
        o = parse_args(args);
        if (o.help) {
            std::fputs(usage_text, stdout);
            return exit_ok;
        }
        if (o.run_queue) {
            store::spool sp = open_outbox(o.outbox.state_dir);
            delivery_log log = delivery_log::from_flag(o.outbox.log);
            pass_options po;
            po.trace = o.conn.trace;
            return run_queue_pass(sp, po, log);
        }
        settings = resolve_settings(o.conn, true, exit_config);
        have_settings = true;

        // The envelope sender: -f, else the configured from, else (below)
        // the From field of the message.
        std::string sender;
        bool null_sender = false;
        mime::compose_address configured;
        bool has_configured = false;
        if (!settings.from.empty()) {
            if (auto ec = mime::parse_compose_address(settings.from, configured, true))
                throw exit_error(exit_config, "invalid from address " + printable(settings.from) + ": " + ec.message());
            has_configured = true;
        }
        if (o.sender) {
            std::string f = trim(*o.sender);
            if (f == "<>" || f.empty()) {
                null_sender = true;
            } else {
                if (f.size() >= 2 && f.front() == '<' && f.back() == '>') f = f.substr(1, f.size() - 2);
                if (!has_at(f)) {
                    if (!is_local_name(f)) throw exit_error(exit_usage, "invalid sender " + printable(f));
                    if (settings.domain.empty())
                        throw exit_error(exit_usage, "sender " + printable(f) +
                                                         " has no domain: set domain (or from) in the account");
                    f += "@" + settings.domain;
                }
                if (auto ec = mime::check_addr_spec(f, true))
                    throw exit_error(exit_usage, "invalid sender " + printable(f) + ": " + ec.message());
                sender = f;
            }
        } else if (has_configured) {
            sender = configured.address;
        }
        if (o.has_full_name) {
            if (auto ec = mime::check_header_text(o.full_name))
                throw exit_error(exit_data, "-F: the full name " + ec.message());
        }

        // The header block; the body streams after it.
        message_input input(0, !o.ignore_dots);
        read_fn reader = [&input](char* b, std::size_t n) { return input.read(b, n); };
        header_block head = read_header_block(reader, max_header_bytes);

        // Recipients: arguments, and with -t the header's.
        std::vector<std::string> rcpts;
        for (const auto& r : o.recipients)
            for (const auto& part : split_commas(r)) add_recipient(part, settings, rcpts);  // "a@x, b@y"
        if (o.extract) {
            bool resent = has_field(head, "Resent-To") || has_field(head, "Resent-Cc") || has_field(head, "Resent-Bcc");
            const char* fields[3][2] = {{"To", "Resent-To"}, {"Cc", "Resent-Cc"}, {"Bcc", "Resent-Bcc"}};
            for (auto& f : fields) add_header_recipients(field_values(head, f[resent ? 1 : 0]), settings, rcpts);
        }
        remove_fields(head, "Bcc");
        remove_fields(head, "Resent-Bcc");
        {
            std::set<std::string> seen;
            std::vector<std::string> unique;
            for (auto& r : rcpts)
                if (seen.insert(mime::envelope_key(r)).second) unique.push_back(r);
            rcpts.swap(unique);
        }
        if (rcpts.empty())
            throw exit_error(o.extract ? exit_data : exit_usage,
                             o.extract ? "no recipients: the message has no To, Cc or Bcc and none were given"
                                       : "no recipients: give them as arguments, or use -t");

        // The sender from the message's From when nothing else says.
        if (sender.empty() && !null_sender) {
            for (const auto& v : field_values(head, "From")) {
                auto list = mime::parse_address_list(v);
                auto boxes = list.mailboxes();
                if (!boxes.empty()) {
                    sender = boxes.front().address();
                    break;
                }
            }
            if (sender.empty())
                throw exit_error(exit_config, "no sender: use -f ADDR, set from in the account, or PIGEON_FROM");
        }

        // Fields to add.
        std::string added;
        if (!head.fields.empty() && head.fields.back().raw.back() != '\n') head.fields.back().raw += "\r\n";
        if (!has_field(head, "From")) {
            mime::compose_address a;
            a.address = sender.empty() ? configured.address : sender;
            if (o.has_full_name) a.display_name = o.full_name;
            else if (has_configured && configured.address == a.address) a.display_name = configured.display_name;
            if (a.address.empty()) throw exit_error(exit_config, "no From address: set from in the account");
            if (auto ec = mime::check_compose_address(a, true))
                throw exit_error(exit_data, "cannot write the From field: " + ec.message());
            if (auto ec = mime::fold_header("From", mime::format_compose_address(a, 6), added))
                throw exit_error(exit_data, "cannot write the From field: " + ec.message());
        }
        if (!has_field(head, "Date")) mime::fold_header("Date", mime::compose_date(std::chrono::system_clock::now()), added);
        if (!has_field(head, "Message-ID")) {
            std::string domain = sender.empty() ? std::string() : sender.substr(sender.rfind('@') + 1);
            if (domain.empty() || domain.find_first_of("[]\"\\ ") != std::string::npos) domain = host_name();
            mime::fold_header("Message-ID", "<" + random_token(24) + "@" + domain + ">", added);
        }

        std::string header_text;
        for (const auto& f : head.fields) header_text += f.raw;
        header_text += added;
        header_text += head.separator.empty() ? std::string("\r\n") : head.separator;

        smtp::envelope env;
        env.from = sender;
        for (const auto& r : rcpts) env.recipients.push_back({r, smtp::notify::none, {}});
        smtp::notify notify_on = smtp::notify::none;
        if (!o.notify.empty() && smtp::parse_notify(o.notify, notify_on))
            throw exit_error(exit_usage, "-N wants never or a comma list of success, failure, delay");
        smtp::dsn_ret ret = smtp::dsn_ret::unspecified;
        if (!o.ret.empty()) {
            if (mime::iequals(o.ret, "full")) ret = smtp::dsn_ret::full;
            else if (mime::iequals(o.ret, "hdrs")) ret = smtp::dsn_ret::headers;
            else throw exit_error(exit_usage, "-R wants full or hdrs");
        }
        const bool utf8_header = has_non_ascii_field(head) || mime::has_non_ascii(added);
        auto adjust = [&](const smtp::capabilities& caps, smtp::envelope& e) {
            // The body is not looked at before it is sent: declare 8-bit
            // content whenever the server takes it.
            if (caps.eightbitmime) e.body = smtp::body_type::eight_bit;
            if (utf8_header && caps.smtputf8) e.needs_smtputf8 = true;
            if (caps.dsn) {
                e.ret = ret;
                e.envid = o.envid;
                for (auto& r : e.recipients) r.notify_on = notify_on;
            }
        };

        // The message: the header as rewritten, then the input as it comes.
        std::size_t header_pos = 0, start_pos = 0;
        net::source_fn source = [&](char* buf, std::size_t cap) -> std::size_t {
            if (header_pos < header_text.size()) {
                std::size_t n = std::min(cap, header_text.size() - header_pos);
                header_text.copy(buf, n, header_pos);
                header_pos += n;
                return n;
            }
            if (start_pos < head.body_start.size()) {
                std::size_t n = std::min(cap, head.body_start.size() - start_pos);
                head.body_start.copy(buf, n, start_pos);
                start_pos += n;
                return n;
            }
            return input.read(buf, cap);
        };
        if (o.queue) {
            // Without a usable state directory (a daemon user whose home is
            // not writable) sendmail still sends, as before the outbox.
            try {
                (void)open_outbox(o.outbox.state_dir);
            } catch (const exit_error& e) {
                error_line(std::string("warning: ") + e.what() + "; sending without the outbox");
                o.queue = false;
            }
        }
        if (o.queue) {
            // The message goes to the outbox first (not fsynced), is sent
            // from there, and is made durable only when it has to wait.
            spool_request req;
            req.env = env;
            for (auto& r : req.env.recipients) r.notify_on = notify_on;
            req.env.ret = ret;
            req.env.envid = o.envid;
            req.dsn_if_offered = req.raw = true;
            req.utf8_header = utf8_header;
            req.commit_first = false;
            return spool_and_send(o.conn, settings, req, source, o.outbox);
        }
        delivery_log log = delivery_log::from_flag(o.outbox.log);
        try {
            deliver(settings, env, source, report, adjust);
        } catch (const std::exception& e) {
            log_delivery(log, settings, report, env, 0, &e);
            throw;
        }
        log_delivery(log, settings, report, env, 0, nullptr);
        int code = exit_code_for_result(report.result);
        report_refusals(report.result);
        return code;
    } catch (const exit_error& e) {
        if (e.code() == exit_ok) return exit_ok;
        return report_failure(e, have_settings ? &settings : nullptr, report);
    } catch (const std::exception& e) {
        return report_failure(e, have_settings ? &settings : nullptr, report);
    }
}

const registrar sendmail_cmd{command_info{
    "sendmail",
    "Send the message on standard input (sendmail-compatible: -t, -i, -f, -F; also as argv[0] sendmail)",
    {},
    [](const std::vector<std::string>& args) -> int { return run_sendmail(args); }, true}};

} // namespace
} // namespace pigeon::cli
