// pigeon::smtp::client::send: one mail transaction (RFC 5321 3.3) with
// PIPELINING (RFC 2920), CHUNKING (RFC 3030), SIZE, 8BITMIME, SMTPUTF8,
// DSN, LMTP's per-recipient replies (RFC 2033), and one reconnection when
// the server dropped an idle connection.
#include <algorithm>
#include <memory>
#include <utility>

#include "detail/client_impl.hpp"
#include "pigeon/net/error.hpp"
#include "pigeon/smtp/address.hpp"
#include "pigeon/smtp/command.hpp"
#include "pigeon/smtp/crlf_normalizer.hpp"

namespace pigeon::smtp {
namespace {

struct plan {
    std::string mail;                // the MAIL FROM line
    std::vector<std::string> rcpts;  // the RCPT TO lines, envelope order
    bool bdat = false;               // BDAT chunks instead of DATA
    bool binary = false;             // BODY=BINARYMIME: no line-end normalisation
};

std::string describe(const reply& r) { return printable(r.to_string()); }

/// The errors by which a connection the server closed shows itself.
bool is_drop(const std::error_code& ec) noexcept {
    return ec == net::errc::connection_closed || ec == net::errc::io_error;
}

/// The reply an exception should carry when several recipients were
/// refused: a permanent one if any, so is_transient() means "all were 4yz".
reply deciding_reply(const std::vector<recipient_result>& rs) {
    const reply* first = nullptr;
    for (const auto& r : rs) {
        const reply* ref = r.refusal();
        if (!ref || ref->empty()) continue;
        if (ref->permanent()) return *ref;
        if (!first) first = ref;
    }
    return first ? *first : reply{};
}

/// Every local check, before anything is sent.
plan make_plan(const envelope& env, const smtp::capabilities& caps, const client_options& opts) {
    if (env.recipients.empty()) throw request_error(errc::no_recipients, "no recipients");
    bool utf8 = env.needs_smtputf8;
    bool non_ascii = false;
    if (auto ec = check_address(env.from, address_kind::reverse_path, non_ascii))
        throw request_error(ec, "invalid sender address \"" + printable(env.from) + "\"");
    utf8 = utf8 || non_ascii;
    bool dsn_wanted = env.ret != dsn_ret::unspecified || !env.envid.empty();
    for (const auto& r : env.recipients) {
        if (auto ec = check_address(r.address, address_kind::forward_path, non_ascii))
            throw request_error(ec, "invalid recipient address \"" + printable(r.address) + "\"");
        utf8 = utf8 || non_ascii;
        if (auto ec = check_notify(r.notify_on))
            throw request_error(ec, "invalid NOTIFY value for \"" + printable(r.address) + "\"");
        dsn_wanted = dsn_wanted || r.notify_on != notify::none || !r.orcpt.empty();
    }
    if (utf8 && !caps.smtputf8)
        throw request_error(errc::need_smtputf8, "the message needs SMTPUTF8, which the server does not offer");
    if (dsn_wanted && !caps.dsn)
        throw request_error(errc::need_dsn, "DSN parameters given, but the server does not offer DSN");

    mail_parameters mp;
    body_type body = env.body;
    if (body == body_type::binary) {
        if (!caps.binarymime || !caps.chunking)
            throw request_error(errc::need_binarymime,
                                "BODY=BINARYMIME needs BINARYMIME and CHUNKING, which the server does not offer");
    } else if (body == body_type::eight_bit || env.needs_8bitmime) {
        if (!caps.eightbitmime)
            throw request_error(errc::need_8bitmime, "the message needs 8BITMIME, which the server does not offer");
        body = body_type::eight_bit;
    } else if (body == body_type::seven_bit) {
        if (!caps.eightbitmime) body = body_type::unspecified;  // BODY= only exists with 8BITMIME
    } else if (utf8 && caps.eightbitmime) {
        body = body_type::eight_bit;  // UTF-8 headers are 8-bit content
    }
    mp.body = body;
    mp.smtputf8 = utf8;
    if (env.size_hint) {
        if (caps.size && caps.size_limit != 0 && *env.size_hint > caps.size_limit)
            throw request_error(errc::message_too_big, "message of " + std::to_string(*env.size_hint) +
                                                           " octets exceeds the server's limit of " +
                                                           std::to_string(caps.size_limit));
        if (caps.size) mp.size = env.size_hint;
    }
    mp.ret = env.ret;
    mp.envid = env.envid;

    plan p;
    if (auto ec = encode_mail(env.from, mp, p.mail)) throw request_error(ec, "cannot encode MAIL FROM");
    p.rcpts.reserve(env.recipients.size());
    for (const auto& r : env.recipients) {
        rcpt_parameters rp;
        rp.notify_on = r.notify_on;
        rp.orcpt = r.orcpt;
        rp.smtputf8 = utf8;
        std::string line;
        if (auto ec = encode_rcpt(r.address, rp, line))
            throw request_error(ec, "cannot encode RCPT TO for \"" + printable(r.address) + "\"");
        p.rcpts.push_back(std::move(line));
    }
    p.binary = body == body_type::binary;
    p.bdat = p.binary || (caps.chunking && !opts.prefer_data);
    return p;
}

} // namespace

/// RSET (if needed), MAIL FROM and every RCPT TO, with their replies. Returns
/// false when the server turned out to have dropped the connection before
/// answering anything (EOF, reset or 421) and allow_drop is set; the
/// connection is closed then. Throws send_error when the sender or every
/// recipient is refused.
static bool start_transaction(client::impl& c, const plan& p, send_result& res, bool allow_drop) {
    const bool pipe = c.opts.use_pipelining && c.sess.caps().pipelining;
    bool answered = false;
    auto dropped = [&c]() {
        if (c.ch) c.ch->trace_info("the server closed the idle connection; reconnecting");
        c.close();
        return false;
    };
    try {
        const bool rset = c.dirty;
        if (pipe) {
            // One write: [RSET] MAIL FROM, RCPT TO... (RFC 2920 3.1).
            std::vector<std::string> batch;
            batch.reserve(p.rcpts.size() + 2);
            if (rset) batch.emplace_back("RSET");
            batch.push_back(p.mail);
            batch.insert(batch.end(), p.rcpts.begin(), p.rcpts.end());
            c.ch->write_commands(batch);
        } else {
            c.write(rset ? std::string_view("RSET") : std::string_view(p.mail));
        }
        if (rset) {
            reply r = c.read_reply();
            if (r.code == 421 && allow_drop) return dropped();
            c.check_closing(r, "RSET");
            answered = true;
            if (!r.positive()) c.fail(errc::unexpected_reply, "RSET refused: " + describe(r), r);
            c.dirty = false;
            c.sess.on_transaction_end();
            if (!pipe) c.write(p.mail);
        }
        reply mr = c.read_reply();
        if (!answered && mr.code == 421 && allow_drop) return dropped();
        answered = true;
        c.check_closing(mr, "MAIL FROM");
        if (!mr.positive()) {
            if (pipe) {
                // The pipelined RCPTs are answered too (503 usually): read
                // them to stay in step, and report them.
                for (std::size_t i = 0; i < p.rcpts.size(); ++i) {
                    reply r = c.read_reply();
                    c.check_closing(r, "RCPT TO");
                    res.recipients[i].rcpt_reply = std::move(r);
                }
            }
            throw send_error(errc::sender_refused, "sender refused: " + describe(mr), mr, res.recipients);
        }
        c.sess.on_mail();
        c.dirty = true;
    } catch (const net::transport_error& e) {
        if (!answered && allow_drop && is_drop(e.code())) return dropped();
        throw;
    }

    bool any = false;
    for (std::size_t i = 0; i < p.rcpts.size(); ++i) {
        if (!pipe) c.write(p.rcpts[i]);
        reply r = c.read_reply();
        c.check_closing(r, "RCPT TO");
        if (r.positive()) {
            c.sess.on_rcpt();
            any = true;
        }
        res.recipients[i].rcpt_reply = std::move(r);
    }
    if (!any) {
        reply d = deciding_reply(res.recipients);
        throw send_error(errc::recipients_refused, "all recipients refused: " + describe(d), d, res.recipients);
    }
    return true;
}

/// Sends the message as BDAT chunks of about opts.chunk_size bytes, each
/// answered before the next is sent; returns the source bytes read.
static std::uint64_t send_chunks(client::impl& c, const net::source_fn& source, bool binary, send_result& res) {
    const std::size_t chunk_size = std::max<std::size_t>(c.opts.chunk_size, 1);
    const std::size_t in_cap = std::min<std::size_t>(chunk_size, 64 * 1024);
    std::unique_ptr<char[]> in(new char[in_cap]); // not zero-filled
    std::string& chunk = c.bdat_buffer;           // allocated once per client
    chunk.clear();
    chunk.reserve(chunk_size + chunk_size / 16 + 2);
    crlf_normalizer norm(c.opts.nul);
    std::uint64_t total = 0;
    bool eof = false;
    while (!eof) {
        while (chunk.size() < chunk_size) {
            const std::size_t want = std::min(in_cap, chunk_size - chunk.size());
            const std::size_t n = std::min(source(in.get(), want), want);
            if (n == 0) {
                eof = true;
                break;
            }
            total += n;
            if (binary) {
                chunk.append(in.get(), n);  // BINARYMIME: any octet, NUL included (RFC 3030 3)
            } else if (auto ec = norm.feed(std::string_view(in.get(), n), chunk)) {
                // Nothing of this chunk goes out and no BDAT LAST: send()
                // closes the connection, the server drops the transaction.
                net::throw_error(ec, "sending message data");
            }
        }
        if (eof && !binary) {
            if (auto ec = norm.finish(chunk)) net::throw_error(ec, "sending message data");
        }
        c.write(encode_bdat(chunk.size(), eof));
        c.ch->write_raw(chunk);
        chunk.clear();
        if (!eof) {
            reply r = c.read_reply();
            c.check_closing(r, "BDAT");
            if (!r.positive()) {
                // RFC 3030 2: no more chunks; the transaction needs RSET.
                c.sess.on_rcpt();
                for (auto& rr : res.recipients)
                    if (rr.rcpt_reply.positive()) rr.data_reply = r;
                throw send_error(errc::data_refused, "message chunk refused: " + describe(r), r, res.recipients);
            }
        }
    }
    return total;
}

send_result client::impl::send(const envelope& env, const net::source_fn& source) {
    require_open();
    const smtp::state st = sess.current();
    if (st != smtp::state::ready && st != smtp::state::mail && st != smtp::state::rcpt)
        throw request_error(errc::invalid_state, std::string("cannot start a transaction in state ") + to_string(st));
    if (!source) throw request_error(errc::invalid_argument, "no message source");
    plan p = make_plan(env, sess.caps(), opts);

    send_result res;
    res.recipients.resize(env.recipients.size());
    for (std::size_t i = 0; i < env.recipients.size(); ++i) res.recipients[i].address = env.recipients[i].address;

    if (!start_transaction(*this, p, res, can_reconnect && opts.reconnect)) {
        reconnect();
        res.reconnected = true;
        p = make_plan(env, sess.caps(), opts);  // the new session may announce other limits
        for (auto& r : res.recipients) r.rcpt_reply = reply{};
        (void)start_transaction(*this, p, res, false);
    }

    bool streaming = false;
    try {
        if (p.bdat) {
            res.chunked = true;
            sess.on_data();
            streaming = true;
            res.message_bytes = send_chunks(*this, source, p.binary, res);
        } else {
            write("DATA");
            reply r = read_reply();
            check_closing(r, "DATA");
            if (r.code != 354) {
                for (auto& rr : res.recipients)
                    if (rr.rcpt_reply.positive()) rr.data_reply = r;
                throw send_error(errc::data_refused, "DATA refused: " + describe(r), r, res.recipients);
            }
            sess.on_data();
            streaming = true;
            res.message_bytes = ch->write_dot_block(source, opts.nul);
        }
        streaming = false;
    } catch (const send_error&) {
        throw;
    } catch (...) {
        // A source failure or a broken connection in the middle of the data:
        // never end the data, so no truncated message can be delivered.
        if (streaming) close();
        throw;
    }

    // The data is complete (after "." or BDAT LAST): the server may take
    // minutes to accept it (RFC 5321 4.5.3.2.6), for every LMTP reply too.
    // The scope stays safe if an error path closes the channel.
    net::scoped_operation_timeout data_wait(*ch, opts.data_reply_timeout);
    if (!sess.lmtp()) {
        reply fr = read_reply();
        check_closing(fr, "end of data");
        sess.on_transaction_end();
        dirty = false;
        for (auto& rr : res.recipients)
            if (rr.rcpt_reply.positive()) rr.data_reply = fr;
        res.final_reply = std::move(fr);
        if (!res.final_reply.positive())
            throw send_error(errc::data_refused, "message refused: " + describe(res.final_reply), res.final_reply,
                             res.recipients);
        return res;
    }
    // LMTP: one reply per accepted recipient, in RCPT order (RFC 2033 4.2).
    for (auto& rr : res.recipients) {
        if (!rr.rcpt_reply.positive()) continue;
        reply r = read_reply();
        check_closing(r, "end of data");
        if (r.positive() && res.final_reply.empty()) res.final_reply = r;
        rr.data_reply = std::move(r);
    }
    sess.on_transaction_end();
    dirty = false;
    if (res.final_reply.empty()) {
        reply d = deciding_reply(res.recipients);
        throw send_error(errc::data_refused, "message refused for every recipient: " + describe(d), d, res.recipients);
    }
    return res;
}

} // namespace pigeon::smtp
