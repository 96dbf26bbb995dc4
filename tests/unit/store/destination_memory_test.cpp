// Memory stays bounded: 64 MiB through each destination in 1 MiB writes
// raises the peak RSS by a few MiB at most (no whole-message buffer).
#include <doctest/doctest.h>

#include <fstream>

#include "destination_test_util.hpp"
#include "pigeon/store/destination.hpp"

using namespace pigeon;
using pigeon::test::temp_dir;

namespace {

long status_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string key = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.compare(0, key.size(), key) == 0) return std::stol(line.substr(key.size()));
    return -1;
}

/// Peak RSS growth (KiB) while f runs; the peak is reset first.
template <class F>
long peak_growth_kib(F&& f) {
    {
        std::ofstream clear("/proc/self/clear_refs");
        clear << "5";
    }
    const long before = status_kib("VmRSS");
    f();
    return status_kib("VmHWM") - before;
}

void pour(store::destination& dest, const std::string& chunk, int times) {
    std::error_code ec;
    auto d = dest.begin({}, ec);
    REQUIRE_MESSAGE(d, ec.message());
    for (int i = 0; i < times && !ec; ++i) d->write(chunk, ec);
    REQUIRE_MESSAGE(!ec, ec.message());
    d->commit(ec);
    REQUIRE_MESSAGE(!ec, ec.message());
    CHECK(d->bytes_written() == chunk.size() * static_cast<std::uint64_t>(times));
}

} // namespace

// AddressSanitizer keeps freed memory in quarantine: RSS says nothing then.
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("memory: 64 MiB through Maildir and mbox and an MDA in 1 MiB writes") {
    temp_dir dir;
    std::string chunk;
    while (chunk.size() < 1024 * 1024) chunk += "From a line of the message that needs quoting in mbox\r\n";
    store::destination_options opts;
    opts.fsync = false;
    for (const std::string& spec :
         std::vector<std::string>{"maildir:" + (dir / "Mail"), "mbox:" + (dir / "mbox"), "mda:cat >/dev/null"}) {
        INFO(spec);
        std::error_code ec;
        auto dest = store::open_destination(spec, opts, ec);
        REQUIRE_MESSAGE(dest, ec.message());
        const long growth = peak_growth_kib([&] { pour(*dest, chunk, 64); });
        REQUIRE(growth >= 0);
        CHECK_MESSAGE(growth < 8 * 1024, "peak RSS grew by " << growth << " KiB");
    }
}
#endif
