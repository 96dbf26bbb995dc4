#include "pigeon/smtp/session.hpp"

#include <utility>

namespace pigeon::smtp {

const char* to_string(state s) noexcept {
    switch (s) {
    case state::disconnected: return "disconnected";
    case state::greeted: return "greeted";
    case state::ready: return "ready";
    case state::mail: return "mail";
    case state::rcpt: return "rcpt";
    case state::data: return "data";
    case state::closed: return "closed";
    }
    return "?";
}

const char* to_string(command c) noexcept {
    switch (c) {
    case command::ehlo: return "EHLO";
    case command::helo: return "HELO";
    case command::lhlo: return "LHLO";
    case command::starttls: return "STARTTLS";
    case command::auth: return "AUTH";
    case command::mail: return "MAIL";
    case command::rcpt: return "RCPT";
    case command::data: return "DATA";
    case command::bdat: return "BDAT";
    case command::rset: return "RSET";
    case command::noop: return "NOOP";
    case command::quit: return "QUIT";
    }
    return "?";
}

bool session::allowed(command cmd) const noexcept {
    const bool connected = state_ != state::disconnected && state_ != state::closed;
    const bool idle = state_ == state::ready;
    switch (cmd) {
    case command::ehlo:
    case command::helo:
        return !lmtp_ && (state_ == state::greeted || state_ == state::ready);
    case command::lhlo:
        return lmtp_ && (state_ == state::greeted || state_ == state::ready);
    case command::starttls:
        return idle && !tls_ && !authenticated_ && caps_.starttls;
    case command::auth:
        return idle && !authenticated_ && !caps_.auth_mechanisms.empty();
    case command::mail:
        return idle;
    case command::rcpt:
        return state_ == state::mail || state_ == state::rcpt;
    case command::data:
        return state_ == state::rcpt;
    case command::bdat:
        return caps_.chunking && (state_ == state::rcpt || state_ == state::data);
    case command::rset:
    case command::noop:
        return connected && state_ != state::data;
    case command::quit:
        return connected;
    }
    return false;
}

void session::on_connected(bool lmtp, bool tls) noexcept {
    state_ = state::disconnected;
    lmtp_ = lmtp;
    tls_ = tls;
    authenticated_ = false;
    caps_ = capabilities{};
}

void session::on_greeting() noexcept { state_ = state::greeted; }

void session::on_hello(capabilities caps) noexcept {
    caps_ = std::move(caps);
    state_ = state::ready;
}

void session::on_tls() noexcept {
    tls_ = true;
    caps_ = capabilities{};
    state_ = state::greeted;
}

void session::on_authenticated() noexcept { authenticated_ = true; }
void session::on_mail() noexcept { state_ = state::mail; }
void session::on_rcpt() noexcept { state_ = state::rcpt; }
void session::on_data() noexcept { state_ = state::data; }
void session::on_transaction_end() noexcept { state_ = state::ready; }
void session::on_closed() noexcept { state_ = state::closed; }

} // namespace pigeon::smtp
