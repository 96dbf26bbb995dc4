#pragma once
// The loopback redirect of RFC 8252 section 7.3: a one-shot HTTP listener on
// 127.0.0.1 (a port the system picks) that waits for the browser to bring
// back the authorization response, answers it with a short page and hands
// over the query. Requests for other paths (a favicon) get a 404.
#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

namespace pigeon::oauth2 {

struct redirect_result {
    std::string code;
    std::string state;
    std::string error;              ///< the provider's error (access_denied...)
    std::string error_description;
};

/// Parses the request line "GET /path?query HTTP/1.1" of a redirect:
/// errc::bad_redirect unless it is a GET for expected_path; other paths
/// give std::errc::no_such_file_or_directory. Query values are
/// percent-decoded ('+' is a space).
std::error_code parse_redirect_request(std::string_view request_line, std::string_view expected_path,
                                       redirect_result& out);

class redirect_listener {
public:
    /// Binds 127.0.0.1:port (0: any free port). Throws net::transport_error.
    explicit redirect_listener(unsigned short port = 0);
    ~redirect_listener();
    redirect_listener(const redirect_listener&) = delete;
    redirect_listener& operator=(const redirect_listener&) = delete;

    unsigned short port() const noexcept { return port_; }
    /// "http://127.0.0.1:PORT/"
    std::string redirect_uri() const;

    /// Waits until the redirect arrives or timeout passes (errc::timeout).
    /// A request without code and error, or a malformed one, gets a 400 and
    /// errc::bad_redirect; the caller checks state.
    redirect_result wait(std::chrono::milliseconds timeout, std::error_code& ec);

private:
    int fd_ = -1;
    unsigned short port_ = 0;
};

} // namespace pigeon::oauth2
