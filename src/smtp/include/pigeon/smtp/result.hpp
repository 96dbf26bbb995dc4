#pragma once
// What send() reports: one entry per recipient, and the final reply.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pigeon/smtp/reply.hpp"

namespace pigeon::smtp {

struct recipient_result {
    std::string address;
    /// The reply to RCPT TO; empty (code 0) when the command was never
    /// answered (MAIL FROM refused without pipelining).
    reply rcpt_reply;
    /// The reply after the message data that applies to this recipient:
    /// LMTP's own reply per recipient, or SMTP's one final reply. Absent when
    /// the recipient was refused or no data was sent.
    std::optional<reply> data_reply;

    /// The message went to this recipient: RCPT accepted and the data reply
    /// (when there is one) positive.
    bool accepted() const noexcept {
        return rcpt_reply.positive() && (!data_reply || data_reply->positive());
    }
    /// The reply that refused the recipient (data reply first), or nullptr.
    const reply* refusal() const noexcept {
        if (data_reply && !data_reply->positive()) return &*data_reply;
        if (!rcpt_reply.positive()) return &rcpt_reply;
        return nullptr;
    }
};

struct send_result {
    /// One entry per envelope recipient, in envelope order.
    std::vector<recipient_result> recipients;
    /// The server's reply after the data ("250 2.0.0 Ok: queued as 4Xyz");
    /// in LMTP mode the first positive per-recipient reply.
    reply final_reply;
    /// Message bytes read from the source.
    std::uint64_t message_bytes = 0;
    /// True when the message went by BDAT chunks, false for DATA.
    bool chunked = false;
    /// True when the connection was re-established before this transaction
    /// because the server had dropped it.
    bool reconnected = false;

    std::size_t accepted_count() const noexcept {
        std::size_t n = 0;
        for (const auto& r : recipients) n += r.accepted() ? 1 : 0;
        return n;
    }
    bool all_accepted() const noexcept { return accepted_count() == recipients.size(); }
};

} // namespace pigeon::smtp
