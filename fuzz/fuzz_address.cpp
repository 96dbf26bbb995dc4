// RFC 5322 address lists: parse and format; never crash, hang or explode.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pigeon/mime/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view raw(reinterpret_cast<const char*>(data), size);
    auto list = pigeon::mime::parse_address_list(raw);
    (void)list;
    auto one = pigeon::mime::parse_mailbox(raw);
    (void)one;
    return 0;
}
