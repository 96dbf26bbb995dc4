#include <pigeon/mime/entity.hpp>

#include <string>

#include <pigeon/mime/charset.hpp>

#include "detail/ascii.hpp"

namespace pigeon::mime {

content_disposition entity::disposition() const {
    auto v = headers_.find("Content-Disposition");
    return v ? parse_content_disposition(*v) : content_disposition{};
}

std::string entity::filename() const {
    std::string name = disposition().filename();
    if (name.empty()) {
        auto v = type_.params.get("name");
        if (v) name.assign(*v);
    }
    if (name.empty()) return name;
    // Parameter values may be raw 8-bit; never hand out controls.
    return detail::scrub_controls(to_utf8("", name));
}

std::string entity::content_id() const {
    std::string v = headers_.get("Content-ID");
    std::string_view s = detail::trim(v);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return std::string(s);
}

std::string entity::part_number() const {
    std::string out;
    for (const entity* e = this; e->parent_; e = e->parent_) {
        const entity* p = e->parent_;
        std::size_t idx = 0;
        for (std::size_t k = 0; k < p->children_.size(); ++k)
            if (p->children_[k] == e) idx = k + 1;
        out = out.empty() ? std::to_string(idx) : std::to_string(idx) + "." + out;
    }
    return out;
}

const entity* message::find_part(std::string_view number) const {
    if (number.empty() || number == "0") return root();
    for (const entity& e : parts_)
        if (e.part_number() == number) return &e;
    return nullptr;
}

} // namespace pigeon::mime
