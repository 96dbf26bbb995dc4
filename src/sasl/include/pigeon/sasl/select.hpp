#pragma once
// Choosing a mechanism: one ranking, strongest first.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeon/sasl/mechanism.hpp"

namespace pigeon::sasl {

struct selection_options {
    /// Mechanisms the caller allows, by name; empty: all that the
    /// credentials can serve.
    std::vector<std::string> allowed;
    /// Allow PLAIN and LOGIN (and the bearer-token mechanisms) on a connection
    /// without TLS. Never the default.
    bool allow_cleartext_secrets = false;
};

/// The mechanisms pigeon knows, strongest first: SCRAM-SHA-256, SCRAM-SHA-1,
/// CRAM-MD5, PLAIN, LOGIN; OAUTHBEARER and XOAUTH2 (only with a token);
/// EXTERNAL only when asked for by name.
const std::vector<std::string>& known_mechanisms();

/// Ranks the server's offer (any case, unknown names ignored) for these
/// credentials, strongest first, dropping what must not be used: PLAIN, LOGIN,
/// XOAUTH2 and OAUTHBEARER without TLS unless allow_cleartext_secrets,
/// password mechanisms without a password, token mechanisms without a token.
std::vector<std::string> rank(const std::vector<std::string>& offered, const credentials& creds,
                              bool tls_active, const selection_options& opts = {});

/// The first of rank(), or nullopt when nothing may be used.
std::optional<std::string> choose(const std::vector<std::string>& offered, const credentials& creds,
                                  bool tls_active, const selection_options& opts = {});

} // namespace pigeon::sasl
