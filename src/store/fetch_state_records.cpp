#include "fetch_state_records.hpp"

#include <algorithm>
#include <cstring>

namespace pigeon::store::detail {
namespace {

// The packed text block: for each of the four fields a LEB128 length, then
// its bytes. No block (nullptr) when every field is empty.
enum field : int { f_uidl = 0, f_message_id = 1, f_location = 2, f_sha = 3 };

std::unique_ptr<char[]> pack(const std::array<std::string_view, 4>& fields) {
    if (std::all_of(fields.begin(), fields.end(), [](std::string_view f) { return f.empty(); })) return nullptr;
    std::size_t need = 0;
    for (auto f : fields) {
        std::size_t len = f.size();
        do {
            ++need;
            len >>= 7;
        } while (len != 0);
        need += f.size();
    }
    auto block = std::make_unique<char[]>(need);
    char* p = block.get();
    for (auto f : fields) {
        std::size_t len = f.size();
        do {
            auto b = static_cast<unsigned char>(len & 0x7f);
            len >>= 7;
            if (len != 0) b |= 0x80;
            *p++ = static_cast<char>(b);
        } while (len != 0);
        if (!f.empty()) std::memcpy(p, f.data(), f.size());
        p += f.size();
    }
    return block;
}

std::string_view unpack(const char* block, int which) {
    if (block == nullptr) return {};
    const char* p = block;
    for (int i = 0;; ++i) {
        std::size_t len = 0;
        int shift = 0;
        unsigned char b = 0;
        do {
            b = static_cast<unsigned char>(*p++);
            len |= static_cast<std::size_t>(b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (i == which) return {p, len};
        p += len;
    }
}

int lower_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool sha_to_binary(std::string_view hex, std::array<std::uint8_t, 32>& out) {
    if (hex.size() != 64) return false;
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = lower_hex(hex[2 * i]);
        const int lo = lower_hex(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return true;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xc2b2ae3d27d4eb4fULL;
}

std::uint64_t key_hash_of(std::uint32_t folder, std::uint32_t uidvalidity, std::uint32_t uid,
                          std::string_view uidl) {
    std::uint64_t h = std::hash<std::string_view>{}(uidl);
    h = mix(h, folder);
    return mix(h, (std::uint64_t{uidvalidity} << 32) | uid);
}

std::uint64_t message_id_hash_of(std::string_view message_id, std::uint64_t size) {
    return mix(std::hash<std::string_view>{}(message_id), size);
}

}  // namespace

std::uint32_t record_table::folder_id(std::string_view name) const {
    const auto it = folder_ids_.find(name);
    return it == folder_ids_.end() ? npos : it->second;
}

std::uint32_t record_table::intern_folder(const std::string& name) {
    const auto it = folder_ids_.find(std::string_view(name));
    if (it != folder_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(folders_.size());
    folders_.push_back({name, npos, npos, {}});
    folder_ids_.emplace(name, id);
    return id;
}

std::uint32_t record_table::intern_destination(const std::string& d) {
    const auto it = destination_ids_.find(std::string_view(d));
    if (it != destination_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(destinations_.size());
    destinations_.push_back(d);
    destination_ids_.emplace(d, id);
    return id;
}

std::uint64_t record_table::key_hash(std::uint32_t n) const {
    const slot& s = slots_[n];
    return key_hash_of(s.folder, s.uidvalidity, s.uid, unpack(s.text.get(), f_uidl));
}

std::uint64_t record_table::message_id_hash(std::uint32_t n) const {
    const slot& s = slots_[n];
    return message_id_hash_of(unpack(s.text.get(), f_message_id), s.size);
}

std::uint32_t record_table::find(const message_key& k) const {
    const std::uint32_t f = folder_id(k.folder);
    if (f == npos) return npos;
    return by_key_.find(key_hash_of(f, k.uidvalidity, k.uid, k.uidl), [&](std::uint32_t n) {
        const slot& s = slots_[n];
        return s.folder == f && s.uidvalidity == k.uidvalidity && s.uid == k.uid &&
               unpack(s.text.get(), f_uidl) == k.uidl;
    });
}

void record_table::set_payload(std::uint32_t n, const delivered_record& r) {
    slot& s = slots_[n];
    s.size = r.size;
    s.delivered_at = r.delivered_at;
    s.sha_binary = sha_to_binary(r.sha256_hex, s.sha);
    if (!s.sha_binary) s.sha.fill(0);
    s.text = pack({r.key.uidl, r.message_id, r.location,
                   s.sha_binary ? std::string_view{} : std::string_view{r.sha256_hex}});
    s.destination = intern_destination(r.destination);
}

void record_table::fill(std::uint32_t n, delivered_record& r) const {
    static constexpr char hex[] = "0123456789abcdef";
    const slot& s = slots_[n];
    r.key.folder = folders_[s.folder].name;
    r.key.uidvalidity = s.uidvalidity;
    r.key.uid = s.uid;
    r.key.uidl = unpack(s.text.get(), f_uidl);
    r.size = s.size;
    r.delivered_at = s.delivered_at;
    if (s.sha_binary) {
        r.sha256_hex.resize(64);
        for (std::size_t i = 0; i < 32; ++i) {
            r.sha256_hex[2 * i] = hex[s.sha[i] >> 4];
            r.sha256_hex[2 * i + 1] = hex[s.sha[i] & 0xf];
        }
    } else {
        r.sha256_hex = unpack(s.text.get(), f_sha);
    }
    r.message_id = unpack(s.text.get(), f_message_id);
    r.location = unpack(s.text.get(), f_location);
    r.destination = destinations_[s.destination];
}

const delivered_record* record_table::view(std::uint32_t n) const {
    auto& v = views_[n];
    if (!v) {
        v = std::make_unique<delivered_record>();
        fill(n, *v);
    }
    return v.get();
}

void record_table::put(const delivered_record& r) {
    std::uint32_t n = find(r.key);
    if (n != npos) {
        // Same key: new payload in place (same list position, same view).
        if (!unpack(slots_[n].text.get(), f_message_id).empty()) by_message_id_.erase(message_id_hash(n), n);
        set_payload(n, r);
        if (!r.message_id.empty()) by_message_id_.insert(message_id_hash(n), n);
        if (const auto v = views_.find(n); v != views_.end()) fill(n, *v->second);
        return;
    }
    if (free_ != npos) {
        n = free_;
        free_ = slots_[n].next;
    } else {
        n = slots_.add();
    }
    const std::uint32_t f = intern_folder(r.key.folder);
    slot& s = slots_[n];
    s.live = true;
    s.folder = f;
    s.uidvalidity = r.key.uidvalidity;
    s.uid = r.key.uid;
    set_payload(n, r);

    folder_entry& fe = folders_[f];
    s.prev = fe.tail;
    s.next = npos;
    if (fe.tail != npos)
        slots_[fe.tail].next = n;
    else
        fe.head = n;
    fe.tail = n;
    const auto uv = std::find_if(fe.uidvalidities.begin(), fe.uidvalidities.end(),
                                 [&](const auto& p) { return p.first == r.key.uidvalidity; });
    if (uv == fe.uidvalidities.end())
        fe.uidvalidities.emplace_back(r.key.uidvalidity, 1);
    else
        ++uv->second;

    by_key_.insert(key_hash(n), n);
    if (!r.message_id.empty()) by_message_id_.insert(message_id_hash(n), n);
    ++live_;
}

bool record_table::remove(const message_key& k) {
    const std::uint32_t n = find(k);
    if (n == npos) return false;
    slot& s = slots_[n];
    by_key_.erase(key_hash(n), n);
    if (!unpack(s.text.get(), f_message_id).empty()) by_message_id_.erase(message_id_hash(n), n);

    folder_entry& fe = folders_[s.folder];
    if (s.prev != npos)
        slots_[s.prev].next = s.next;
    else
        fe.head = s.next;
    if (s.next != npos)
        slots_[s.next].prev = s.prev;
    else
        fe.tail = s.prev;
    const auto uv = std::find_if(fe.uidvalidities.begin(), fe.uidvalidities.end(),
                                 [&](const auto& p) { return p.first == s.uidvalidity; });
    if (uv != fe.uidvalidities.end() && --uv->second == 0) fe.uidvalidities.erase(uv);

    views_.erase(n);
    s.text.reset();
    s.live = false;
    s.prev = npos;
    s.next = free_;
    free_ = n;
    --live_;
    return true;
}

std::vector<std::uint32_t> record_table::uids(std::string_view folder, std::uint32_t uidvalidity) const {
    std::vector<std::uint32_t> out;
    const std::uint32_t f = folder_id(folder);
    if (f == npos) return out;
    for (std::uint32_t n = folders_[f].head; n != npos; n = slots_[n].next)
        if (slots_[n].uidvalidity == uidvalidity) out.push_back(slots_[n].uid);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::uint32_t> record_table::uidvalidities(std::string_view folder) const {
    std::vector<std::uint32_t> out;
    const std::uint32_t f = folder_id(folder);
    if (f == npos) return out;
    for (const auto& p : folders_[f].uidvalidities) out.push_back(p.first);
    return out;
}

std::vector<const delivered_record*> record_table::records_of(std::string_view folder) const {
    std::vector<const delivered_record*> out;
    const std::uint32_t f = folder_id(folder);
    if (f == npos) return out;
    for (std::uint32_t n = folders_[f].head; n != npos; n = slots_[n].next) out.push_back(view(n));
    return out;
}

std::string_view record_table::message_id_of(std::uint32_t n) const { return unpack(slots_[n].text.get(), f_message_id); }

const delivered_record* record_table::find_by_message_id(std::string_view message_id, std::uint64_t size) const {
    if (message_id.empty()) return nullptr;
    const std::uint32_t n = by_message_id_.find(message_id_hash_of(message_id, size), [&](std::uint32_t i) {
        return slots_[i].size == size && unpack(slots_[i].text.get(), f_message_id) == message_id;
    });
    return n == npos ? nullptr : view(n);
}

}  // namespace pigeon::store::detail
