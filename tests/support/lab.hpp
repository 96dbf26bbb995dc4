// The local server lab (lab/lab.sh, lab/README.md): where the private
// Postfix, Dovecot and INN instances listen, who can log in, where their
// files are. Integration tests include this; the lab itself is started by the
// ctest fixture (lab_start / lab_stop) or by hand with `lab/lab.sh start`.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

namespace pigeon::test::lab {

// Every lab service listens on this address only (never ::1, never 0.0.0.0).
inline constexpr std::string_view host = "127.0.0.1";
// The name the server certificate is issued for (SANs: DNS:localhost,
// IP:127.0.0.1, IP:::1), signed by the lab CA (ca_file()).
inline constexpr std::string_view tls_name = "localhost";
inline constexpr std::string_view domain = "lab.test";

// Postfix.
// Plain SMTP like a test container: no AUTH, STARTTLS offered but optional.
inline constexpr std::uint16_t smtp_port = 10025;
// Submission: STARTTLS, then AUTH (required to send).
inline constexpr std::uint16_t submission_port = 10587;
// Implicit-TLS submission, AUTH required.
inline constexpr std::uint16_t submissions_port = 10465;
// Implicit TLS with certificates a client must refuse:
inline constexpr std::uint16_t smtps_wrong_host_port = 10466;   // CN/SAN wrong.example, lab CA
inline constexpr std::uint16_t smtps_expired_port = 10467;      // expired in 2021, lab CA
inline constexpr std::uint16_t smtps_self_signed_port = 10468;  // self-signed, not the lab CA
inline constexpr std::uint64_t smtp_size_limit = 104857600;     // EHLO SIZE

// Dovecot. The clear ports offer STARTTLS/STLS and allow plaintext
// authentication (LOGIN, USER/PASS, AUTH=PLAIN/LOGIN) only after TLS.
inline constexpr std::uint16_t imap_port = 10143;
inline constexpr std::uint16_t imaps_port = 10993;
inline constexpr std::uint16_t pop3_port = 10110;
inline constexpr std::uint16_t pop3s_port = 10995;

// MailDev: SMTP capture with a REST API (GET /email) on the web port; no
// STARTTLS. The second requires AUTH (maildev_user) on the plain connection.
inline constexpr std::uint16_t maildev_port = 10026;
inline constexpr std::uint16_t maildev_web_port = 10080;
inline constexpr std::uint16_t maildev_auth_port = 10027;
inline constexpr std::uint16_t maildev_auth_web_port = 10081;

// INN. Anyone may read; posting needs AUTHINFO (USER/PASS or SASL).
inline constexpr std::uint16_t nntp_port = 10119;   // STARTTLS
inline constexpr std::uint16_t nntps_port = 10563;  // implicit TLS
inline constexpr std::string_view newsgroup = "lab.test";
inline constexpr std::string_view misc_newsgroup = "lab.misc";

struct account {
  std::string_view name;      // login name, also the mail address
  std::string_view password;  // UTF-8
};

inline constexpr account alice{"alice@lab.test", "alice-pass-1"};
inline constexpr account bob{"bob@lab.test", "bob-pass-2"};
// Non-ASCII password "pässwörd-ĉ" (UTF-8, NFC).
inline constexpr account carol{"carol@lab.test", "p\xC3\xA4ssw\xC3\xB6rd-\xC4\x89"};
inline constexpr std::array<account, 3> accounts{alice, bob, carol};
/// The `pigeon fetch` tests' own users: their mail is created and deleted
/// by those tests only.
inline constexpr account fetch_user{"fetch@lab.test", "fetch-pass-6"};
inline constexpr account fetch2_user{"fetch2@lab.test", "fetch2-pass-7"};
/// The AUTH login of MailDev's maildev_auth_port.
inline constexpr account maildev_user{"maildev", "maildev-pass-9"};
// Refused at RCPT time with 550 5.1.1.
inline constexpr std::string_view unknown_address = "nobody@lab.test";

// The lab's runtime directory: $PIGEON_LAB_DIR if set, else
// <source dir>/lab/run (what lab.sh uses by default).
inline std::string dir() {
  if (const char* env = std::getenv("PIGEON_LAB_DIR"); env != nullptr && *env != '\0') {
    std::string d{env};
    while (d.size() > 1 && d.back() == '/') {
      d.pop_back();
    }
    return d;
  }
#ifdef PIGEON_SOURCE_DIR
  return std::string{PIGEON_SOURCE_DIR} + "/lab/run";
#else
  return "lab/run";
#endif
}

inline std::string cert_dir() { return dir() + "/certs"; }
// The lab CA: trust anchor for every good lab certificate.
inline std::string ca_file() { return cert_dir() + "/ca.pem"; }
inline std::string server_cert_file() { return cert_dir() + "/server.pem"; }
// A client certificate (CN alice@lab.test, clientAuth) signed by the lab CA.
inline std::string client_cert_file() { return cert_dir() + "/client.pem"; }
inline std::string client_key_file() { return cert_dir() + "/client.key"; }

// SHA-256 fingerprint of server_cert_file() as "AB:CD:...", empty if the lab
// has not created its certificates yet.
inline std::string server_cert_sha256() {
  std::ifstream in{cert_dir() + "/server.sha256"};
  std::string line;
  std::getline(in, line);
  return line;
}

// Maildir of a lab user ("alice@lab.test" or just "alice"): cur/, new/, tmp/.
// Mail delivered over SMTP lands in new/; files written to cur/ by a test are
// seen by IMAP and POP3 at the next command.
inline std::string maildir(std::string_view user) {
  const auto at = user.find('@');
  const std::string_view local = at == std::string_view::npos ? user : user.substr(0, at);
  return dir() + "/mail/" + std::string{local} + "/Maildir";
}

// Dovecot's LMTP socket (Postfix delivers lab.test mail through it).
inline std::string lmtp_socket() { return dir() + "/dovecot/lmtp"; }
// Server logs (postfix.log, dovecot.log, ...) for a failing test to show.
inline std::string log_dir() { return dir() + "/log"; }

}  // namespace pigeon::test::lab
