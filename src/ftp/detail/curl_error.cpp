#include "curl_error.hpp"

#include <new>

#include <curl/curl.h>

#include "pigeon/net/error.hpp"

namespace pigeon::ftp::detail {

[[noreturn]] void throw_curl_error(int rc, const std::string& what, const char* errbuf, core::server_reply r,
                                   const tls_check& tls) {
    std::string msg = what + ": ";
    msg += errbuf && errbuf[0] ? errbuf : curl_easy_strerror(static_cast<CURLcode>(rc));
    if (!r.lines.empty() && r.code >= 400) msg += " (server: " + core::excerpt(r.text(), 200) + ")";
    switch (static_cast<CURLcode>(rc)) {
    case CURLE_LOGIN_DENIED:
        throw core::auth_error(core::errc::auth_failed, msg, std::move(r), {}, "USER/PASS");
    case CURLE_USE_SSL_FAILED:
        throw core::protocol_error(core::errc::starttls_refused,
                                   what + ": the server refused AUTH TLS; nothing secret was sent (use ftps:// "
                                          "or, only for a test server, tls none)",
                                   std::move(r));
    case CURLE_PEER_FAILED_VERIFICATION:
        throw net::tls_error(tls.classify(), what + ": " + tls.describe());
    case CURLE_SSL_CONNECT_ERROR:
        if (tls.pin_failed || tls.verify_error) throw net::tls_error(tls.classify(), what + ": " + tls.describe());
        throw net::tls_error(net::tls_errc::handshake_failed, msg);
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        throw net::tls_error(net::tls_errc::config_error, msg);
    case CURLE_COULDNT_RESOLVE_HOST: throw net::transport_error(net::errc::resolve_failed, msg);
    case CURLE_COULDNT_CONNECT:
    case CURLE_FTP_ACCEPT_FAILED:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_PORT_FAILED:
        throw net::transport_error(net::errc::connect_failed, msg);
    case CURLE_FTP_ACCEPT_TIMEOUT:
    case CURLE_OPERATION_TIMEDOUT:
        throw net::transport_error(net::errc::timeout, msg);
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_FTP_WEIRD_PASS_REPLY:
    case CURLE_FTP_WEIRD_PASV_REPLY:
    case CURLE_FTP_WEIRD_227_FORMAT:
        throw core::protocol_error(core::errc::malformed_reply, msg, std::move(r));
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        throw net::transport_error(net::errc::connection_closed, msg);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        throw net::transport_error(net::errc::io_error, msg);
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_QUOTE_ERROR:
    case CURLE_FTP_COULDNT_RETR_FILE:
    case CURLE_UPLOAD_FAILED:
    case CURLE_FTP_COULDNT_SET_TYPE:
    case CURLE_FTP_COULDNT_USE_REST:
    case CURLE_BAD_DOWNLOAD_RESUME:
    case CURLE_REMOTE_DISK_FULL:
    case CURLE_REMOTE_FILE_EXISTS:
    case CURLE_FTP_PRET_FAILED:
        if (r.severity == core::server_reply::kind::none) r.severity = core::server_reply::kind::permanent;
        throw core::command_error(core::errc::command_failed, msg, std::move(r));
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        throw core::request_error(core::errc::invalid_argument, msg);
    case CURLE_OUT_OF_MEMORY: throw std::bad_alloc();
    default: throw net::transport_error(net::errc::protocol_error, msg);
    }
}

} // namespace pigeon::ftp::detail
