#pragma once
// The delivery side of a fetch job, shared by the protocol runners (IMAP and
// POP3 in fetch_engine.cpp, NNTP in news_fetch.cpp): the destination, the
// batch of committed but not yet durable messages, and the recording in the
// account's fetch_state (fetch_engine.hpp has the order that loses nothing).
#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common.hpp"
#include "fetch_engine.hpp"
#include "fetch_forward.hpp"
#include "header_sniffer.hpp"
#include "pigeon/mime/rfc2047.hpp"
#include "pigeon/net/bytes.hpp"

namespace pigeon::cli {

/// A store failure that ends the job: what was committed before it is
/// still made durable and recorded, nothing is deleted on the server.
struct store_failure : std::runtime_error {
    int code;
    store_failure(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};

/// The delivery of one message and what it learned on the way.
struct in_flight {
    std::unique_ptr<store::delivery> d;
    header_sniffer headers;
    std::uint64_t announced = 0;
    bool failed = false;
    std::error_code error;
    std::unique_lock<std::mutex> store_lock;
};

/// What both protocols share: the destination, the batch of committed but
/// not yet durable messages, and the recording.
class fetch_run {
public:
    fetch_run(const fetch_job& job, fetch_observer& obs, job_result& res) : job_(job), obs_(obs), res_(res) {
        std::error_code ec;
        dest_ = open_fetch_destination(job.account->destination_spec(), job.account->destination_options(),
                                       job.account->forward_net(), ec);
        if (!dest_ || ec)
            throw exit_error(exit_code_for_store(ec), "destination " + printable(job.account->destination_spec()) +
                                                          ": " + ec.message());
        is_mbox_ = job.account->destination_spec().rfind("mbox:", 0) == 0;
        last_sync_ = std::chrono::steady_clock::now();
    }

    store::fetch_state& state() { return job_.account->state(); }

    bool delivered(const store::message_key& k) {
        std::lock_guard<std::mutex> g(job_.account->mutex());
        return state().delivered(k);
    }

    /// Starts a message; throws store_failure when the store cannot take it.
    std::unique_ptr<in_flight> begin(const store::message_meta& meta, std::uint64_t announced) {
        auto f = std::make_unique<in_flight>();
        if (is_mbox_) f->store_lock = std::unique_lock<std::mutex>(job_.account->store_mutex());
        std::error_code ec;
        f->d = dest_->begin(meta, ec);
        if (!f->d || ec) fail_store(ec);
        f->announced = announced;
        return f;
    }

    /// A sink writing into f (errors remembered, reported at finish()).
    net::sink_fn sink(in_flight& f) {
        return [this, &f](std::string_view bytes) {
            if (f.failed) return;
            f.headers.feed(bytes);
            std::error_code ec;
            f.d->write(bytes, ec);
            if (ec) {
                f.failed = true;
                f.error = ec;
                // Disk full or an I/O error: nothing more can be stored.
                if (ec.category() != store::store_category() ||
                    (ec != store::errc::mda_failed && ec != store::errc::mda_tempfail &&
                     ec != store::errc::forward_deferred && ec != store::errc::forward_refused))
                    fail_store(ec);
            }
            stream_bytes_ += bytes.size();
            if (stream_bytes_ - last_report_ >= (1u << 20)) {
                last_report_ = stream_bytes_;
                obs_.progress(job_, res_.delivered, res_.bytes + (stream_bytes_ - committed_bytes_), total_messages_,
                              total_bytes_);
            }
        };
    }

    /// Commits f under key; returns false when the message was not stored
    /// (it stays on the server). Throws store_failure for a store that
    /// cannot take more.
    bool finish(std::unique_ptr<in_flight> f, const store::message_key& key, const std::vector<std::string>& flags) {
        committed_bytes_ = stream_bytes_;
        std::error_code ec = f->error;
        if (!f->failed) f->d->commit(ec);
        if (ec) {
            f->d->abort();
            const std::string detail = f->d->failure_detail();
            if (ec == store::errc::mda_tempfail || ec == store::errc::forward_deferred) {
                ++res_.skipped;
                deferred_ = true;
                obs_.note(job_, describe(key) + (ec == store::errc::mda_tempfail
                                                     ? ": the delivery command asked to try again later (exit 75)"
                                                     : ": the receiving server deferred it (" + detail + ")") +
                                    "; kept on the server");
                return false;
            }
            if (ec == store::errc::mda_failed || ec == store::errc::forward_refused) {
                ++res_.skipped;
                refused_ = true;
                obs_.note(job_, describe(key) + (ec == store::errc::mda_failed
                                                     ? ": the delivery command failed"
                                                     : ": the receiving server refused it (" + detail + ")") +
                                    "; kept on the server");
                return false;
            }
            fail_store(ec, detail);
        }
        f->headers.finish();
        std::uint64_t size = f->d->bytes_written();
        if (f->announced != 0 && size != f->announced)
            obs_.note(job_, describe(key) + ": the server announced " + std::to_string(f->announced) +
                                " bytes and sent " + std::to_string(size) + "; stored as sent");
        store::delivered_record rec;
        rec.key = key;
        rec.size = size;
        rec.sha256_hex = f->d->sha256_hex();
        rec.message_id = f->headers.message_id;
        rec.location = f->d->location();
        rec.destination = dest_->describe();
        rec.delivered_at = static_cast<std::int64_t>(std::time(nullptr));
        {
            std::lock_guard<std::mutex> g(job_.account->mutex());
            state().intend(rec, ec);
        }
        if (ec) fail_store(ec);
        f->store_lock = {};
        pending_.push_back({flags, std::move(f->headers.from), std::move(f->headers.subject)});
        try {
            pending_recs_.push_back(std::move(rec));
        } catch (...) {
            pending_.pop_back();   // the two stay the same length
            throw;
        }
        pending_bytes_ += size;
        ++res_.delivered;
        res_.bytes += size;
        obs_.progress(job_, res_.delivered, res_.bytes, total_messages_, total_bytes_);
        auto now = std::chrono::steady_clock::now();
        if (pending_.size() >= 1000 || pending_bytes_ >= (128u << 20) || now - last_sync_ > std::chrono::seconds(5))
            flush();
        return true;
    }

    /// Makes the batch durable, then records it (take_durable() has the
    /// keys when keep_durable(true) was asked).
    void flush() {
        last_sync_ = std::chrono::steady_clock::now();
        if (pending_.empty()) return;
        std::error_code ec;
        dest_->sync(ec);
        if (ec) fail_store(ec);
        {
            std::lock_guard<std::mutex> g(job_.account->mutex());
            state().confirm(pending_recs_, ec);
            if (!ec) state().sync(ec);
        }
        if (ec) fail_store(ec);   // the batch stays pending: salvage() tries again
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const store::delivered_record& rec = pending_recs_[i];
            const pending_entry& p = pending_[i];
            delivered_message m;
            m.account = job_.account->name();
            m.folder = rec.key.folder;
            m.uidvalidity = rec.key.uidvalidity;
            m.uid = rec.key.uid;
            m.uidl = rec.key.uidl;
            if (auto sp = m.uidl.find(' '); sp != std::string::npos) m.uidl.resize(sp);
            m.message_id = rec.message_id;
            m.size = rec.size;
            m.destination = rec.destination;
            m.location = rec.location;
            m.flags = p.flags;
            m.from = mime::decode_unstructured(p.from);
            m.subject = mime::decode_unstructured(p.subject);
            obs_.delivered(job_, m);
            if (keep_durable_) durable_.push_back(rec.key);
        }
        pending_recs_.clear();
        pending_.clear();
        pending_bytes_ = 0;
    }

    /// After a failure in the middle of a transfer: the message in flight
    /// (if any) leaves no trace, what was committed before it is still made
    /// durable and recorded (a link that always breaks within the batch
    /// thresholds still makes progress). Never throws; the caller rethrows.
    void salvage(std::unique_ptr<in_flight>& cur) noexcept {
        if (cur) {
            cur->d->abort();
            cur.reset();
        }
        try {
            flush();
        } catch (...) {
        }
    }

    /// Whether flush() keeps the keys it made durable for take_durable():
    /// only a caller that acts on them on the server (\\Seen, deletion)
    /// asks, so that a long fetch does not hold a key per message.
    void keep_durable(bool on) { keep_durable_ = on; }
    /// Keys made durable since the last call (with keep_durable(true)).
    std::vector<store::message_key> take_durable() { return std::exchange(durable_, {}); }

    void set_totals(std::uint64_t messages, std::uint64_t bytes) {
        total_messages_ = messages;
        total_bytes_ = bytes;
        obs_.progress(job_, res_.delivered, res_.bytes, total_messages_, total_bytes_);
    }

    /// A job that ended well but whose destination deferred (MDA exit 75,
    /// a receiver's 4xx) or refused (another MDA failure, a receiver's 5xx)
    /// some messages, kept on the server, ends with that exit code.
    void report_kept(job_result& res) const {
        if (res.exit_code != 0) return;
        if (deferred_) {
            res.exit_code = exit_tempfail;
            res.error = "the destination deferred some messages (kept on the server)";
        } else if (refused_) {
            res.exit_code = exit_unavailable;
            res.error = "the destination refused some messages (kept on the server)";
        }
    }

    const fetch_job& job() const noexcept { return job_; }
    fetch_observer& observer() noexcept { return obs_; }

    [[noreturn]] void fail_store(const std::error_code& ec, const std::string& detail = {}) {
        throw store_failure(exit_code_for_store(ec), "destination " + printable(dest_->describe()) + ": " +
                                                         ec.message() + (detail.empty() ? "" : ": " + detail));
    }

    static std::string describe(const store::message_key& k) {
        if (!k.uidl.empty()) {
            std::string u = k.uidl;
            if (auto sp = u.find(' '); sp != std::string::npos) u.resize(sp);
            return "message " + printable(u);
        }
        return "UID " + std::to_string(k.uid);
    }

private:
    /// What the report of a pending message needs besides its record.
    struct pending_entry {
        std::vector<std::string> flags;
        std::string from, subject;
    };
    const fetch_job& job_;
    fetch_observer& obs_;
    job_result& res_;
    std::unique_ptr<store::destination> dest_;
    bool is_mbox_ = false;
    /// The batch committed but not yet durable: the records, handed to
    /// confirm() as they are, and beside them (same index) their reports.
    std::vector<store::delivered_record> pending_recs_;
    std::vector<pending_entry> pending_;
    std::uint64_t pending_bytes_ = 0;
    std::vector<store::message_key> durable_;
    bool keep_durable_ = false;
    std::chrono::steady_clock::time_point last_sync_;
    std::uint64_t stream_bytes_ = 0, committed_bytes_ = 0, last_report_ = 0;
    std::uint64_t total_messages_ = 0, total_bytes_ = 0;
    bool deferred_ = false, refused_ = false;
};

} // namespace pigeon::cli
