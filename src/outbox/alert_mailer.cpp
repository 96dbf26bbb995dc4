// alert_mailer: a bounded queue in front of a thread that mails digests.
// The state is shared with the thread, so that close() can stop waiting for
// a send stuck on a slow server (its own timeouts end it later) without the
// thread outliving what it uses.
#include "pigeon/outbox/alert_mailer.hpp"

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/store/spool.hpp"

namespace pigeon::outbox {

const char* to_string(alert_level l) noexcept {
    switch (l) {
    case alert_level::trace: return "trace";
    case alert_level::debug: return "debug";
    case alert_level::info: return "info";
    case alert_level::warning: return "warning";
    case alert_level::error: return "error";
    case alert_level::critical: return "critical";
    }
    return "?";
}

namespace {

using steady = std::chrono::steady_clock;

struct record {
    alert_level level;
    std::string key, text;
    std::chrono::system_clock::time_point time;
};

// Records of one key waiting for their digest.
struct bucket {
    std::vector<record> listed;
    std::uint64_t more = 0;
    std::optional<steady::time_point> last_sent;
    std::uint64_t count() const { return listed.size() + more; }
};

// What goes into one message: built while holding no lock.
struct digest {
    std::string key;
    std::vector<record> listed;
    std::uint64_t more = 0;
};

// Printable text for a message body: control bytes (but tab and newline)
// become '?', the length is capped.
std::string clean(std::string_view s, std::size_t max, bool one_line) {
    std::string out;
    out.reserve(std::min(s.size(), max));
    for (char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '\t' || (u == '\n' && !one_line)) out += c;
        else if (u < 0x20 || u == 0x7f) out += one_line ? ' ' : '?';
        else out += c;
    }
    return out;
}

std::string utc_time(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

} // namespace

struct alert_mailer::state {
    alert_options opts;
    net::endpoint ep;

    mutable std::mutex mu;
    std::condition_variable wake;       // the thread: records, flush or close
    std::condition_variable done_cv;    // close(): the thread has finished
    std::deque<record> queue;
    bool closing = false, flush = false, done = false, abandoned = false;
    alert_stats stats;

    // The thread's alone.
    std::map<std::string, bucket, std::less<>> buckets;

    void take(std::deque<record>& batch);
    std::vector<digest> due(steady::time_point now, bool all);
    void deliver(digest d, bool spool_only);
    bool is_abandoned();
    bool spool(const mime::composed_message& msg, std::string& error);
    mime::composed_message compose(const digest& d) const;
    void run();
};

// Moves the batch into the buckets.
void alert_mailer::state::take(std::deque<record>& batch) {
    for (auto& r : batch) {
        auto it = buckets.find(r.key);
        if (it == buckets.end()) {
            if (buckets.size() >= opts.max_keys) r.key = "other";
            it = buckets.try_emplace(r.key).first;
        }
        bucket& b = it->second;
        if (b.listed.size() < opts.max_listed) b.listed.push_back(std::move(r));
        else ++b.more;
    }
    batch.clear();
}

std::vector<digest> alert_mailer::state::due(steady::time_point now, bool all) {
    std::vector<digest> out;
    for (auto& [key, b] : buckets) {
        if (b.count() == 0) continue;
        if (!all && b.last_sent && now - *b.last_sent < opts.interval) continue;
        out.push_back({key, std::move(b.listed), b.more});
        b.listed.clear();
        b.more = 0;
        b.last_sent = now;
    }
    return out;
}

mime::composed_message alert_mailer::state::compose(const digest& d) const {
    const std::uint64_t n = d.listed.size() + d.more;
    alert_level top = alert_level::trace;
    for (const auto& r : d.listed) top = std::max(top, r.level);
    std::string body;
    for (const auto& r : d.listed) {
        body += utc_time(r.time);
        body += ' ';
        body += to_string(r.level);
        body += ": ";
        body += r.text;
        if (body.empty() || body.back() != '\n') body += '\n';
    }
    if (d.more > 0) body += std::to_string(d.more) + " more like this\n";
    mime::message_builder b;
    b.from(opts.from);
    for (const auto& t : opts.to) b.to(t);
    std::string subject = opts.subject_prefix + clean(d.key, 200, true);
    if (!d.listed.empty()) subject += std::string(" ") + to_string(top);
    if (n > 1) subject += " (" + std::to_string(n) + " records)";
    return b.subject(subject).text(body).build();
}

bool alert_mailer::state::spool(const mime::composed_message& msg, std::string& error) {
    if (opts.spool_dir.empty()) {
        error += "; no spool";
        return false;
    }
    std::error_code ec;
    auto sp = store::spool::open(opts.spool_dir, ec);
    std::optional<store::spool_draft> draft;
    if (sp) draft = sp->create(ec);
    if (draft) ec = draft->write(msg.str());
    if (!ec && draft) {
        const smtp::envelope env = envelope_of(msg, opts.send);
        store::spool_entry e;
        e.created = e.next_attempt = static_cast<std::int64_t>(std::time(nullptr));
        e.from = env.from;
        for (const auto& r : env.recipients) e.recipients.push_back({r.address, store::recipient_state::pending, {}});
        e.last_error = error;
        e.settings = opts.spool_settings;
        if (e.setting("server").empty()) e.settings.emplace_back("server", opts.server);
        if (opts.clear_text && e.setting("tls").empty()) e.settings.emplace_back("tls", "none");
        if (draft->commit(std::move(e), ec)) return true;
    }
    error += "; cannot spool in " + opts.spool_dir + ": " + ec.message();
    return false;
}

void alert_mailer::state::deliver(digest d, bool spool_only) {
    const std::uint64_t n = d.listed.size() + d.more;
    std::string error = spool_only ? "not sent before the shutdown timeout" : "";
    bool sent = false, spooled = false;
    try {
        const mime::composed_message msg = compose(d);
        if (spool_only) {
            spooled = spool(msg, error);
        } else {
            try {
                (void)send(ep, opts.who, msg, opts.send);  // per-recipient refusals: the server took it
                sent = true;
            } catch (const std::exception& e) {
                error = e.what();
                spooled = spool(msg, error);
            }
        }
    } catch (const std::exception& e) {
        error += std::string("; cannot compose the digest: ") + e.what();
    }
    std::lock_guard lk(mu);
    stats.listed += d.listed.size();
    stats.summarised += d.more;
    stats.pending -= n;
    if (sent) ++stats.sent;
    else if (spooled) ++stats.spooled;
    else stats.lost += n;
    if (!sent) stats.last_error = error;
}

bool alert_mailer::state::is_abandoned() {
    std::lock_guard lk(mu);
    return abandoned;
}

void alert_mailer::state::run() {
    std::deque<record> batch;
    for (;;) {
        bool all = false, stop = false;
        {
            std::unique_lock lk(mu);
            // The earliest time a bucket with records may be mailed.
            std::optional<steady::time_point> next;
            for (const auto& [k, b] : buckets)
                if (b.count() > 0) {
                    const auto t = b.last_sent ? *b.last_sent + opts.interval : steady::now();
                    if (!next || t < *next) next = t;
                }
            const auto ready = [&] { return closing || flush || !queue.empty(); };
            if (next) wake.wait_until(lk, *next, ready);
            else wake.wait(lk, ready);
            batch.swap(queue);
            all = closing || flush;
            stop = closing;
            flush = false;
        }
        take(batch);
        for (auto& d : due(steady::now(), all)) deliver(std::move(d), is_abandoned());
        if (stop) {
            std::lock_guard lk(mu);
            if (queue.empty() || abandoned) break;  // close() spools what it took from the queue
        }
    }
    std::lock_guard lk(mu);
    done = true;
    done_cv.notify_all();
}

alert_mailer::alert_mailer(alert_options opts) : st_(std::make_shared<state>()) {
    if (opts.to.empty()) throw std::invalid_argument("alert_mailer: no recipient");
    if (opts.queue_capacity == 0) throw std::invalid_argument("alert_mailer: queue capacity 0");
    if (opts.max_keys == 0) opts.max_keys = 1;
    std::error_code ec;
    auto ep = net::parse_endpoint(opts.server, ec);
    if (!ep) throw std::invalid_argument("alert_mailer: bad server URL: " + ec.message());
    if (opts.clear_text) ep->tls = net::tls_mode::none;
    st_->ep = *ep;
    st_->opts = std::move(opts);
    std::thread([s = st_] { s->run(); }).detach();
}

alert_mailer::~alert_mailer() { (void)close(std::chrono::seconds(5)); }

bool alert_mailer::post(alert_level level, std::string_view key, std::string_view text) noexcept {
    return post(level, key, text, std::chrono::system_clock::now());
}

bool alert_mailer::post(alert_level level, std::string_view key, std::string_view text,
                        std::chrono::system_clock::time_point time) noexcept {
    state& s = *st_;
    if (level < s.opts.threshold) return false;
    try {
        record r{level, clean(key, 200, true), clean(text, s.opts.max_text, false), time};
        std::lock_guard lk(s.mu);
        if (s.closing || s.queue.size() >= s.opts.queue_capacity) {
            ++s.stats.dropped;
            return false;
        }
        s.queue.push_back(std::move(r));
        ++s.stats.queued;
        ++s.stats.pending;
        if (s.queue.size() == 1) s.wake.notify_one();
        return true;
    } catch (...) {  // out of memory: a drop like any other
        std::lock_guard lk(s.mu);
        ++s.stats.dropped;
        return false;
    }
}

void alert_mailer::flush_now() noexcept {
    std::lock_guard lk(st_->mu);
    st_->flush = true;
    st_->wake.notify_one();
}

alert_stats alert_mailer::close(std::chrono::milliseconds timeout) {
    state& s = *st_;
    std::unique_lock lk(s.mu);
    if (s.abandoned) return s.stats;  // closed before: not another wait
    if (!s.closing) {
        s.closing = true;
        s.wake.notify_one();
    }
    if (!s.done_cv.wait_for(lk, timeout, [&] { return s.done; })) {
        // The thread is in a send that outlasts the timeout. It stops after
        // it (spooling that digest if it fails); what it has not taken yet
        // is spooled here, without the network.
        s.abandoned = true;
        std::deque<record> rest;
        rest.swap(s.queue);
        // Records still in the queue become one digest per key, spooled.
        std::map<std::string, digest, std::less<>> by_key;
        for (auto& r : rest) {
            digest& d = by_key[r.key];
            d.key = r.key;
            if (d.listed.size() < s.opts.max_listed) d.listed.push_back(std::move(r));
            else ++d.more;
        }
        lk.unlock();
        for (auto& [k, d] : by_key) s.deliver(std::move(d), true);
        lk.lock();
    }
    return s.stats;
}

alert_stats alert_mailer::stats() const {
    std::lock_guard lk(st_->mu);
    return st_->stats;
}

alert_level alert_mailer::threshold() const noexcept { return st_->opts.threshold; }

} // namespace pigeon::outbox
