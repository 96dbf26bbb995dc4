// outbox::send through an account of pigeon's configuration file.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>

#include "pigeon/account/config.hpp"
#include "pigeon/account/error.hpp"
#include "pigeon/account/oauth2_login.hpp"
#include "pigeon/account/password_command.hpp"
#include "pigeon/account/paths.hpp"
#include "pigeon/net/proxy_options.hpp"
#include "pigeon/outbox/send.hpp"
#include "pigeon/text/printable.hpp"

namespace pigeon::outbox {
namespace {

using account::errc;
using text::printable;

/// The account's proxy ("" and "none": none; "env": ALL_PROXY, else
/// all_proxy, else none). The file was checked when it was loaded.
net::proxy_options proxy_of(const account::account_config& a) {
    std::string spec = a.proxy;
    if (spec == "env") {
        const char* v = std::getenv("ALL_PROXY");
        if (!v || !*v) v = std::getenv("all_proxy");
        spec = v ? v : "";
    }
    if (spec.empty() || spec == "none") return {};
    std::error_code ec;
    auto p = net::parse_proxy_url(spec, ec);
    if (!p) throw account::error(errc::config, "account " + printable(a.name) + ": " + account::check_proxy_spec(spec));
    return *p;
}

} // namespace

smtp::send_result send(const account_ref& ref, const mime::composed_message& msg, const send_options& opts) {
    const account::config_file cfg = account::load_config(ref.config_file);
    const account::account_config& a = account::find_account(cfg, ref.name);
    const std::string where = "account " + printable(a.name);
    if (a.server.empty()) throw account::error(errc::config, where + ": no server");
    std::error_code ec;
    std::optional<net::endpoint> ep = net::parse_endpoint(a.server, ec);
    if (!ep || (ep->proto != net::protocol::smtp && ep->proto != net::protocol::lmtp))
        throw account::error(errc::config, where + ": not an SMTP server URL: " + printable(a.server));
    if (!a.tls.empty() && ep->unix_path.empty())
        ep->tls = a.tls == "implicit" ? net::tls_mode::implicit
                  : a.tls == "none"   ? net::tls_mode::none
                                      : net::tls_mode::starttls;

    send_options o = opts;
    net::tls_options& tls = o.client.net.tls;
    if (!a.tls_ca.empty()) tls.ca_file = a.tls_ca;
    if (!a.pins.empty()) tls.pins = a.pins;
    if (a.insecure) tls.verify = false;
    std::chrono::milliseconds timeout = o.client.net.connect.io_timeout;
    if (a.timeout) {
        timeout = std::chrono::milliseconds(static_cast<long long>(*a.timeout * 1000));
        o.client.net.connect.connect_timeout = timeout;
        o.client.net.connect.io_timeout = timeout;
    }
    if (!a.proxy.empty()) o.client.net.proxy = proxy_of(a);
    if (!a.auth_mechanisms.empty()) o.auth.allowed = a.auth_mechanisms;

    sasl::credentials who;
    who.username = a.user.empty() ? ep->user : a.user;
    std::unique_ptr<account::oauth2_login> login;
    if (!who.username.empty()) {
        if (a.oauth2) {
            const std::string root = ref.state_dir.empty() ? account::default_state_root() : ref.state_dir;
            if (root.empty())
                throw account::error(errc::config, where + ": no state directory for the OAuth2 tokens "
                                                           "(set account_ref::state_dir, XDG_STATE_HOME or HOME)");
            login = std::make_unique<account::oauth2_login>(account::make_oauth2_settings(
                a, root, tls.ca_file, o.client.net.proxy, timeout, o.client.net.trace.hook));
            o.tokens = login.get();
            o.auth.allowed = account::oauth2_mechanisms(a.auth_mechanisms);
        } else if (!a.password_command.empty()) {
            account::password_command_options pc;
            pc.timeout = timeout;
            who.password = account::run_password_command(a.password_command, where + ": password_command", pc);
        } else if (a.password) {
            who.password = *a.password;
        }
    }
    return send(*ep, who, msg, o);
}

} // namespace pigeon::outbox
