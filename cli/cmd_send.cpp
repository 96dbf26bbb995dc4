// pigeon send: compose a message from options (text, HTML, inline images,
// attachments) and send it through one SMTP/LMTP server, or print it
// (--dry-run). Exit codes per sysexits.h; --json reports every recipient.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/mime/compose_error.hpp"
#include "outbox_queue.hpp"
#include "send_common.hpp"

namespace pigeon::cli {
namespace {

struct send_state {
    connection_flags conn;
    std::vector<std::string> to, cc, bcc, reply_to, attach, inline_files, headers;
    std::string envelope_from;
    std::string subject;
    bool has_subject = false;
    std::string body;
    bool has_body = false;
    std::string html;
    bool dry_run = false;
    bool json = false;
    bool queue = false;                // --queue: through the outbox
    std::string notify, ret, envid;    // DSN
    outbox_flags outbox;
};

struct inline_ref {
    std::string file;        // as given
    std::string name;        // base name: what the HTML writes after "cid:"
    std::string content_id;  // generated
    bool referenced = false;
};

std::string base_name(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool ascii_iequal_prefix(std::string_view text, std::size_t pos, std::string_view prefix) {
    if (text.size() - pos < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = text[pos + i], b = prefix[i];
        if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
        if (a != b) return false;
    }
    return true;
}

/// Replaces "cid:NAME" (NAME an inline file's base name, followed by a quote,
/// ')', '>', '?', '#', white space or the end) with "cid:" + its Content-ID.
std::string rewrite_cids(const std::string& html, std::vector<inline_ref>& refs) {
    std::string out;
    out.reserve(html.size());
    std::size_t i = 0;
    while (i < html.size()) {
        if (ascii_iequal_prefix(html, i, "cid:")) {
            const std::size_t start = i + 4;
            inline_ref* best = nullptr;
            for (auto& r : refs) {
                if (html.compare(start, r.name.size(), r.name) != 0) continue;
                std::size_t end = start + r.name.size();
                bool term = end == html.size() || std::string_view("\"')>?# \t\r\n").find(html[end]) != std::string_view::npos;
                if (term && (!best || r.name.size() > best->name.size())) best = &r;
            }
            if (best) {
                out.append(html, i, 4);
                out += best->content_id;
                best->referenced = true;
                i = start + best->name.size();
                continue;
            }
        }
        out.push_back(html[i++]);
    }
    return out;
}

/// --body: TEXT, @FILE, or - for standard input.
std::string body_text(const std::string& arg) {
    if (arg == "-") return read_text_input("-", "body");
    if (!arg.empty() && arg[0] == '@') return read_text_input(arg.substr(1), "body file");
    return arg;
}

void split_header(const std::string& h, std::string& name, std::string& value) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
        throw exit_error(exit_usage, "--header wants 'Name: value', got " + printable(h));
    name = h.substr(0, colon);
    value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
}

int run_send(const send_state& st) {
    send_settings settings;
    bool have_settings = false;
    delivery_report report;
    std::string message_id;
    std::vector<inline_ref> inlines;
    auto extra_json = [&](nlohmann::json& j) {
        j["message_id"] = message_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(printable(message_id));
        nlohmann::json in = nlohmann::json::array();
        for (const auto& r : inlines)
            in.push_back({{"file", printable(r.file)}, {"content_id", printable(r.content_id)}});
        j["inline"] = std::move(in);
    };
    try {
        if (st.dry_run && st.json) throw exit_error(exit_usage, "--dry-run and --json cannot be used together");
        if (st.body == "-" && st.html == "-")
            throw exit_error(exit_usage, "--body - and --html - cannot both read standard input");
        if (!st.inline_files.empty() && st.html.empty())
            throw exit_error(exit_usage, "--inline needs --html (the HTML refers to the image as cid:FILENAME)");

        settings = resolve_settings(st.conn, !st.dry_run, exit_usage);
        have_settings = true;

        mime::compose_options copt;
        copt.smtputf8 = true;  // the server is asked for SMTPUTF8 only when an address needs it
        mime::message_builder b(copt);
        if (settings.from.empty())
            throw exit_error(exit_usage, "no sender: give --from, set PIGEON_FROM, or set from in the account");
        b.from(settings.from);
        if (!st.envelope_from.empty()) b.envelope_from(st.envelope_from);
        for (const auto& v : st.to) b.to(v);
        for (const auto& v : st.cc) b.cc(v);
        for (const auto& v : st.bcc) b.bcc(v);
        for (const auto& v : st.reply_to) b.reply_to(v);
        if (st.has_subject) b.subject(st.subject);
        for (const auto& h : st.headers) {
            std::string name, value;
            split_header(h, name, value);
            b.header(name, value);
        }
        if (st.has_body) b.text(body_text(st.body));
        for (const auto& f : st.inline_files) {
            inline_ref r;
            r.file = f;
            r.name = base_name(f);
            for (const auto& o : inlines)
                if (o.name == r.name)
                    throw exit_error(exit_usage, "two --inline files named " + printable(r.name) +
                                                     ": the HTML could not tell them apart");
            r.content_id = b.inline_file(f);
            inlines.push_back(std::move(r));
        }
        if (!st.html.empty()) {
            std::string html = read_text_input(st.html, "HTML file");
            b.html(rewrite_cids(html, inlines));
            for (const auto& r : inlines)
                if (!r.referenced)
                    error_line("warning: the HTML does not refer to cid:" + printable(r.name) +
                               "; the image is attached inline anyway");
        }
        if (!st.has_body && st.html.empty()) b.text("");
        for (const auto& f : st.attach) b.attach_file(f);

        mime::composed_message msg = b.build();
        message_id = msg.message_id();
        if (msg.envelope_recipients().empty())
            throw exit_error(exit_usage, "no recipients: give --to, --cc or --bcc");

        if (st.dry_run) {
            bool failed = false;
            msg.write([&failed](std::string_view bytes) {
                if (!failed && std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) failed = true;
            });
            if (std::fflush(stdout) != 0 || failed) throw exit_error(exit_ioerr, "cannot write to standard output");
            return exit_ok;
        }

        smtp::envelope env;
        env.from = msg.envelope_sender();
        for (const auto& r : msg.envelope_recipients()) env.recipients.push_back({r, smtp::notify::none, {}});
        env.size_hint = msg.size();
        env.needs_8bitmime = msg.needs_8bitmime();
        env.needs_smtputf8 = msg.needs_smtputf8();
        smtp::notify notify_on = smtp::notify::none;
        if (!st.notify.empty() && smtp::parse_notify(st.notify, notify_on))
            throw exit_error(exit_usage, "--notify wants never, or a comma list of success, failure, delay");
        for (auto& r : env.recipients) r.notify_on = notify_on;
        if (!st.ret.empty()) env.ret = st.ret == "full" ? smtp::dsn_ret::full : smtp::dsn_ret::headers;
        env.envid = st.envid;
        if (st.queue) {
            spool_request req;
            req.env = env;
            std::string id;
            attempt_summary a;
            const int code = spool_and_send(st.conn, settings, req, msg.source(), st.outbox, &a, &id);
            if (st.json)
                std::cout << nlohmann::json{{"status", a.status == "deferred" ? "queued" : a.status},
                                            {"exit_code", code},
                                            {"spool_id", id},
                                            {"message_id", printable(message_id)}}
                                 .dump(2)
                          << std::endl;
            return code;
        }
        delivery_log log = delivery_log::from_flag(st.outbox.log);
        try {
            deliver(settings, env, msg.source(), report);
        } catch (const std::exception& e) {
            log_delivery(log, settings, report, env, msg.size().value_or(0), &e);
            throw;
        }
        log_delivery(log, settings, report, env, msg.size().value_or(0), nullptr);

        int code = exit_code_for_result(report.result);
        report_refusals(report.result);
        if (st.json) {
            auto j = report_json(&settings, report, code, nullptr);
            extra_json(j);
            std::cout << j.dump(2) << std::endl;
        }
        return code;
    } catch (const CLI::Error& e) {
        error_line(printable(e.what()));
        return exit_usage;
    } catch (const std::exception& e) {
        int code = report_failure(e, have_settings ? &settings : nullptr, report);
        if (st.json) {
            auto j = report_json(have_settings ? &settings : nullptr, report, code, &e);
            extra_json(j);
            std::cout << j.dump(2) << std::endl;
        }
        return code;
    }
}

const registrar send_cmd{command_info{
    "send",
    "Compose a message (text, HTML, inline images, attachments) and send it",
    [](CLI::App& sub) -> std::function<int()> {
        auto s = std::make_shared<send_state>();
        sub.add_option("--from", s->conn.from, "Sender: 'Name <addr>' or addr (default: the account's from)")
            ->type_name("ADDR");
        sub.add_option("--to", s->to, "Recipients (repeatable; comma-separated lists allowed)")
            ->type_name("ADDRS")
            ->allow_extra_args(false);
        sub.add_option("--cc", s->cc, "Copy recipients (repeatable; comma lists)")
            ->type_name("ADDRS")
            ->allow_extra_args(false);
        sub.add_option("--bcc", s->bcc, "Blind copy recipients: in the envelope only, never in the message")
            ->type_name("ADDRS")
            ->allow_extra_args(false);
        sub.add_option("--reply-to", s->reply_to, "Reply-To addresses (repeatable; comma lists)")
            ->type_name("ADDRS")
            ->allow_extra_args(false);
        sub.add_option("--envelope-from", s->envelope_from, "MAIL FROM address when it differs from --from")
            ->type_name("ADDR");
        sub.add_option("-s,--subject", s->subject, "Subject (UTF-8)")->type_name("TEXT")->each([s](const std::string&) {
            s->has_subject = true;
        });
        sub.add_option("--body", s->body, "Text body: TEXT, @FILE, or - for standard input (UTF-8)")
            ->each([s](const std::string&) { s->has_body = true; });
        sub.add_option("--html", s->html, "HTML body from FILE (- for standard input); with --body: "
                                          "multipart/alternative")
            ->type_name("FILE");
        sub.add_option("--attach", s->attach, "Attach FILE (repeatable); the media type comes from its name")
            ->type_name("FILE")
            ->allow_extra_args(false);
        sub.add_option("--inline", s->inline_files,
                       "Inline image FILE for the HTML (repeatable): write src=\"cid:NAME\" in the HTML, NAME "
                       "being the file's base name; pigeon replaces it with the generated Content-ID")
            ->type_name("FILE")
            ->allow_extra_args(false);
        sub.add_option("--header", s->headers, "Extra header 'Name: value' (repeatable)")
            ->type_name("'NAME: VALUE'")
            ->allow_extra_args(false);
        sub.add_flag("--dry-run", s->dry_run, "Write the composed message to standard output; send nothing");
        sub.add_flag("--json", s->json, "Print the result (per recipient, queue id, final reply) as JSON");
        sub.add_flag("--strip-nul", s->conn.strip_nul,
                     "Delete NUL bytes from the message instead of refusing to send it (exit 65); "
                     "text parts holding NUL are base64-encoded anyway");
        sub.add_flag("--queue", s->queue,
                     "Keep the message in the outbox (fsynced) before sending; if the server cannot take it now, "
                     "exit 0 and let pigeon queue run retry it");
        sub.add_option("--notify", s->notify, "DSN: ask for reports on success, failure, delay (comma list) or never")
            ->type_name("WHEN");
        sub.add_option("--ret", s->ret, "DSN: return the full message or only its headers in a report")
            ->check(CLI::IsMember({"full", "hdrs"}));
        sub.add_option("--envid", s->envid, "DSN: an envelope id the reports quote")->type_name("ID");
        s->outbox.add_to(sub, true, false);
        s->conn.add_to(sub);
        sub.footer("Exit status (sysexits.h): 0 every recipient accepted, 64 usage, 65 bad message data, "
                   "66 unreadable file, 67 recipients refused (the others got the message), 69 unavailable, "
                   "75 temporary failure (4xx, timeout, connection refused), 76 protocol error, "
                   "77 authentication failed or required, 78 configuration error.");
        return [s]() -> int { return run_send(*s); };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
