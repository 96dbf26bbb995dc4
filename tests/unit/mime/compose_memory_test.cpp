// Bounded memory: composing a message with a large attachment reads the file
// in chunks; the peak resident size must not grow with the file.
#include <ostream> // before doctest: it prints std::error_code
#include "compose_test_files.hpp"

#include <doctest/doctest.h>
#include <pigeon/mime/compose_builder.hpp>

#include <fstream>
#include <string>

using namespace pigeon::mime;
namespace tc = pigeon::test::compose;

namespace {

long status_kib(const char* key)
{
    std::ifstream f("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(f, line))
        if (line.rfind(k, 0) == 0) return std::stol(line.substr(k.size()));
    return -1;
}

bool reset_peak()
{
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    f.flush();
    return static_cast<bool>(f);
}

} // namespace

TEST_CASE("streaming: a 96 MiB attachment is composed in bounded memory")
{
    REQUIRE_MESSAGE(status_kib("VmHWM") >= 0, "no VmHWM in /proc/self/status");
    tc::temp_file f("big.bin");
    std::filesystem::resize_file(f.path(), 96u << 20); // sparse: reads as zeros
    auto m = message_builder().from("a@example.org").to("b@example.net").text("big").attach_file(f.path()).build();
    const auto expected = m.size();
    REQUIRE(expected.has_value());

    const bool reset = reset_peak();
    const long before = reset ? status_kib("VmRSS") : status_kib("VmHWM");
    std::uint64_t total = 0;
    char last = 0;
    m.write([&](std::string_view p) {
        total += p.size();
        if (!p.empty()) last = p.back();
    });
    const long peak = status_kib("VmHWM");
    CHECK(total == *expected);
    CHECK(last == '\n');
    MESSAGE("peak RSS growth while composing 96 MiB: " << (peak - before) << " KiB");
    CHECK(peak - before < 16 * 1024);

    // The pull source, too.
    reset_peak();
    const long before2 = status_kib("VmRSS");
    auto src = m.source();
    std::string buf(64 * 1024, '\0');
    std::uint64_t pulled = 0;
    while (std::size_t n = src(buf.data(), buf.size())) pulled += n;
    CHECK(pulled == *expected);
    if (reset) CHECK(status_kib("VmHWM") - before2 < 16 * 1024);
}
