// outbox::send: the one-call path from a composed message to the server.
#include "pigeon/outbox/send.hpp"

#include <algorithm>
#include <optional>

namespace pigeon::outbox {

smtp::envelope envelope_of(const mime::composed_message& msg, const send_options& opts) {
    smtp::envelope env;
    env.from = msg.envelope_sender();
    for (const auto& r : msg.envelope_recipients()) env.recipients.push_back({r, opts.notify, {}});
    env.ret = opts.ret;
    env.envid = opts.envid;
    env.size_hint = msg.size();
    env.needs_8bitmime = msg.needs_8bitmime();
    env.needs_smtputf8 = msg.needs_smtputf8();
    return env;
}

smtp::send_result send(const net::endpoint& server, const sasl::credentials& who, const mime::composed_message& msg,
                       const send_options& opts) {
    const smtp::envelope env = envelope_of(msg, opts);
    smtp::client c;
    c.connect(server, opts.client);
    if (!who.username.empty() || !who.oauth_token.empty()) {
        sasl::credentials creds = who;
        if (creds.host.empty()) creds.host = server.host;
        if (creds.port == 0) creds.port = server.port;
        oauth2::authenticate_with_token(c, creds, opts.auth, opts.tokens);
        std::fill(creds.password.begin(), creds.password.end(), '\0');
    }
    smtp::send_result r = c.send(env, msg.source());
    try {
        c.quit();  // the message is handed over: a failing QUIT changes nothing
    } catch (const std::exception&) {
    }
    return r;
}

smtp::send_result send(std::string_view url, const sasl::credentials& who, const mime::composed_message& msg,
                       const send_options& opts) {
    std::error_code ec;
    const std::optional<net::endpoint> ep = net::parse_endpoint(std::string(url), ec);
    if (!ep) throw smtp::request_error(ec ? ec : make_error_code(smtp::errc::invalid_argument), "bad server URL");
    return send(*ep, who, msg, opts);
}

} // namespace pigeon::outbox
