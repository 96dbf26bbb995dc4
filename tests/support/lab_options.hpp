#pragma once
// Pointing a protocol client at the lab (lab.hpp, integration tests): the
// POP3, IMAP and NNTP endpoints, connection options that trust the lab CA,
// and SASL credentials and mechanism choices for the lab accounts.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pigeon/net/connect.hpp"
#include "pigeon/net/endpoint.hpp"
#include "pigeon/sasl/mechanism.hpp"
#include "pigeon/sasl/select.hpp"
#include "support/lab.hpp"

namespace pigeon::test::lab {

/// The lab port of a mailbox or news protocol: the implicit-TLS one for
/// tls_mode::implicit, else the clear one (which offers STARTTLS/STLS).
inline std::uint16_t port_of(net::protocol proto, net::tls_mode mode) {
    const bool implicit = mode == net::tls_mode::implicit;
    switch (proto) {
    case net::protocol::pop3: return implicit ? pop3s_port : pop3_port;
    case net::protocol::imap: return implicit ? imaps_port : imap_port;
    case net::protocol::nntp: return implicit ? nntps_port : nntp_port;
    case net::protocol::smtp:
    case net::protocol::lmtp: break;
    }
    throw std::invalid_argument("lab::port_of: SMTP has several lab ports; name one");
}

inline net::endpoint endpoint(net::protocol proto, net::tls_mode mode) {
    net::endpoint e;
    e.proto = proto;
    e.host = std::string(host);
    e.port = port_of(proto, mode);
    e.tls = mode;
    return e;
}

/// Verification against the lab CA, for the name on the lab certificate.
inline net::session_options session_options() {
    net::session_options o;
    o.tls.ca_file = ca_file();
    o.tls.server_name = std::string(tls_name);
    return o;
}

/// The account's credentials; password, when not empty, replaces its own.
inline sasl::credentials creds(const account& a, std::string_view password = {}) {
    sasl::credentials c;
    c.username = std::string(a.name);
    c.password = std::string(password.empty() ? a.password : password);
    return c;
}

/// Mechanism choice limited to mech.
inline sasl::selection_options only(const char* mech) {
    sasl::selection_options s;
    s.allowed = {mech};
    return s;
}

} // namespace pigeon::test::lab
