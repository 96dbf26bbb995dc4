#include "support/duplex_stream.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "pigeon/net/error.hpp"

namespace pigeon::test {

struct duplex_state {
    duplex_options opts;
    std::deque<std::string> input;
    std::size_t offset = 0; // consumed bytes of input.front()
    std::string output;
    std::vector<std::string> writes;
    std::size_t ops = 0;
    std::size_t tls_attempts = 0;
    std::size_t tls_at = std::string::npos; // output size when TLS started
    net::tls_options last_tls;
    bool tls = false;
    bool closed = false;
    std::vector<net::io_deadline> deadlines;
    // cancel() comes from another thread; waits sleep on the condition.
    std::mutex mutex;
    std::condition_variable wake;
    std::atomic<bool> cancelled{false};
};

const net::tls_info& pretend_tls_info() {
    static const net::tls_info info = [] {
        net::tls_info i;
        i.version = "TLSv1.3";
        i.cipher = "TLS_AES_256_GCM_SHA384";
        i.subject = "CN=localhost";
        i.issuer = "CN=localhost";
        i.not_before = "2024-01-01T00:00:00Z";
        i.not_after = "2099-12-31T23:59:59Z";
        i.sha256_fingerprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                               "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
        i.subject_alt_names = {"localhost"};
        i.verified = true;
        return i;
    }();
    return info;
}

// ---- duplex_peer -------------------------------------------------------------

void duplex_peer::push(std::string chunk) {
    if (!chunk.empty()) state_->input.push_back(std::move(chunk));
}

void duplex_peer::push(const std::vector<std::string>& chunks) {
    for (const auto& c : chunks) push(c);
}

std::string duplex_peer::written() const { return state_->output; }

const std::vector<std::string>& duplex_peer::writes() const { return state_->writes; }

std::string duplex_peer::written_before_tls() const {
    return state_->output.substr(0, std::min(state_->tls_at, state_->output.size()));
}

std::string duplex_peer::written_after_tls() const {
    if (state_->tls_at == std::string::npos) return {};
    return state_->output.substr(state_->tls_at);
}

std::size_t duplex_peer::unread_chunks() const { return state_->input.size(); }
std::size_t duplex_peer::operations() const { return state_->ops; }
std::size_t duplex_peer::tls_attempts() const { return state_->tls_attempts; }
const net::tls_options& duplex_peer::last_tls_options() const { return state_->last_tls; }
bool duplex_peer::tls_active() const { return state_->tls; }
bool duplex_peer::closed() const { return state_->closed; }
const std::vector<net::io_deadline>& duplex_peer::deadlines() const { return state_->deadlines; }
bool duplex_peer::cancelled() const { return state_->cancelled.load(); }

// ---- duplex_stream -----------------------------------------------------------

duplex_stream::duplex_stream(std::vector<std::string> chunks, duplex_options opts)
    : state_(std::make_shared<duplex_state>()) {
    state_->opts = opts;
    for (auto& c : chunks) {
        if (!c.empty()) state_->input.push_back(std::move(c));
    }
}

duplex_stream::~duplex_stream() = default;

bool duplex_stream::next_op_fails(std::error_code& ec) {
    std::size_t index = state_->ops++;
    state_->deadlines.push_back(deadline_);
    if (state_->cancelled.load()) {
        ec = net::errc::cancelled;
        return true;
    }
    if (state_->closed) {
        // Using a stream after close() is a bug in the code under test; a
        // real socket would report EBADF.
        ec = net::errc::io_error;
        return true;
    }
    if (index >= state_->opts.fail_count) {
        ec = net::errc::io_error;
        return true;
    }
    ec.clear();
    return false;
}

namespace {

// Sleeps until `until` (time_point::max(): until cancelled). False with ec
// set when the deadline's limit or cancel() comes first.
bool sleep_until(duplex_state& st, net::io_deadline::clock::time_point until,
                 net::io_deadline::clock::time_point limit, std::error_code& ec) {
    const bool deadline_first = limit < until;
    const auto end = deadline_first ? limit : until;
    std::unique_lock<std::mutex> lock(st.mutex);
    auto cancelled = [&st] { return st.cancelled.load(); };
    if (end == net::io_deadline::clock::time_point::max()) st.wake.wait(lock, cancelled);
    else st.wake.wait_until(lock, end, cancelled);
    if (cancelled()) {
        ec = net::errc::cancelled;
        return false;
    }
    if (deadline_first) {
        ec = net::errc::timeout;
        return false;
    }
    return true;
}

} // namespace

std::size_t duplex_stream::read_some(char* buf, std::size_t cap, std::error_code& ec) {
    if (next_op_fails(ec)) return 0;
    if (cap == 0) return 0;
    auto& st = *state_;
    const auto now = net::io_deadline::clock::now();
    const auto limit = deadline_.limit(now);
    if (st.input.empty()) {
        if (st.opts.at_end == end_of_input::wait) {
            sleep_until(st, net::io_deadline::clock::time_point::max(), limit, ec);
            return 0;
        }
        ec = st.opts.at_end == end_of_input::close ? net::errc::connection_closed : net::errc::timeout;
        return 0;
    }
    if (st.opts.chunk_delay.count() > 0 && st.offset == 0 &&
        !sleep_until(st, now + st.opts.chunk_delay, limit, ec))
        return 0;
    const std::string& chunk = st.input.front();
    std::size_t n = std::min(cap, chunk.size() - st.offset);
    chunk.copy(buf, n, st.offset);
    st.offset += n;
    if (st.offset == chunk.size()) {
        st.input.pop_front();
        st.offset = 0;
    }
    return n;
}

bool duplex_stream::wait_readable(std::chrono::milliseconds, std::error_code& ec) {
    ec.clear();
    return !state_->input.empty() || state_->opts.at_end == end_of_input::close;
}

void duplex_stream::write_all(const char* data, std::size_t n, std::error_code& ec) {
    if (next_op_fails(ec)) return;
    state_->output.append(data, n);
    state_->writes.emplace_back(data, n);
}

void duplex_stream::start_tls(const net::tls_options& opts, std::error_code& ec) {
    if (next_op_fails(ec)) return;
    auto& st = *state_;
    ++st.tls_attempts;
    st.last_tls = opts;
    if (!st.opts.pretend_tls) {
        ec = net::errc::tls_unsupported;
        return;
    }
    if (st.tls) {
        ec = net::errc::tls_already_active;
        return;
    }
    if (st.opts.tls_failure) {
        ec = st.opts.tls_failure;
        return;
    }
    st.tls = true;
    st.tls_at = st.output.size();
}

const net::tls_info* duplex_stream::tls() const noexcept {
    return state_->tls ? &pretend_tls_info() : nullptr;
}

void duplex_stream::close() noexcept { state_->closed = true; }

void duplex_stream::cancel() noexcept {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->cancelled.store(true);
    }
    state_->wake.notify_all();
}

} // namespace pigeon::test
