#include "fetch_forward.hpp"

#include <utility>

#include "common.hpp"
#include "header_sniffer.hpp"
#include "pigeon/core/error.hpp"
#include "pigeon/mime/address.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/smtp/address.hpp"
#include "pigeon/smtp/client.hpp"
#include "pigeon/smtp/error.hpp"

namespace pigeon::cli {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool valid_path(const std::string& addr, smtp::address_kind kind) {
    bool utf8 = false;
    return !smtp::check_address(addr, kind, utf8);
}

/// The envelope sender of a message: its Return-Path, else its first From
/// address, else the null path.
std::string sender_of(std::string_view head) {
    header_sniffer h;
    h.feed(head);
    h.finish();
    if (!h.return_path.empty()) {
        std::string rp = h.return_path;
        if (rp.size() >= 2 && rp.front() == '<' && rp.back() == '>') rp = rp.substr(1, rp.size() - 2);
        if (rp.empty() || valid_path(rp, smtp::address_kind::reverse_path)) return rp;
    }
    if (!h.from.empty()) {
        auto list = mime::parse_address_list(h.from).mailboxes();
        if (!list.empty()) {
            std::string a = list.front().address();
            if (valid_path(a, smtp::address_kind::reverse_path)) return a;
        }
    }
    return {};
}

/// The first line of a reply, made safe to record and print.
std::string first_line(const smtp::reply& r) {
    std::string line = std::to_string(r.code);
    if (!r.lines.empty()) line += " " + r.lines.front();
    return printable(line);
}

/// One connection to the receiver, opened at the first message and kept
/// for the next ones (reopened when the receiver dropped it).
class forwarder {
public:
    forwarder(forward_target t, const net::session_options& net) : t_(std::move(t)) {
        opts_.net.connect = net.connect;
        opts_.net.trace = net.trace;
        opts_.net.tls.verify = net.tls.verify;
        opts_.net.tls.ca_file = net.tls.ca_file;
        opts_.net.tls.ca_file_only = net.tls.ca_file_only;
        opts_.net.tls.min_version = net.tls.min_version;
        // Whatever the source held (a NUL in a message) must not stop the
        // delivery of the rest.
        opts_.nul = net::nul_policy::strip;
    }
    ~forwarder() {
        try {
            if (client_.is_connected()) client_.quit();
        } catch (const std::exception&) {
            // Closing anyway.
        }
    }
    forwarder(const forwarder&) = delete;
    forwarder& operator=(const forwarder&) = delete;

    store::handoff_result deliver(const store::handoff_message& m) {
        store::handoff_result out;
        if (!client_.is_connected()) {
            try {
                client_.connect(t_.ep, opts_);
            } catch (const std::exception& e) {
                out.ec = make_error_code(store::errc::forward_unreachable);
                out.detail = printable(e.what());
                return out;
            }
        }
        smtp::envelope env;
        env.from = t_.has_from ? t_.from : sender_of(m.head);
        for (const auto& r : t_.to) env.recipients.push_back({r, smtp::notify::none, {}});
        env.size_hint = m.size;
        // 8-bit bodies are common in fetched mail; say so when the receiver
        // understands it (no BODY parameter otherwise, as MTAs relay).
        if (client_.capabilities().eightbitmime) env.body = smtp::body_type::eight_bit;
        try {
            smtp::send_result r = client_.send(env, [&m](char* buf, std::size_t cap) { return m.read(buf, cap); });
            out.location = first_line(r.final_reply);
            std::string refused;
            for (const auto& rr : r.recipients)
                if (!rr.accepted())
                    refused += (refused.empty() ? "" : ", ") + printable(rr.address) + " " +
                               first_line(rr.data_reply ? *rr.data_reply : rr.rcpt_reply);
            if (!refused.empty()) out.location += " (refused: " + refused + ")";
        } catch (const smtp::send_error& e) {
            out.ec = make_error_code(e.is_transient() ? store::errc::forward_deferred : store::errc::forward_refused);
            out.detail = printable(e.what());
        } catch (const core::request_error& e) {
            // Refused before sending (over the receiver's SIZE limit, 8-bit
            // or UTF-8 it cannot take): it will not work next time either.
            out.ec = make_error_code(store::errc::forward_refused);
            out.detail = printable(e.what());
        } catch (const net::transport_error& e) {
            client_.close();
            out.ec = make_error_code(store::errc::forward_unreachable);
            out.detail = printable(e.what());
        }
        return out;
    }

private:
    forward_target t_;
    smtp::client_options opts_;
    smtp::client client_;
};

} // namespace

bool is_forward_spec(std::string_view spec) {
    return starts_with(spec, "lmtp:") || starts_with(spec, "smtp://") || starts_with(spec, "smtps://");
}

bool parse_forward_spec(std::string_view spec, forward_target& out, std::string& why) {
    out = {};
    const auto q = spec.find('?');
    const std::string base(spec.substr(0, q));
    const std::string_view query = q == std::string_view::npos ? std::string_view() : spec.substr(q + 1);
    std::string url = base;
    if (starts_with(base, "lmtp:") && !starts_with(base, "lmtp://")) {
        url = base.substr(5);
        if (url.empty() || url[0] != '/') {
            why = "lmtp: needs a socket path (lmtp:/run/dovecot/lmtp) or lmtp://HOST:PORT";
            return false;
        }
    }
    std::error_code ec;
    auto ep = net::parse_endpoint(url, ec);
    if (!ep || (ep->proto != net::protocol::smtp && ep->proto != net::protocol::lmtp)) {
        why = "not an LMTP or SMTP address: " + printable(base);
        return false;
    }
    if (ep->unix_path.empty()) {
        // No path after the host: a folder there would mean nothing.
        const auto slash = url.find('/', url.find("://") + 3);
        if (slash != std::string::npos && slash + 1 != url.size()) {
            why = "a forwarding address has no path: " + printable(base);
            return false;
        }
    }
    out.ep = *ep;
    std::string_view rest = query;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view item = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        std::string value;
        if (eq == std::string_view::npos || !percent_decode(item.substr(eq + 1), value)) {
            why = "bad parameter in the forwarding address: " + printable(std::string(item));
            return false;
        }
        if (key == "to") {
            std::string_view v = value;
            while (!v.empty()) {
                const auto comma = v.find(',');
                std::string one(v.substr(0, comma));
                v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
                if (one.empty()) continue;
                if (!valid_path(one, smtp::address_kind::forward_path)) {
                    why = "not a recipient address: " + printable(one);
                    return false;
                }
                out.to.push_back(std::move(one));
            }
        } else if (key == "from") {
            if (!value.empty() && !valid_path(value, smtp::address_kind::reverse_path)) {
                why = "not a sender address: " + printable(value);
                return false;
            }
            out.has_from = true;
            out.from = value;
        } else if (key == "tls") {
            if (!out.ep.unix_path.empty()) {
                why = "tls= is for TCP receivers, not unix sockets";
                return false;
            }
            if (value == "none") out.ep.tls = net::tls_mode::none;
            else if (value == "starttls") out.ep.tls = net::tls_mode::starttls;
            else if (value == "implicit") out.ep.tls = net::tls_mode::implicit;
            else {
                why = "tls= takes none, starttls or implicit, not " + printable(value);
                return false;
            }
        } else {
            why = "unknown parameter in the forwarding address: " + printable(std::string(key)) +
                  " (to=, from=, tls=)";
            return false;
        }
    }
    if (out.to.empty()) {
        why = "a forwarding address names its recipients: add ?to=ADDRESS (" + printable(base) + ")";
        return false;
    }
    out.description = base + "?to=";
    for (std::size_t i = 0; i < out.to.size(); ++i) out.description += (i ? "," : "") + out.to[i];
    return true;
}

std::unique_ptr<store::destination> open_fetch_destination(const std::string& spec,
                                                           const store::destination_options& opts,
                                                           const net::session_options& net, std::error_code& ec) {
    if (!is_forward_spec(spec)) return store::open_destination(spec, opts, ec);
    forward_target t;
    std::string why;
    if (!parse_forward_spec(spec, t, why)) {
        ec = make_error_code(store::errc::bad_spec);
        return nullptr;
    }
    std::string description = t.description;
    auto f = std::make_shared<forwarder>(std::move(t), net);
    return store::open_handoff(std::move(description),
                               [f](const store::handoff_message& m) { return f->deliver(m); }, ec);
}

} // namespace pigeon::cli
