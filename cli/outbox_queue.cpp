#include "outbox_queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <random>

#include "fetch_setup.hpp"
#include "outbox_bounce.hpp"
#include "pigeon/outbox/attempt.hpp"
#include "pigeon/smtp/error.hpp"
#include "pigeon/store/destination.hpp"

namespace pigeon::cli {
namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (!s.empty() && start <= s.size()) {
        const auto comma = s.find(',', start);
        out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string describe_delay(std::int64_t seconds) {
    if (seconds < 120) return std::to_string(seconds) + " s";
    if (seconds < 7200) return std::to_string(seconds / 60) + " min";
    return std::to_string(seconds / 3600) + " h";
}

/// Reads the message file of an entry in chunks.
class file_source {
public:
    explicit file_source(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw exit_error(exit_ioerr, "cannot read the spooled message " + path + ": " + std::strerror(errno));
    }
    ~file_source() { ::close(fd_); }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
    std::size_t read(char* buf, std::size_t cap) {
        for (;;) {
            const ssize_t n = ::read(fd_, buf, cap);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) throw exit_error(exit_ioerr, std::string("reading the spooled message: ") + std::strerror(errno));
        }
    }

private:
    int fd_;
};

/// The connection fields of a log line.
log_record connection_record(const send_settings& s, const delivery_report& report) {
    log_record lr;
    lr.account = s.account;
    lr.host = s.ep.unix_path.empty() ? s.ep.host + (s.ep.port ? ":" + std::to_string(s.ep.port) : "") : s.ep.unix_path;
    lr.tls = report.tls ? report.tls->version : "";
    lr.auth = report.auth_mechanism;
    return lr;
}

} // namespace

void outbox_flags::add_to(CLI::App& app, bool retry_options, bool lifetime_option) {
    app.add_option("--state-dir", state_dir, "Where the outbox is kept, in outbox/ (default: $XDG_STATE_HOME/pigeon)")
        ->type_name("DIR");
    app.add_option("--log", log, "Append a delivery line per message to FILE, or send it to syslog (also PIGEON_LOG)")
        ->type_name("FILE|syslog");
    if (lifetime_option)
        app.add_option("--lifetime", lifetime_days, "Give a queued message up after this many days (default 5)")
            ->check(CLI::PositiveNumber);
    if (retry_options) {
        app.add_option("--retry-delay", retry_seconds,
                       "Wait this long before the first retry, doubling up to an hour (seconds, default 300)")
            ->check(CLI::PositiveNumber);
    }
}

store::retry_policy outbox_flags::policy() const {
    store::retry_policy p;
    p.lifetime = std::chrono::seconds(static_cast<std::int64_t>(lifetime_days * 86400));
    p.first_delay = std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(retry_seconds)));
    p.max_delay = std::max(p.first_delay, std::chrono::seconds(std::chrono::hours(1)));
    return p;
}

store::spool open_outbox(const std::string& state_dir_flag) {
    const std::string dir = state_root(state_dir_flag) + "/outbox";
    std::error_code ec;
    auto sp = store::spool::open(dir, ec);
    if (!sp) throw exit_error(exit_cantcreat, "cannot open the outbox " + printable(dir) + ": " + ec.message());
    return std::move(*sp);
}

std::vector<std::pair<std::string, std::string>> entry_settings(const connection_flags& f, const send_settings& s) {
    std::vector<std::pair<std::string, std::string>> v;
    auto put = [&](const char* k, const std::string& val) {
        if (!val.empty()) v.emplace_back(k, val);
    };
    put("server", s.server_url);
    put("account", s.account);
    put("config", first_of(f.config, env_value("PIGEON_CONFIG")));
    put("user", first_of(f.user, env_value("PIGEON_USER")));
    put("password_command", first_of(f.password_command, env_value("PIGEON_PASSWORD_COMMAND")));
    put("tls", first_of(f.tls.mode, env_value("PIGEON_TLS")));
    put("tls_ca", first_of(f.tls.ca_file, env_value("PIGEON_TLS_CA")));
    put("pins", join(f.tls.pins));
    put("insecure", f.tls.insecure ? "1" : "");
    put("proxy", first_of(f.tls.proxy, env_value("PIGEON_PROXY")));
    put("auth_mech", join(f.auth_mechanisms));
    put("timeout", f.timeout > 0 ? std::to_string(f.timeout) : "");
    put("strip_nul", f.strip_nul ? "1" : "");
    return v;
}

connection_flags flags_of_entry(const store::spool_entry& e, const trace_flags& trace) {
    connection_flags f;
    f.server = e.setting("server");
    f.account = e.setting("account");
    f.config = e.setting("config");
    f.user = e.setting("user");
    f.password_command = e.setting("password_command");
    f.tls.mode = e.setting("tls");
    f.tls.ca_file = e.setting("tls_ca");
    f.tls.pins = split_commas(e.setting("pins"));
    f.tls.insecure = e.setting("insecure") == "1";
    f.tls.proxy = e.setting("proxy");
    f.auth_mechanisms = split_commas(e.setting("auth_mech"));
    if (const std::string t = e.setting("timeout"); !t.empty()) {
        try {
            f.timeout = std::stod(t);
        } catch (const std::exception&) {
            f.timeout = 0;
        }
    }
    f.strip_nul = e.setting("strip_nul") == "1";
    f.trace = trace;
    return f;
}

void write_draft(store::spool_draft& d, const net::source_fn& source) {
    std::string buf(64 * 1024, '\0');
    for (;;) {
        const std::size_t n = source(buf.data(), buf.size());
        if (n == 0) return;
        if (auto ec = d.write(std::string_view(buf.data(), n)))
            throw exit_error(exit_ioerr, "cannot write to the outbox: " + ec.message());
    }
}

smtp::envelope envelope_of_entry(const store::spool_entry& e) {
    smtp::envelope env;
    env.from = e.from;
    smtp::notify n = smtp::notify::none;
    if (!e.notify.empty()) (void)smtp::parse_notify(e.notify, n);
    for (const auto& r : e.recipients)
        if (r.state == store::recipient_state::pending) env.recipients.push_back({r.address, n, {}});
    env.ret = e.ret == "FULL" ? smtp::dsn_ret::full : e.ret == "HDRS" ? smtp::dsn_ret::headers : smtp::dsn_ret::unspecified;
    env.envid = e.envid;
    env.size_hint = e.size;
    env.needs_8bitmime = e.setting("8bitmime") == "1";
    env.needs_smtputf8 = e.setting("smtputf8") == "1";
    return env;
}

attempt_summary attempt_message(store::spool_entry& e, const std::string& message_path, const trace_flags& trace,
                                const store::retry_policy& policy, delivery_log& log,
                                const std::function<void(store::entry_step)>& persist) {
    attempt_summary out;
    delivery_report report;
    send_settings s;
    std::vector<std::string> pending;
    for (const auto& r : e.recipients)
        if (r.state == store::recipient_state::pending) pending.push_back(r.address);
    std::string error;
    bool recorded = false;
    std::int64_t now = 0;
    auto record = [&](const std::vector<store::recipient_outcome>& outcomes) {
        std::random_device rd;
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rd);
        now = static_cast<std::int64_t>(std::time(nullptr));
        out.step = store::record_attempt(e, outcomes, error, now, policy, u);
        recorded = true;
        if (persist) persist(out.step);
    };
    try {
        s = resolve_settings(flags_of_entry(e, trace), true, exit_config);
        const bool dsn_if_offered = e.setting("dsn") == "if-offered";
        smtp::envelope env = envelope_of_entry(e);
        const smtp::envelope dsn = env;
        if (dsn_if_offered) {
            env.ret = smtp::dsn_ret::unspecified;
            env.envid.clear();
            for (auto& r : env.recipients) r.notify_on = smtp::notify::none;
        }
        // sendmail mode's rule: the body was not looked at, so declare 8-bit
        // content whenever the server takes it; DSN only when offered.
        const bool raw = e.setting("raw") == "1";
        envelope_adjuster adjust = [&](const smtp::capabilities& caps, smtp::envelope& x) {
            if (raw && caps.eightbitmime) x.body = smtp::body_type::eight_bit;
            if (raw && e.setting("utf8_header") == "1" && caps.smtputf8) x.needs_smtputf8 = true;
            if (dsn_if_offered && caps.dsn) {
                x.ret = dsn.ret;
                x.envid = dsn.envid;
                for (std::size_t i = 0; i < x.recipients.size(); ++i) x.recipients[i].notify_on = dsn.recipients[i].notify_on;
            }
        };
        file_source src(message_path);
        deliver(s, env, [&src](char* b, std::size_t n) { return src.read(b, n); }, report, adjust,
                [&](const delivery_report& r) { record(outbox::outcomes_of(r.result)); });
        out.exit_code = exit_code_for_result(report.result);
        report_refusals(report.result);
    } catch (const std::exception& ex) {
        if (!recorded) {
            auto f = outbox::outcomes_of_failure(ex, pending);
            error = std::move(f.error);
            record(f.outcomes);
        }
        // A final failure is told as pigeon send tells it (exit code, hints);
        // a temporary one below, with the next attempt.
        out.exit_code = out.step == store::entry_step::retry ? exit_code_for(ex) : report_failure(ex, &s, report);
    }

    const std::size_t failed = e.count(store::recipient_state::failed);
    const std::size_t delivered = e.count(store::recipient_state::delivered);
    switch (out.step) {
    case store::entry_step::done:
        out.status = failed == 0 ? "sent" : delivered > 0 ? "partial" : "failed";
        break;
    case store::entry_step::retry: out.status = "deferred"; break;
    case store::entry_step::expired: out.status = "expired"; break;
    }
    if (out.step == store::entry_step::expired)
        for (const auto& r : e.recipients)
            if (r.state == store::recipient_state::failed &&
                std::find(pending.begin(), pending.end(), r.address) != pending.end())
                error_line("gave up on " + printable(r.address) + " (outbox entry " + e.id + ", " +
                           std::to_string(e.attempts) + " attempts since " + std::to_string((now - e.created) / 3600) +
                           " h): " + printable(r.last_reply.empty() ? e.last_error : r.last_reply));
    if (out.step == store::entry_step::retry) {
        std::string why = e.last_error;
        for (const auto& r : e.recipients)
            if (why.empty() && r.state == store::recipient_state::pending) why = r.last_reply;
        error_line("outbox entry " + e.id + " deferred: " + printable(why) + " (next attempt in " +
                   describe_delay(e.next_attempt - now) + ")");
    }
    if (out.step != store::entry_step::done && out.exit_code == exit_ok) out.exit_code = exit_tempfail;
    if (out.step == store::entry_step::expired) out.exit_code = exit_unavailable;

    log_record lr = connection_record(s, report);
    lr.from = e.from;
    lr.recipients = pending;
    lr.size = e.size;
    lr.status = out.status;
    lr.queue_id = queue_id(report.result.final_reply);
    lr.spool_id = e.id;
    lr.reply = error.empty() ? outbox::one_line(report.result.final_reply) : error;
    log.write(lr);
    return out;
}

namespace {

/// Moves a damaged entry aside with a message; false when it could not.
bool set_aside(const store::spool& sp, const std::string& id, const std::error_code& why) {
    std::string where;
    if (auto ec = sp.move_aside(id, where)) {
        if (ec != store::errc::locked && ec != store::errc::not_found)
            error_line("outbox entry " + id + " is damaged (" + why.message() + ") and cannot be moved aside: " +
                       ec.message());
        return false;
    }
    error_line("outbox entry " + id + " is damaged (" + why.message() + "); moved to " + printable(where) +
               " — nothing was sent from it");
    return true;
}

} // namespace

int run_queue_pass(const store::spool& sp, const pass_options& st, delivery_log& log) {
    sp.clean(std::chrono::hours(1));
    std::error_code ec;
    const auto ids = sp.list(ec);
    if (ec) throw exit_error(exit_ioerr, "cannot read the outbox " + printable(sp.directory()) + ": " + ec.message());
    int worst = exit_ok;
    for (const auto& id : ids) {
        if (st.stopped && st.stopped()) break;
        store::spool_entry peeked;
        if (auto pec = sp.peek(id, peeked)) {
            if (pec == store::errc::corrupt_entry) set_aside(sp, id, pec);
            continue;
        }
        if (!st.all && !store::is_due(peeked, static_cast<std::int64_t>(std::time(nullptr)))) continue;
        std::error_code aec;
        auto held = sp.acquire(id, aec);
        if (!held) {
            if (aec == store::errc::corrupt_entry) set_aside(sp, id, aec);
            // locked: another run is sending it; not_found: it was sent meanwhile
            continue;
        }
        if (st.dry_run) {
            std::string rc;
            for (const auto& r : envelope_of_entry(held->entry()).recipients) rc += " " + printable(r.address);
            std::cout << "would send " << id << " (" << held->entry().size << " bytes) from "
                      << printable(held->entry().from.empty() ? "<>" : held->entry().from) << " to" << rc << " via "
                      << printable(held->entry().setting("server").empty() ? "the account's server"
                                                                           : held->entry().setting("server"))
                      << "\n";
            continue;
        }
        std::string headers;
        std::vector<std::string> pending;
        if (st.bounce) {
            headers = spooled_headers(held->message_path());
            for (const auto& r : held->entry().recipients)
                if (r.state == store::recipient_state::pending) pending.push_back(r.address);
        }
        const attempt_summary a = attempt_entry(*held, st.trace, st.policy, log);
        if (st.bounce) {
            std::vector<std::string> failed;
            for (const auto& r : held->entry().recipients)
                if (r.state == store::recipient_state::failed &&
                    std::find(pending.begin(), pending.end(), r.address) != pending.end())
                    failed.push_back(r.address);
            send_bounce(held->entry(), failed, headers, *st.bounce, st.trace);
        }
        if (a.step != store::entry_step::retry && a.exit_code != exit_ok && worst == exit_ok) worst = a.exit_code;
    }
    return worst;
}


attempt_summary attempt_entry(store::held_entry& h, const trace_flags& trace, const store::retry_policy& policy,
                              delivery_log& log) {
    return attempt_message(h.entry(), h.message_path(), trace, policy, log, [&h](store::entry_step step) {
        const std::error_code ec = step == store::entry_step::retry ? h.save() : h.remove();
        if (ec) error_line("outbox entry " + h.entry().id + ": cannot record the attempt: " + ec.message());
    });
}

void log_delivery(delivery_log& log, const send_settings& s, const delivery_report& report,
                  const smtp::envelope& env, std::uint64_t size, const std::exception* error) {
    if (!log.enabled()) return;
    log_record lr = connection_record(s, report);
    lr.from = env.from;
    for (const auto& r : env.recipients) lr.recipients.push_back(r.address);
    lr.size = size ? size : report.result.message_bytes;
    const auto& r = report.result;
    lr.status = error ? "failed" : r.all_accepted() ? "sent" : r.accepted_count() > 0 ? "partial" : "failed";
    lr.queue_id = queue_id(r.final_reply);
    lr.reply = error ? std::string(error->what()) : outbox::one_line(r.final_reply);
    log.write(lr);
}

} // namespace pigeon::cli

namespace pigeon::cli {

int spool_and_send(const connection_flags& f, const send_settings& s, const spool_request& req,
                   const net::source_fn& source, const outbox_flags& of, attempt_summary* outcome,
                   std::string* spool_id) {
    store::spool sp = open_outbox(of.state_dir);
    delivery_log log = delivery_log::from_flag(of.log);
    std::error_code ec;
    auto draft = sp.create(ec);
    if (!draft) throw exit_error(exit_cantcreat, "cannot write to the outbox " + printable(sp.directory()) + ": " + ec.message());
    write_draft(*draft, source);

    store::spool_entry e;
    e.id = draft->id();
    e.size = draft->size();
    e.created = e.next_attempt = static_cast<std::int64_t>(std::time(nullptr));
    e.from = req.env.from;
    for (const auto& r : req.env.recipients) e.recipients.push_back({r.address, store::recipient_state::pending, {}});
    if (!req.env.recipients.empty()) e.notify = smtp::to_string(req.env.recipients.front().notify_on);
    e.ret = req.env.ret == smtp::dsn_ret::full ? "FULL" : req.env.ret == smtp::dsn_ret::headers ? "HDRS" : "";
    e.envid = req.env.envid;
    e.settings = entry_settings(f, s);
    auto flag = [&](const char* k, bool on, const char* v = "1") {
        if (on) e.settings.emplace_back(k, v);
    };
    flag("8bitmime", req.env.needs_8bitmime);
    flag("smtputf8", req.env.needs_smtputf8);
    flag("dsn", req.dsn_if_offered, "if-offered");
    flag("raw", req.raw);
    flag("utf8_header", req.utf8_header);
    flag("bounce", req.bounce);
    if (spool_id) *spool_id = e.id;

    const store::retry_policy policy = of.policy();
    attempt_summary a;
    if (req.commit_first) {
        auto held = draft->commit(std::move(e), ec);
        if (!held) throw exit_error(exit_ioerr, "cannot write to the outbox " + printable(sp.directory()) + ": " + ec.message());
        a = attempt_entry(*held, f.trace, policy, log);
        if (outcome) *outcome = a;
        if (a.step == store::entry_step::retry) {
            error_line("queued as " + held->entry().id + " in " + printable(sp.directory()) +
                       "; pigeon queue run sends it later");
            return exit_ok;
        }
        return a.exit_code;
    }
    a = attempt_message(e, draft->message_path(), f.trace, policy, log);
    if (outcome) *outcome = a;
    if (a.step != store::entry_step::retry) {
        draft->discard();
        return a.exit_code;
    }
    const std::string id = e.id;
    if (!draft->commit(std::move(e), ec))
        throw exit_error(exit_tempfail, "the message could not be sent now, nor kept in the outbox " +
                                            printable(sp.directory()) + ": " + ec.message());
    error_line("queued as " + id + " in " + printable(sp.directory()) + "; pigeon queue run sends it later");
    return exit_ok;
}

} // namespace pigeon::cli
