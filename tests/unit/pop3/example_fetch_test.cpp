// The README example: fetch every message of a POP3 maildrop into files
// with a handful of calls. Compiled and run by the suite against a scripted
// POP3S server (tests/scripts/pop3/example_fetch.txt).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "support/script_client.hpp"
#include "support/script_server.hpp"

// ---- the example ------------------------------------------------------------------
#include <pigeon/pop3/client.hpp>

namespace fs = std::filesystem;
using namespace pigeon;

/// Saves every message of the maildrop at url ("pop3s://mail.example.org")
/// as dir/<n>.eml, streamed: no message is ever held in memory. Returns how
/// many were saved; a message the server refuses is skipped.
std::size_t fetch_all(const std::string& url, const sasl::credentials& who, const fs::path& dir,
                      const pop3::client_options& opts = {}) {
    std::error_code ec;
    auto ep = net::parse_endpoint(url, ec);
    if (!ep) throw std::system_error(ec, url);

    pop3::client c;
    c.connect(*ep, opts);  // TLS verified; STLS required for pop3:// URLs
    c.authenticate(who);   // the strongest SASL mechanism offered, else USER/PASS

    std::vector<std::uint32_t> numbers;
    c.list([&](const pop3::message_size& m) { numbers.push_back(m.number); });

    std::size_t saved = 0;
    c.retrieve_each(  // pipelined when the server offers PIPELINING
        numbers,
        [&](std::uint32_t n) -> net::sink_fn {  // where message n goes
            auto file = std::make_shared<std::ofstream>(dir / (std::to_string(n) + ".eml"), std::ios::binary);
            return [file](std::string_view bytes) { file->write(bytes.data(), static_cast<std::streamsize>(bytes.size())); };
        },
        [&](const pop3::retrieve_status& s) { saved += s.ok; });  // s.refusal says why not
    c.quit();  // pass delete_each = true above to empty the maildrop here
    return saved;
}
// ---- end of the example -----------------------------------------------------------

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("README example: every message of a maildrop into files") {
    auto srv = test::script_server::from_file("pop3/example_fetch.txt");
    pop3::client_options opts;
    opts.net = test::script_session_options(srv);
    const fs::path dir = fs::temp_directory_path() / ("pigeon-example-fetch-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    const std::string url = "pop3s://127.0.0.1:" + std::to_string(srv.port());
    CHECK(fetch_all(url, test::alice(), dir, opts) == 2);
    test::check_script(srv);
    CHECK(read_file(dir / "1.eml") == "Subject: first\r\n\r\n.a line that starts with a dot\r\n");
    CHECK(read_file(dir / "2.eml") == "Subject: second\r\n\r\nHello again.\r\n");
    CHECK_FALSE(fs::exists(dir / "3.eml"));  // refused: never opened
    fs::remove_all(dir);
}
