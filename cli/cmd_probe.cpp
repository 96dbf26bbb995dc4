// pigeon probe URL: connect, greet, STARTTLS where the scheme is not
// implicit TLS (required unless --tls none), read capabilities before and
// after TLS, print them with the TLS session and the server certificate.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "common.hpp"
#include "pigeon/imap/client.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/nntp/client.hpp"
#include "pigeon/pop3/client.hpp"
#include "pigeon/smtp/client.hpp"

namespace pigeon::cli {
namespace {

struct probe_report {
    std::string greeting;
    std::vector<std::string> caps_before_tls;
    std::vector<std::string> caps;
    bool starttls_used = false;
    std::optional<net::tls_info> tls;
    std::string proxy;  ///< the proxy's URL without password, "" for none
};

template <class Info>
void fill_common(probe_report& r, const Info& info, const net::tls_info* tls) {
    r.greeting = info.greeting;
    r.starttls_used = info.starttls_used;
    if (tls) r.tls = *tls;
}

// The four clients share one shape (README: "One API"): connect(), info()
// with capability lines before and after TLS, and a closing command.
template <class Client, class Options, class Close>
probe_report probe_session(const net::endpoint& ep, const net::session_options& so, Close close) {
    Options o;
    o.net = so;
    Client c;
    c.connect(ep, o);
    probe_report r;
    fill_common(r, c.info(), c.channel().tls());
    r.caps_before_tls = c.info().capabilities_before_tls;
    r.caps = c.info().tls_active ? c.info().capabilities_after_tls : c.info().capabilities_before_tls;
    close(c);
    return r;
}

nlohmann::json to_json(const net::endpoint& ep, const probe_report& r) {
    nlohmann::json j;
    j["protocol"] = net::to_string(ep.proto);
    j["host"] = ep.host;
    j["port"] = ep.port;
    j["tls_mode"] = net::to_string(ep.tls);
    j["proxy"] = r.proxy.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.proxy);
    j["greeting"] = r.greeting;
    j["capabilities_before_tls"] = r.caps_before_tls;
    j["capabilities"] = r.caps;
    if (r.tls) {
        const auto& t = *r.tls;
        j["tls"] = {{"version", t.version},
                    {"cipher", t.cipher},
                    {"starttls", r.starttls_used},
                    {"verified", t.verified},
                    {"pinned", t.pinned},
                    {"certificate",
                     {{"subject", t.subject},
                      {"issuer", t.issuer},
                      {"not_before", t.not_before},
                      {"not_after", t.not_after},
                      {"sha256", t.sha256_fingerprint},
                      {"subject_alt_names", t.subject_alt_names}}}};
    } else {
        j["tls"] = nullptr;
    }
    return j;
}

void print_text(const net::endpoint& ep, const probe_report& r) {
    std::string out;
    auto line = [&](std::string_view k, std::string_view v) {
        out += k;
        out += v;
        out += '\n';
    };
    line("server:      ", std::string(net::to_string(ep.proto)) + " " + ep.host + ":" + std::to_string(ep.port) +
                              " (tls: " + net::to_string(ep.tls) + ")");
    if (!r.proxy.empty()) line("proxy:       ", printable(r.proxy));
    std::string_view g = r.greeting;
    line("greeting:    ", printable(g.substr(0, g.find('\n'))));
    if (!r.caps_before_tls.empty() && r.tls) {
        out += "capabilities before TLS (not trusted):\n";
        for (const auto& c : r.caps_before_tls) line("  ", printable(c));
    }
    if (r.tls) {
        const auto& t = *r.tls;
        line("tls:         ", t.version + " " + t.cipher + (r.starttls_used ? " (STARTTLS)" : " (implicit)"));
        line("verified:    ", t.pinned ? "yes (pinned fingerprint)" : t.verified ? "yes" : "NO (--insecure)");
        line("subject:     ", printable(t.subject));
        line("issuer:      ", printable(t.issuer));
        line("valid:       ", t.not_before + " to " + t.not_after);
        std::string names;
        for (const auto& n : t.subject_alt_names) names += (names.empty() ? "" : ", ") + printable(n);
        if (!names.empty()) line("names:       ", names);
        line("sha256:      ", t.sha256_fingerprint);
    } else {
        out += "tls:         none (clear text)\n";
    }
    out += r.tls ? "capabilities:\n" : "capabilities (clear text):\n";
    for (const auto& c : r.caps) line("  ", printable(c));
    std::cout << out << std::flush;
}

const registrar probe_cmd{command_info{
    "probe",
    "Connect to a server, show its capabilities and TLS certificate",
    [](CLI::App& sub) -> std::function<int()> {
        struct state {
            std::string url;
            bool json = false;
            tls_flags tls;
            trace_flags trace;
            double timeout = 30;
        };
        auto s = std::make_shared<state>();
        sub.add_option("url", s->url,
                       "smtp://, smtps://, imap://, imaps://, pop3://, pop3s://, nntp://, nntps:// [host[:port]]")
            ->required();
        sub.add_flag("--json", s->json, "Print the result as JSON");
        sub.add_option("--timeout", s->timeout, "Connect and I/O timeout in seconds")->check(CLI::PositiveNumber);
        s->tls.add_to(sub);
        s->trace.add_to(sub);
        return [s]() -> int {
            std::error_code ec;
            auto ep = net::parse_endpoint(s->url, ec);
            if (!ep || !ep->unix_path.empty()) {
                error_line("not a server URL: " + printable(s->url) +
                           " (want smtp://host[:port], imaps://host, nntp://host ...)");
                return exit_usage;
            }
            net::session_options so;
            so.tls = s->tls.apply(*ep);
            so.proxy = s->tls.proxy_options();
            so.trace = s->trace.options();
            auto ms = std::chrono::milliseconds(static_cast<long long>(s->timeout * 1000));
            so.connect.connect_timeout = ms;
            so.connect.io_timeout = ms;
            probe_report r;
            switch (ep->proto) {
            case net::protocol::smtp:
            case net::protocol::lmtp:
                r = probe_session<smtp::client, smtp::client_options>(*ep, so, [](auto& c) { c.quit(); });
                break;
            case net::protocol::pop3:
                r = probe_session<pop3::client, pop3::client_options>(*ep, so, [](auto& c) { c.quit(); });
                break;
            case net::protocol::imap:
                r = probe_session<imap::client, imap::client_options>(*ep, so, [](auto& c) { c.logout(); });
                break;
            case net::protocol::nntp:
                r = probe_session<nntp::client, nntp::client_options>(*ep, so, [](auto& c) { c.quit(); });
                break;
            }
            if (so.proxy.enabled()) r.proxy = so.proxy.display_url();
            if (s->json) std::cout << to_json(*ep, r).dump(2) << std::endl;
            else print_text(*ep, r);
            return exit_ok;
        };
    },
    {}, true}};

} // namespace
} // namespace pigeon::cli
