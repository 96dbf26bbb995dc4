// The README example: every message of an IMAP folder fetched with a
// handful of calls, each body streamed into its own file as it arrives.
// Compiled as written in the README, and run here against a scripted server.
#include <ostream>  // before doctest: error_code printing

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

// ---- the example (README.md, "Fetching a folder over IMAP") -------------
#include "pigeon/imap/client.hpp"

namespace imap = pigeon::imap;

/// Writes every message of `folder` to dir/<uid>.eml; returns how many.
std::size_t fetch_folder(const pigeon::net::endpoint& server, const pigeon::sasl::credentials& who,
                         std::string_view folder, const std::filesystem::path& dir,
                         const imap::client_options& opts = {}) {
    imap::client c;
    c.connect(server, opts);
    c.authenticate(who);
    c.examine(folder);  // read-only: fetching changes nothing
    std::ofstream out;
    std::size_t n = 0;
    c.fetch_each(
        c.search(imap::search_query::all()), imap::fetch_items::whole_message(),
        [&](imap::message_data&) {  // the message is complete
            out.close();
            ++n;
        },
        [&](const imap::body_target& body) -> pigeon::net::sink_fn {  // where its bytes go
            out.open(dir / (std::to_string(body.uid.value_or(body.seq)) + ".eml"), std::ios::binary);
            return [&out](std::string_view bytes) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); };
        });
    c.logout();
    return n;
}
// ---- end of the example --------------------------------------------------

#include "support/script_client.hpp"
#include "support/script_server.hpp"

TEST_CASE("README example: fetch every message of a folder into files") {
    pigeon::test::script_server srv(R"(
        TLS
        S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN ESEARCH] ready
        C: A1 AUTHENTICATE PLAIN %b64{\x00alice@lab.test\x00alice-pass-1}
        S: A1 OK [CAPABILITY IMAP4rev1 ESEARCH LITERAL+] Logged in
        C: A2 EXAMINE Lists.dev
        S: * 2 EXISTS
        S: * OK [UIDVALIDITY 3] ok
        S: A2 OK [READ-ONLY] Examine completed
        C: A3 UID SEARCH RETURN (ALL) ALL
        S: * ESEARCH (TAG "A3") UID ALL 7,9
        S: A3 OK Search completed
        C: A4 UID FETCH 7,9 (UID BODY.PEEK[])
        S: * 1 FETCH (UID 7 BODY[] {19}
        S: Subject: one
        S:
        S: 1
        S: )
        S: * 2 FETCH (UID 9 BODY[] {19}
        S: Subject: two
        S:
        S: 2
        S: )
        S: A4 OK Fetch completed
        C: A5 LOGOUT
        S: * BYE bye
        S: A5 OK done
    )");
    auto dir = std::filesystem::temp_directory_path() / ("pigeon-example-" + std::to_string(srv.port()));
    std::filesystem::create_directories(dir);
    imap::client_options o;
    o.net = pigeon::test::script_session_options(srv);
    o.tag_prefix = "A";
    auto n = fetch_folder(pigeon::test::script_endpoint(srv, pigeon::net::protocol::imap, pigeon::net::tls_mode::implicit),
                          pigeon::test::alice(), "Lists.dev", dir, o);
    CHECK(n == 2);
    auto read = [&](const char* name) {
        std::ifstream in(dir / name, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    CHECK(read("7.eml") == "Subject: one\r\n\r\n1\r\n");
    CHECK(read("9.eml") == "Subject: two\r\n\r\n2\r\n");
    std::filesystem::remove_all(dir);
    pigeon::test::check_script(srv);
}
