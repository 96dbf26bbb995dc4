#pragma once
// NNTP session state (RFC 3977, 4642, 4643), free of I/O: where the session
// is, what the server offers, which group and article are selected. The
// client drives it; tests can too.
#include <optional>
#include <utility>

#include "pigeon/nntp/article_ref.hpp"
#include "pigeon/nntp/capabilities.hpp"
#include "pigeon/nntp/group_reply.hpp"

namespace pigeon::nntp {

enum class state {
    disconnected,    ///< not connected, or the connection is gone
    ready,           ///< greeted, not authenticated
    authenticated,   ///< AUTHINFO succeeded
};

class session {
public:
    state current() const noexcept { return state_; }
    /// Posting allowed per the greeting or MODE READER (200) rather than not (201).
    bool posting_allowed() const noexcept { return posting_; }
    const capabilities& caps() const noexcept { return caps_; }
    bool caps_known() const noexcept { return caps_known_; }
    /// MODE READER succeeded on this connection.
    bool reader_mode() const noexcept { return reader_mode_; }
    /// The group GROUP or LISTGROUP selected last (RFC 3977 section 6.1), as
    /// the server reported it then.
    const std::optional<group_info>& group() const noexcept { return group_; }
    /// The current article number: the low water mark after GROUP and
    /// LISTGROUP, the number of the article ARTICLE / HEAD / BODY / STAT by
    /// number, NEXT and LAST reached. 0: none (no group, an empty group).
    article_number article() const noexcept { return article_; }

    void on_greeting(int code) noexcept { state_ = state::ready; posting_ = code == 200; }
    void on_capabilities(capabilities c) { caps_ = std::move(c); caps_known_ = true; }
    void on_capabilities_unavailable() { caps_ = {}; caps_known_ = false; }
    /// TLS is up: everything learned before is forgotten (RFC 4642 section 2.2.2).
    void on_tls_established() { caps_ = {}; caps_known_ = false; }
    /// Authenticated: the capability list must be fetched again (RFC 4643 section 2.2).
    void on_authenticated() { state_ = state::authenticated; caps_ = {}; caps_known_ = false; }
    /// MODE READER answered 200 or 201: the capabilities must be fetched
    /// again and nothing selected before counts (RFC 3977 section 5.3).
    void on_mode_reader(int code) {
        reader_mode_ = true;
        posting_ = code == 200;
        caps_ = {};
        caps_known_ = false;
        group_.reset();
        article_ = 0;
    }
    /// GROUP or LISTGROUP answered 211: the group is selected and its first
    /// article is the current one (none when the group is empty).
    void on_group_selected(group_info g) {
        article_ = g.empty() ? 0 : g.low;
        group_ = std::move(g);
    }
    /// An article by number, NEXT or LAST succeeded.
    void on_article_selected(article_number n) noexcept { article_ = n; }
    void on_closed() noexcept {
        state_ = state::disconnected;
        reader_mode_ = false;
        group_.reset();
        article_ = 0;
    }

private:
    state state_ = state::disconnected;
    bool posting_ = false;
    bool caps_known_ = false;
    bool reader_mode_ = false;
    capabilities caps_;
    std::optional<group_info> group_;
    article_number article_ = 0;
};

} // namespace pigeon::nntp
