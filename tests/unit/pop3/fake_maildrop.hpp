#pragma once
// A POP3 maildrop served from memory through an answering_stream: enough of
// RFC 1939 and 2449 (CAPA, USER/PASS, STAT, LIST, UIDL, RETR, TOP, DELE,
// RSET, NOOP, QUIT) for the client's maildrop tests, with switches for the
// refusals a test wants (-ERR to a RETR or DELE, no PIPELINING). Messages
// are dot-stuffed on the way out by net::dot_stuffer.
#include <cstdint>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pigeon/net/channel.hpp"
#include "pigeon/net/dot_codec.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/pop3/client.hpp"
#include "answering_stream.hpp"

namespace pigeon::test {

struct fake_maildrop {
    std::vector<std::string> messages;  ///< as stored, CRLF line ends
    std::vector<std::string> uids;      ///< UIDL ids; empty: "uid-<n>"
    std::vector<bool> deleted;
    bool pipelining = true;
    std::set<std::uint32_t> refuse_retr;  ///< RETR n answered -ERR
    std::set<std::uint32_t> refuse_dele;  ///< DELE n answered -ERR
    bool quit_ok = true;
    std::vector<std::uint32_t> removed;   ///< what QUIT removed

    explicit fake_maildrop(std::vector<std::string> m = {}) : messages(std::move(m)), deleted(messages.size()) {}

    std::string uid(std::size_t i) const { return i < uids.size() ? uids[i] : "uid-" + std::to_string(i + 1); }

    // The message index for the argument of "CMD n", or npos.
    std::size_t index(std::string_view arg) const {
        std::uint64_t n = 0;
        if (arg.empty() || arg.size() > 9) return std::string::npos;
        for (char c : arg) {
            if (c < '0' || c > '9') return std::string::npos;
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (n == 0 || n > messages.size() || deleted[n - 1]) return std::string::npos;
        return static_cast<std::size_t>(n - 1);
    }

    static std::string stuffed(std::string_view content) {
        net::dot_stuffer st;
        std::string out;
        if (st.feed(content, out) || st.finish(out))
            throw std::logic_error("fake_maildrop: a test message with a NUL byte");
        return out;
    }

    std::string reply(std::string_view cmd) {
        const auto sp = cmd.find(' ');
        const std::string_view verb = cmd.substr(0, sp);
        const std::string_view arg = sp == std::string_view::npos ? std::string_view() : cmd.substr(sp + 1);
        if (verb == "CAPA")
            return std::string("+OK\r\nUSER\r\nUIDL\r\nTOP\r\n") + (pipelining ? "PIPELINING\r\n" : "") + ".\r\n";
        if (verb == "USER" || verb == "PASS" || verb == "NOOP") return "+OK\r\n";
        if (verb == "STAT") {
            std::size_t count = 0;
            std::uint64_t size = 0;
            for (std::size_t i = 0; i < messages.size(); ++i) {
                if (deleted[i]) continue;
                ++count;
                size += messages[i].size();
            }
            return "+OK " + std::to_string(count) + " " + std::to_string(size) + "\r\n";
        }
        if (verb == "LIST" || verb == "UIDL") {
            auto line = [&](std::size_t i) {
                return std::to_string(i + 1) + " " + (verb == "LIST" ? std::to_string(messages[i].size()) : uid(i));
            };
            if (!arg.empty()) {
                const std::size_t i = index(arg);
                return i == std::string::npos ? "-ERR no such message\r\n" : "+OK " + line(i) + "\r\n";
            }
            std::string out = "+OK\r\n";
            for (std::size_t i = 0; i < messages.size(); ++i)
                if (!deleted[i]) out += line(i) + "\r\n";
            return out + ".\r\n";
        }
        if (verb == "RETR") {
            const std::size_t i = index(arg);
            if (i == std::string::npos || refuse_retr.count(static_cast<std::uint32_t>(i + 1)))
                return "-ERR no such message\r\n";
            return "+OK " + std::to_string(messages[i].size()) + " octets\r\n" + stuffed(messages[i]);
        }
        if (verb == "TOP") {
            const auto sp2 = arg.find(' ');
            const std::size_t i = index(arg.substr(0, sp2));
            if (i == std::string::npos || sp2 == std::string_view::npos) return "-ERR no such message\r\n";
            const std::size_t lines = std::stoul(std::string(arg.substr(sp2 + 1)));
            const std::string& m = messages[i];
            std::size_t end = m.find("\r\n\r\n");
            end = end == std::string::npos ? m.size() : end + 4;
            for (std::size_t k = 0; k < lines && end < m.size(); ++k) {
                const auto eol = m.find("\r\n", end);
                end = eol == std::string::npos ? m.size() : eol + 2;
            }
            return "+OK\r\n" + stuffed(std::string_view(m).substr(0, end));
        }
        if (verb == "DELE") {
            const std::size_t i = index(arg);
            if (i == std::string::npos || refuse_dele.count(static_cast<std::uint32_t>(i + 1)))
                return "-ERR no such message\r\n";
            deleted[i] = true;
            return "+OK marked\r\n";
        }
        if (verb == "RSET") {
            deleted.assign(messages.size(), false);
            return "+OK\r\n";
        }
        if (verb == "QUIT") {
            if (!quit_ok) return "-ERR some deleted messages not removed\r\n";
            for (std::size_t i = 0; i < messages.size(); ++i)
                if (deleted[i]) removed.push_back(static_cast<std::uint32_t>(i + 1));
            return "+OK bye\r\n";
        }
        return "-ERR unknown command\r\n";
    }
};

/// A client logged in (USER/PASS) to a fake maildrop; server.commands()
/// starts empty after the log-in.
struct maildrop_session {
    std::shared_ptr<fake_maildrop> md;
    answering_handle server;
    pop3::client c;
};

inline maildrop_session open_maildrop(fake_maildrop md, const pop3::client_options& opts = {},
                                      std::string greeting = "+OK fake POP3 ready\r\n") {
    auto shared = std::make_shared<fake_maildrop>(std::move(md));
    auto s = std::make_unique<answering_stream>(std::move(greeting),
                                                [shared](std::string_view cmd) { return answer(shared->reply(cmd)); });
    auto h = s->handle();
    net::endpoint ep;
    ep.host = "test.invalid";
    ep.tls = net::tls_mode::none;
    pop3::client c;
    c.connect(net::channel(std::move(s)), ep, opts);
    c.login("user", "pass", true);
    h.reset_record();
    return {shared, h, std::move(c)};
}

} // namespace pigeon::test
