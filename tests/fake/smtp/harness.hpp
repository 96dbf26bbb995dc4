#pragma once
// Shared set-up of the SMTP fake-server tests: a script server playing
// tests/scripts/smtp/<file>, client options trusting its certificate, and a
// trace recorder.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/net/endpoint.hpp"
#include "pigeon/smtp/client.hpp"
#include "support/script_server.hpp"

namespace pigeon::smtp::testing {

struct harness {
    test::script_server srv;
    std::string ca_file;
    std::shared_ptr<std::vector<std::string>> trace = std::make_shared<std::vector<std::string>>();

    explicit harness(const std::string& script, test::script_options so = {})
        : srv(test::script_server::from_file("smtp/" + script, so)), ca_file(srv.write_ca_file()) {}

    net::endpoint endpoint(net::tls_mode mode = net::tls_mode::none,
                           net::protocol proto = net::protocol::smtp) const {
        net::endpoint ep;
        ep.proto = proto;
        ep.host = "127.0.0.1";
        ep.port = srv.port();
        ep.tls = mode;
        return ep;
    }

    client_options options() const {
        client_options o;
        o.net.tls.ca_file = ca_file;
        o.net.tls.ca_file_only = true;
        o.net.tls.server_name = "localhost";
        o.net.connect.connect_timeout = std::chrono::seconds(5);
        o.net.connect.io_timeout = std::chrono::seconds(5);
        auto t = trace;
        o.net.trace.hook = [t](net::trace_direction d, std::string_view s) {
            const char* p = d == net::trace_direction::sent ? "C: " : d == net::trace_direction::received ? "S: " : "I: ";
            t->push_back(p + std::string(s));
        };
        return o;
    }

    /// The whole trace in one string, lines joined by '\n'.
    std::string trace_text() const {
        std::string out;
        for (const auto& l : *trace) out += l + "\n";
        return out;
    }

    test::script_result finish() { return srv.wait(); }
};

inline envelope simple_envelope(std::vector<std::string> to, std::string from = "alice@lab.test") {
    envelope env;
    env.from = std::move(from);
    for (auto& t : to) {
        recipient r;
        r.address = std::move(t);
        env.recipients.push_back(std::move(r));
    }
    return env;
}

} // namespace pigeon::smtp::testing
