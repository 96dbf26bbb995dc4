// RFC 2047 encoded words in unstructured text and phrases.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pigeon/mime/rfc2047.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    std::string a = pigeon::mime::decode_unstructured(raw);
    std::string b = pigeon::mime::decode_phrase_words(raw);
    std::string charset, bytes;
    pigeon::mime::decode_encoded_word(raw, charset, bytes);
    // Decoding never grows text without bound: each input byte yields at
    // most one replacement character (3 bytes) or one byte.
    if (a.size() > 3 * size + 16 || b.size() > 3 * size + 16) std::abort();
    // What is_plain_unstructured calls plain decodes to itself.
    if (pigeon::mime::is_plain_unstructured(raw) && a != raw) std::abort();
    return 0;
}
