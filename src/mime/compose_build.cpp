// message_builder::build(): headers, the MIME tree, boundaries, the plan.
#include "compose_plan.hpp"

#include "pigeon/mime/compose_builder.hpp"
#include "pigeon/mime/compose_date.hpp"
#include "pigeon/mime/encode_header.hpp"
#include "pigeon/mime/encode_param.hpp"
#include "pigeon/mime/encode_word.hpp"

#include <unordered_set>

namespace pigeon::mime {
namespace {

struct node {
    // A leaf carries its Content-* header lines and its body; a multipart
    // node its subtype, extra parameters and children.
    std::string headers;
    detail::compose_segment body;
    bool multipart = false;
    std::string subtype;
    std::string params; // e.g. "; type=\"text/html\""
    std::vector<node> kids;
    std::string boundary;
};

void put(std::string& out, std::string_view name, std::string_view value)
{
    if (auto ec = fold_header(name, value, out))
        throw compose_error(ec, std::string(name) + ": " + ec.message());
}

void param(std::string& value, std::string_view name, std::string_view v, param_options o = {})
{
    if (auto ec = encode_parameter(name, v, value, o))
        throw compose_error(ec, std::string(name) + " parameter: " + ec.message());
}

qp_options qp_for(const compose_options& opt)
{
    qp_options q;
    q.encode_from = opt.from_safe;
    q.encode_leading_dot = opt.from_safe;
    return q;
}

node text_leaf(const message_builder::body_spec& b, std::string_view subtype, const compose_options& opt)
{
    node n;
    std::string ct = "text/" + std::string(subtype);
    param(ct, "charset", b.charset);
    put(n.headers, "Content-Type", ct);
    put(n.headers, "Content-Transfer-Encoding", compose_encoding_name(b.encoding));
    n.body.k = detail::compose_segment::kind::memory;
    n.body.data = b.data;
    n.body.encoding = b.encoding;
    n.body.qp = qp_for(opt);
    return n;
}

node attachment_leaf(const message_builder::attachment_spec& a, bool is_inline, const compose_options& opt)
{
    node n;
    std::string ct = a.media_type;
    if (!a.charset.empty()) param(ct, "charset", a.charset);
    param_options name_opt;
    name_opt.rfc2231 = false; // "name" is the old form: quoted ASCII or RFC 2047 words
    param(ct, "name", a.filename, name_opt);
    put(n.headers, "Content-Type", ct);
    std::string cd = is_inline ? "inline" : "attachment";
    param(cd, "filename", a.filename);
    put(n.headers, "Content-Disposition", cd);
    put(n.headers, "Content-Transfer-Encoding", compose_encoding_name(a.encoding));
    if (!a.content_id.empty()) put(n.headers, "Content-ID", "<" + a.content_id + ">");
    n.body.display_name = a.filename;
    n.body.encoding = a.encoding;
    n.body.qp = qp_for(opt);
    if (a.data) {
        n.body.k = detail::compose_segment::kind::memory;
        n.body.data = a.data;
        // Data given as-is (not canonical text): CR and LF stay exact.
        n.body.qp.binary = false;
    } else {
        n.body.k = detail::compose_segment::kind::file;
        n.body.path = a.path;
        n.body.file_size = a.size;
    }
    return n;
}

node multipart(std::string subtype, std::vector<node> kids, std::string params = {})
{
    node n;
    n.multipart = true;
    n.subtype = std::move(subtype);
    n.kids = std::move(kids);
    n.params = std::move(params);
    return n;
}

void collect_multiparts(node& n, std::vector<node*>& out)
{
    if (!n.multipart) return;
    out.push_back(&n);
    for (auto& k : n.kids) collect_multiparts(k, out);
}

void collect_unencoded(const node& n, std::vector<const std::string*>& out)
{
    if (n.multipart) {
        for (const auto& k : n.kids) collect_unencoded(k, out);
        return;
    }
    if (n.body.k == detail::compose_segment::kind::memory &&
        (n.body.encoding == compose_encoding::seven_bit || n.body.encoding == compose_encoding::eight_bit))
        out.push_back(n.body.data.get());
}

// Content-* lines of a node (multipart: its Content-Type with the boundary).
void entity_headers(node& n, std::string& out)
{
    if (!n.multipart) {
        out += n.headers;
        return;
    }
    std::string ct = "multipart/" + n.subtype + n.params;
    param(ct, "boundary", n.boundary);
    put(out, "Content-Type", ct);
}

void flatten(node& n, std::string& lit, std::vector<detail::compose_segment>& segs, bool top)
{
    entity_headers(n, lit);
    lit += "\r\n";
    if (!n.multipart) {
        detail::compose_segment l;
        l.text = std::move(lit);
        segs.push_back(std::move(l));
        lit.clear();
        n.body.end_line = top;
        segs.push_back(std::move(n.body));
        return;
    }
    for (std::size_t i = 0; i < n.kids.size(); ++i) {
        lit += i == 0 ? "--" : "\r\n--";
        lit += n.boundary;
        lit += "\r\n";
        flatten(n.kids[i], lit, segs, false);
    }
    lit += "\r\n--";
    lit += n.boundary;
    lit += "--";
    if (top) lit += "\r\n";
}

std::string join_addresses(const std::vector<compose_address>& list, std::string_view field)
{
    std::string v;
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) v += ", ";
        v += format_compose_address(list[i], i == 0 ? field.size() + 2 : 0);
    }
    return v;
}

} // namespace

composed_message message_builder::build() const
{
    if (from_.empty()) throw compose_error(make_error_code(compose_errc::missing_from), "From: missing");
    auto plan = std::make_shared<detail::compose_plan>();
    plan->chunk_size = opt_.chunk_size;

    // Top-level headers. Bcc is never written: it lives in the envelope only.
    std::string h;
    const auto when = date_ ? *date_ : std::chrono::system_clock::now();
    put(h, "Date", date_offset_ ? compose_date(when, *date_offset_) : compose_date(when));
    put(h, "From", join_addresses(from_, "From"));
    if (!reply_to_.empty()) put(h, "Reply-To", join_addresses(reply_to_, "Reply-To"));
    if (!to_.empty()) put(h, "To", join_addresses(to_, "To"));
    if (!cc_.empty()) put(h, "Cc", join_addresses(cc_, "Cc"));
    if (subject_) put(h, "Subject", encode_unstructured(*subject_, 9));
    plan->message_id = message_id_.empty() ? random_token(26) + "@" + id_domain() : message_id_;
    put(h, "Message-ID", "<" + plan->message_id + ">");
    for (const auto& [name, value] : headers_) put(h, name, encode_unstructured(value, name.size() + 2));
    put(h, "MIME-Version", "1.0");

    // The tree.
    std::optional<node> body;
    std::optional<node> html_node;
    if (html_) {
        html_node = text_leaf(*html_, "html", opt_);
        if (!inlines_.empty()) {
            std::vector<node> kids;
            kids.push_back(std::move(*html_node));
            for (const auto& a : inlines_) kids.push_back(attachment_leaf(a, true, opt_));
            html_node = multipart("related", std::move(kids), "; type=\"text/html\"");
        }
    }
    if (text_ && html_node) {
        std::vector<node> kids;
        kids.push_back(text_leaf(*text_, "plain", opt_));
        kids.push_back(std::move(*html_node));
        body = multipart("alternative", std::move(kids));
    } else if (html_node) {
        body = std::move(*html_node);
    } else if (text_) {
        body = text_leaf(*text_, "plain", opt_);
    }
    std::vector<node> extra;
    if (!html_) // inline parts with no HTML to show them: plain inline parts
        for (const auto& a : inlines_) extra.push_back(attachment_leaf(a, true, opt_));
    for (const auto& a : attachments_) extra.push_back(attachment_leaf(a, false, opt_));
    node root;
    if (!extra.empty()) {
        std::vector<node> kids;
        if (body) kids.push_back(std::move(*body));
        for (auto& e : extra) kids.push_back(std::move(e));
        root = multipart("mixed", std::move(kids));
    } else if (body) {
        root = std::move(*body);
    } else {
        body_spec empty;
        empty.data = std::make_shared<const std::string>();
        empty.charset = "utf-8";
        root = text_leaf(empty, "plain", opt_);
    }

    // Boundaries. They all start with "=_", which neither base64 (no '=' but
    // final padding, no '_') nor quoted-printable (every '=' starts "=XX" with
    // hex digits, or a soft break) can produce, so encoded parts, including
    // files read once while sending, can never contain one. Only parts sent
    // unencoded (7bit/8bit, always from memory) are searched; a boundary found
    // there is drawn again. The random part has 120 bits; all boundaries have
    // the same length and differ, so none is a prefix of another.
    std::vector<node*> mps;
    collect_multiparts(root, mps);
    std::vector<const std::string*> unencoded;
    collect_unencoded(root, unencoded);
    for (int attempt = 0;; ++attempt) {
        std::unordered_set<std::string> seen;
        bool clash = false;
        for (std::size_t i = 0; i < mps.size(); ++i) {
            mps[i]->boundary = "=_" + random_token(24) + "_" + std::to_string(i);
            for (const auto* d : unencoded)
                if (d->find(mps[i]->boundary) != std::string::npos) clash = true;
        }
        if (!clash) break;
        if (attempt > 64) throw compose_error(make_error_code(compose_errc::invalid_argument), "no usable boundary");
    }

    plan->headers = h;
    entity_headers(root, plan->headers);
    std::string lit = h;
    flatten(root, lit, plan->segments, true);
    if (!lit.empty()) {
        detail::compose_segment l;
        l.text = std::move(lit);
        plan->segments.push_back(std::move(l));
    }

    // Envelope and extensions.
    plan->envelope_sender = envelope_from_ ? *envelope_from_ : from_.front().address;
    std::unordered_set<std::string> seen;
    for (const auto* list : {&to_, &cc_, &bcc_})
        for (const auto& a : *list)
            if (seen.insert(envelope_key(a.address)).second) plan->envelope_recipients.push_back(a.address);
    bool utf8 = has_non_ascii(plan->envelope_sender);
    for (const auto* list : {&from_, &to_, &cc_, &bcc_, &reply_to_})
        for (const auto& a : *list) utf8 = utf8 || has_non_ascii(a.address);
    plan->needs_smtputf8 = utf8;
    bool eight = utf8;
    for (const auto& s : plan->segments)
        if (s.k != detail::compose_segment::kind::literal && s.encoding == compose_encoding::eight_bit) eight = true;
    plan->needs_8bitmime = eight;
    return composed_message(std::move(plan));
}

} // namespace pigeon::mime
