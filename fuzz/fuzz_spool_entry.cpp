// The outbox's .meta parser (store/spool_entry.hpp) fed arbitrary bytes:
// never a crash; whatever it accepts encodes and parses back to the same
// entry (what a runner saves is what the next one reads).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pigeon/store/spool_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    pigeon::store::spool_entry e;
    if (pigeon::store::parse_entry(in, e)) return 0;
    pigeon::store::spool_entry back;
    if (pigeon::store::parse_entry(pigeon::store::encode_entry(e), back) || !(back == e)) std::abort();
    return 0;
}
