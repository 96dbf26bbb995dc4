#include "support/duplex_stream.hpp"

#include <algorithm>
#include <deque>

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

std::size_t duplex_stream::read_some(char* buf, std::size_t cap, std::error_code& ec) {
    if (next_op_fails(ec)) return 0;
    if (cap == 0) return 0;
    auto& st = *state_;
    if (st.input.empty()) {
        ec = st.opts.at_end == end_of_input::close ? net::errc::connection_closed : net::errc::timeout;
        return 0;
    }
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

} // namespace pigeon::test
