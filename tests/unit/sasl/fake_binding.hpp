#pragma once
// An in-memory SASL binding for the unit tests: replays scripted server
// replies and records what the exchange sent.
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/sasl/exchange.hpp"

namespace sasl_test {

class fake_binding final : public pigeon::sasl::binding {
public:
    /// Longest base64 initial response that fits on the start line
    /// (npos: any; 0: none, like IMAP without SASL-IR).
    std::size_t start_line_room = std::string::npos;

    std::string start_mech;
    std::optional<std::string> start_initial;
    bool started = false;
    std::vector<std::string> responses;  ///< base64 lines, "*" for a cancel
    unsigned cancels = 0;
    unsigned reads = 0;

    void challenge(std::string b64) { push(pigeon::sasl::reply::kind::challenge, std::move(b64)); }
    void success(std::string b64 = {}) { push(pigeon::sasl::reply::kind::success, std::move(b64)); }
    void failure() { push(pigeon::sasl::reply::kind::failure, {}); }

    void send_start(std::string_view mech, const std::optional<std::string>& initial_b64) override {
        if (started) throw std::logic_error("start sent twice");
        started = true;
        start_mech = std::string(mech);
        start_initial = initial_b64;
    }
    void send_response(std::string_view b64) override { responses.emplace_back(b64); }
    void send_cancel() override {
        ++cancels;
        responses.emplace_back("*");
    }
    pigeon::sasl::reply read_reply() override {
        ++reads;
        if (script_.empty()) throw std::runtime_error("fake server: script exhausted");
        pigeon::sasl::reply r = std::move(script_.front());
        script_.pop_front();
        return r;
    }
    bool initial_response_fits(std::size_t n) const override {
        return start_line_room == std::string::npos || n <= start_line_room;
    }

    std::size_t pending() const { return script_.size(); }

private:
    void push(pigeon::sasl::reply::kind k, std::string payload) {
        pigeon::sasl::reply r;
        r.type = k;
        r.payload = std::move(payload);
        r.text = "scripted";
        script_.push_back(std::move(r));
    }
    std::deque<pigeon::sasl::reply> script_;
};

/// Base64 for the tests, written independently of the library's.
inline std::string b64(std::string_view in) {
    static constexpr char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += a[(v >> 18) & 63];
        out += a[(v >> 12) & 63];
        out += a[(v >> 6) & 63];
        out += a[v & 63];
    }
    const std::size_t rest = in.size() - i;
    if (rest > 0) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += a[(v >> 18) & 63];
        out += a[(v >> 12) & 63];
        out += rest == 2 ? a[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

} // namespace sasl_test
