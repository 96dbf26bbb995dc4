// The dot-block decoder (POP3 RETR, NNTP ARTICLE) fed in two pieces, and the
// stuffer round trip: stuffing then un-stuffing gives the CRLF-normalised
// input back, and no early terminator ever appears.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pigeon/net/dot_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    // Decoder on arbitrary input, split at a data-chosen point.
    std::size_t cut = size ? data[0] % (size + 1) : 0;
    pigeon::net::dot_unstuffer u;
    std::string out;
    std::size_t used = 0;
    if (u.feed(in.substr(0, cut), out, used) == pigeon::net::dot_unstuffer::status::need_more)
        u.feed(in.substr(cut), out, used);

    // Encoder round trip (NULs stripped: with the default policy the stuffer
    // refuses them and writes no end-of-data).
    pigeon::net::dot_stuffer s(pigeon::net::nul_policy::strip);
    std::string wire;
    s.feed(in.substr(0, cut), wire);
    s.feed(in.substr(cut), wire);
    s.finish(wire);
    if (wire.find("\r\n.\r\n") != wire.size() - 5 && wire != ".\r\n") std::abort();
    pigeon::net::dot_unstuffer back;
    std::string body;
    if (back.feed(wire, body, used) != pigeon::net::dot_unstuffer::status::done || used != wire.size()) std::abort();
    std::string again;
    pigeon::net::dot_stuffer s2;
    s2.feed(body, again);
    s2.finish(again);
    if (again != wire) std::abort();
    return 0;
}
