#pragma once
// One trace hook sees every byte that crosses a channel. Secrets are masked
// before the hook sees them unless the caller asks for them (show_secrets).
#include <functional>
#include <string_view>

namespace pigeon::net {

enum class trace_direction {
    received,   ///< bytes from the server
    sent,       ///< bytes to the server
    info,       ///< a note from the library (TLS established, state change)
};

/// Called with whole lines where the channel knows them (commands, replies);
/// message data is reported in chunks. Never called when unset.
using trace_fn = std::function<void(trace_direction, std::string_view)>;

struct trace_options {
    trace_fn hook;               ///< no tracing when empty (the default)
    bool show_secrets = false;   ///< true: do not mask AUTH payloads, passwords
    bool show_data = false;      ///< true: report message data, not just its size
};

/// The mask written in place of a secret in traces.
inline constexpr std::string_view redacted = "<redacted>";

} // namespace pigeon::net
