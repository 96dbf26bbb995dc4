#pragma once
// Shared pieces of parse_bench: the message inputs, the visitor every parser
// adapter reports to, and the corpus walk.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parse_bench {

/// One message handed to a parser. Messages up to the load limit are read
/// into memory before the clock starts (bytes is set: a view into the buffer
/// holding a batch of messages); larger ones are left in their file
/// (in_memory false) and each parser reads them through its own streaming
/// file API, inside the timed region.
struct message_input {
    std::string name;      ///< as printed in facts (relative to the corpus root)
    std::string path;      ///< to open
    std::uint64_t size = 0;
    bool in_memory = false;
    std::string_view bytes; ///< the whole message when in_memory
};

/// What an adapter reports while it walks one parsed message. In benchmark
/// mode only the byte counts are used; in facts mode leaf types and file
/// names are reported too and the decoded bytes are hashed.
class visitor {
public:
    virtual ~visitor() = default;
    /// True in facts mode: the adapter must report leaf types, file names
    /// and the decoded bytes themselves. When false, type and filename may
    /// be empty and leaf_data may get data == nullptr with just a count (for
    /// libraries that decode into a counting null stream).
    virtual bool facts() const { return false; }
    /// The decoded subject (UTF-8), or nullopt when the message has none.
    virtual void subject(std::optional<std::string_view> s) = 0;
    /// A leaf part begins; type and filename are only meaningful when
    /// facts() (type lower-case "type/subtype", filename decoded).
    virtual void leaf_begin(std::string_view type, std::optional<std::string_view> filename) = 0;
    /// Transfer-decoded bytes of the current leaf, in order.
    virtual void leaf_data(const char* data, std::size_t n) = 0;
    virtual void leaf_end() = 0;
};

/// A parser under test: parses and fully decodes one message (every part
/// walked, every leaf body transfer-decoded, the subject decoded).
///
/// pigeon's adapter is built into parse_bench; each peer's is a plugin,
/// parse_bench_<name>.so next to the executable, exporting
/// PARSE_BENCH_ADAPTER_SYMBOL. A child loads only the plugin it runs, so its
/// peak RSS holds one parser library, not all of them.
struct adapter {
    const char* name;
    bool supports_facts;
    void (*init)();
    void (*process)(const message_input& in, visitor& v);
};

#define PARSE_BENCH_ADAPTER_SYMBOL "parse_bench_adapter"
using adapter_fn = const adapter* (*)();

/// The adapter called name: pigeon's, or a peer's plugin loaded on demand.
/// nullptr (with a message on stderr) when there is none.
const adapter* find_adapter(std::string_view name);

/// Walks the corpus: each argument is a message file, a directory (searched
/// recursively; *.jsonl and dot files skipped) or @LIST (a file naming one
/// message path per line). Calls fn(name, path) for each message. sorted:
/// visit in name order (costs memory per message: facts mode only); else
/// streams in directory order, holding nothing per message.
void walk_corpus(const std::vector<std::string>& args, bool sorted,
                 const std::function<void(const std::string& name, const std::string& path)>& fn);

/// Reads a whole file and appends it to out. False on error (out unchanged).
bool append_file(const std::string& path, std::string& out, std::uint64_t& size);

/// Peak resident set of this process (VmHWM), in KiB; 0 if unknown.
long self_peak_rss_kib();
/// Current resident set of this process (VmRSS), in KiB; 0 if unknown.
long self_rss_kib();

/// Lower-cases ASCII in place.
inline void ascii_lower(std::string& s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
}

} // namespace parse_bench
