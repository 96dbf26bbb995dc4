#pragma once
// An in-memory POP3 "server" for the maildrop tests: a net::stream that
// answers each command line the client wrote with what a responder returns,
// and only once the client reads. Unlike duplex_stream, what the client may
// read depends on what it sent, so the tests can see how many commands were
// outstanding at any time (one at a time without PIPELINING, at most the
// window with it), and a reply may be produced piece by piece (a listing of a
// million lines, a message without end) without ever being held.
//
//   auto s = std::make_unique<answering_stream>("+OK ready\r\n", [](std::string_view cmd) {
//       if (cmd == "STAT") return answer("+OK 2 320\r\n");
//       return answer("-ERR unknown\r\n");
//   });
//   auto server = s->handle();
//   net::channel ch(std::move(s));
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pigeon/net/bytes.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/net/stream.hpp"

namespace pigeon::test {

/// A whole reply given as a string.
inline net::source_fn answer(std::string text) {
    auto s = std::make_shared<std::string>(std::move(text));
    return [s, pos = std::size_t{0}](char* buf, std::size_t cap) mutable {
        const std::size_t n = std::min(cap, s->size() - pos);
        std::memcpy(buf, s->data() + pos, n);
        pos += n;
        return n;
    };
}

/// A reply made of a head, then lines from next_line (which returns false
/// when there are no more), then a tail. Holds one line at a time.
inline net::source_fn answer_lines(std::string head, std::function<bool(std::string&)> next_line, std::string tail) {
    struct state {
        std::string pending;
        std::size_t pos = 0;
        bool head_done = false;
        bool lines_done = false;
        bool tail_done = false;
    };
    auto st = std::make_shared<state>();
    return [st, head = std::move(head), next_line = std::move(next_line),
            tail = std::move(tail)](char* buf, std::size_t cap) mutable {
        std::size_t n = 0;
        while (n < cap) {
            if (st->pos == st->pending.size()) {
                st->pending.clear();
                st->pos = 0;
                if (!st->head_done) {
                    st->head_done = true;
                    st->pending = head;
                } else if (!st->lines_done) {
                    if (!next_line(st->pending)) {
                        st->lines_done = true;
                        st->pending.clear();
                    }
                } else if (!st->tail_done) {
                    st->tail_done = true;
                    st->pending = tail;
                } else {
                    break;
                }
                continue;
            }
            const std::size_t k = std::min(cap - n, st->pending.size() - st->pos);
            std::memcpy(buf + n, st->pending.data() + st->pos, k);
            st->pos += k;
            n += k;
        }
        return n;
    };
}

/// What an answering_stream shares with the test.
struct answering_state {
    std::function<net::source_fn(std::string_view)> responder;
    std::string input;               // client bytes not yet taken as a command
    std::vector<std::string> commands;  // every command line, in order
    std::vector<std::string> writes;    // each write_all's bytes
    std::size_t commands_mark = 0;      // recorded from here on
    std::size_t writes_mark = 0;
    std::size_t taken = 0;           // commands whose reply was started
    std::size_t finished = 0;        // replies served to their end
    std::size_t max_outstanding = 0; // most commands written but not fully answered
    net::source_fn current;          // the reply being served
    std::string ahead;               // its next bytes
    std::size_t ahead_pos = 0;
    std::string greeting;
    std::size_t greeting_pos = 0;
    std::uint64_t served = 0;        // bytes the client read
    bool closed = false;
    /// After the last reply, the client reading again: timeout (a silent
    /// server) or connection_closed.
    bool silent_at_end = true;
};

class answering_handle {
public:
    explicit answering_handle(std::shared_ptr<answering_state> s) : s_(std::move(s)) {}
    /// The command lines received since the last reset_record(), in order.
    std::vector<std::string> commands() const {
        return std::vector<std::string>(s_->commands.begin() + static_cast<std::ptrdiff_t>(s_->commands_mark),
                                        s_->commands.end());
    }
    /// Each write_all's bytes since the last reset_record().
    std::vector<std::string> writes() const {
        return std::vector<std::string>(s_->writes.begin() + static_cast<std::ptrdiff_t>(s_->writes_mark),
                                        s_->writes.end());
    }
    /// The most commands written and not yet answered to the end, at any
    /// write since the last reset_record().
    std::size_t max_outstanding() const { return s_->max_outstanding; }
    std::uint64_t served() const { return s_->served; }
    bool closed() const { return s_->closed; }
    /// Forgets what was recorded so far (after the set-up, say).
    void reset_record() {
        s_->commands_mark = s_->commands.size();
        s_->writes_mark = s_->writes.size();
        s_->max_outstanding = 0;
    }
    void set_responder(std::function<net::source_fn(std::string_view)> r) { s_->responder = std::move(r); }

private:
    std::shared_ptr<answering_state> s_;
};

class answering_stream final : public net::stream {
public:
    answering_stream(std::string greeting, std::function<net::source_fn(std::string_view)> responder)
        : s_(std::make_shared<answering_state>()) {
        s_->greeting = std::move(greeting);
        s_->responder = std::move(responder);
    }
    answering_handle handle() const { return answering_handle(s_); }

    std::size_t read_some(char* buf, std::size_t cap, std::error_code& ec) override {
        ec.clear();
        auto& s = *s_;
        if (s.closed) {
            ec = net::errc::io_error;
            return 0;
        }
        if (s.greeting_pos < s.greeting.size()) {
            const std::size_t n = std::min(cap, s.greeting.size() - s.greeting_pos);
            std::memcpy(buf, s.greeting.data() + s.greeting_pos, n);
            s.greeting_pos += n;
            s.served += n;
            return n;
        }
        for (;;) {
            if (s.ahead_pos < s.ahead.size()) {
                const std::size_t n = std::min(cap, s.ahead.size() - s.ahead_pos);
                std::memcpy(buf, s.ahead.data() + s.ahead_pos, n);
                s.ahead_pos += n;
                s.served += n;
                if (s.ahead_pos == s.ahead.size()) pull();  // knows at once when a reply ended
                return n;
            }
            if (s.current) {
                pull();
                continue;
            }
            if (s.taken == s.commands.size()) {
                ec = s.silent_at_end ? net::errc::timeout : net::errc::connection_closed;
                return 0;
            }
            s.current = s.responder(s.commands[s.taken++]);
            pull();
        }
    }

    void write_all(const char* data, std::size_t n, std::error_code& ec) override {
        ec.clear();
        auto& s = *s_;
        if (s.closed) {
            ec = net::errc::io_error;
            return;
        }
        s.writes.emplace_back(data, n);
        s.input.append(data, n);
        for (;;) {
            const auto eol = s.input.find("\r\n");
            if (eol == std::string::npos) break;
            s.commands.push_back(s.input.substr(0, eol));
            s.input.erase(0, eol + 2);
        }
        // A reply is finished once the client read past it; the one being
        // served counts as outstanding.
        s.max_outstanding = std::max(s.max_outstanding, s.commands.size() - s.finished);
    }

    void close() noexcept override { s_->closed = true; }
    // Single-threaded tests: a cancelled stream fails like a closed one.
    void cancel() noexcept override { s_->closed = true; }

private:
    // The next piece of the current reply into the look-ahead buffer; an
    // exhausted reply is finished.
    void pull() {
        auto& s = *s_;
        s.ahead.resize(64 * 1024);
        s.ahead_pos = 0;
        const std::size_t n = s.current ? s.current(s.ahead.data(), s.ahead.size()) : 0;
        s.ahead.resize(n);
        if (n == 0 && s.current) {
            s.current = nullptr;
            ++s.finished;
        }
    }

    std::shared_ptr<answering_state> s_;
};

} // namespace pigeon::test
