// The README example: every article of a newsgroup saved to a file, each
// streamed to disk as it arrives, with a handful of calls. It runs here
// against a scripted server (tests/scripts/nntp/fetch_group_example.txt).
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "pigeon/nntp/client.hpp"
#include "support/script_client.hpp"
#include "support/script_server.hpp"

namespace {

// ---- the example ----------------------------------------------------------------
namespace nntp = pigeon::nntp;

// Saves every article of `group` as <dir>/<number>.eml; returns how many.
std::size_t fetch_group(const std::string& url, const std::string& group, const std::string& dir,
                        const nntp::client_options& opts = {}) {
    std::error_code ec;
    auto server = pigeon::net::parse_endpoint(url, ec);
    if (!server) throw std::system_error(ec, url);

    nntp::client news;
    news.connect(*server, opts);  // TLS, CAPABILITIES, MODE READER if needed

    std::vector<nntp::article_ref> numbers;
    news.listgroup(group, [&](nntp::article_number n) { numbers.push_back(n); });

    std::ofstream file;
    std::size_t saved = 0;
    news.retrieve_each(  // pipelined: many ARTICLE commands in flight
        numbers,
        [&](const nntp::article_ref& a) {  // before the article's first byte
            file.open(dir + "/" + std::to_string(a.number()) + ".eml", std::ios::binary);
            return [&](std::string_view bytes) { file.write(bytes.data(), std::streamsize(bytes.size())); };
        },
        [&](const nntp::retrieve_status& s) {  // after its last byte, or its refusal
            if (file.is_open()) file.close();
            if (s.ok) ++saved;
        });
    news.quit();
    return saved;
}
// ---- end of the example -----------------------------------------------------------

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("the README example fetches a group, skipping a cancelled article") {
    auto srv = pigeon::test::script_server::from_file("nntp/fetch_group_example.txt");
    nntp::client_options o;
    o.net = pigeon::test::script_session_options(srv);
    auto dir = std::filesystem::temp_directory_path() / ("pigeon-example-" + std::to_string(srv.port()));
    std::filesystem::create_directories(dir);
    auto saved = fetch_group("nntps://127.0.0.1:" + std::to_string(srv.port()), "lab.example", dir.string(), o);
    pigeon::test::check_script(srv);
    CHECK(saved == 2);
    CHECK(slurp(dir / "1.eml") == "Subject: one\r\n\r\nfirst\r\n");
    CHECK_FALSE(std::filesystem::exists(dir / "2.eml"));
    CHECK(slurp(dir / "3.eml") == "Subject: three\r\n\r\n.third\r\n");
    std::filesystem::remove_all(dir);
}
