// The curl_* functions pigeon calls, forwarding to libcurl loaded on first
// use. Their definitions here are hidden: libpigeon.so exports none of them,
// so a program that uses libcurl itself still binds to libcurl.
#include <curl/curl.h>

#include "pigeon/curl/loader.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdarg>
#include <mutex>

#undef curl_easy_setopt
#undef curl_easy_getinfo

namespace {

struct api {
    CURLcode (*global_init)(long) = nullptr;
    CURL* (*easy_init)() = nullptr;
    void (*easy_cleanup)(CURL*) = nullptr;
    void (*easy_reset)(CURL*) = nullptr;
    CURLcode (*easy_perform)(CURL*) = nullptr;
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
    const char* (*easy_strerror)(CURLcode) = nullptr;
    char* (*easy_escape)(CURL*, const char*, int) = nullptr;
    void (*free)(void*) = nullptr;
    curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
    void (*slist_free_all)(curl_slist*) = nullptr;
    curl_version_info_data* (*version_info)(CURLversion) = nullptr;
    CURLM* (*multi_init)() = nullptr;
    CURLMcode (*multi_cleanup)(CURLM*) = nullptr;
    CURLMcode (*multi_add_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_remove_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_perform)(CURLM*, int*) = nullptr;
    CURLMcode (*multi_wait)(CURLM*, curl_waitfd*, unsigned int, int, int*) = nullptr;
    CURLMsg* (*multi_info_read)(CURLM*, int*) = nullptr;
};

std::once_flag once;
std::atomic<bool> ok{false};
api fns;
std::string failure;  // written once, under `once`

template <class F>
bool bind(void* lib, F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f) failure = std::string(PIGEON_LIBCURL_SONAME) + " has no " + name;
    return f != nullptr;
}

void load_once() {
    void* lib = dlopen(PIGEON_LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* e = dlerror();
        failure = e ? e : "cannot load " PIGEON_LIBCURL_SONAME;
        return;
    }
    bool all = bind(lib, fns.global_init, "curl_global_init") && bind(lib, fns.easy_init, "curl_easy_init") &&
               bind(lib, fns.easy_cleanup, "curl_easy_cleanup") && bind(lib, fns.easy_reset, "curl_easy_reset") &&
               bind(lib, fns.easy_perform, "curl_easy_perform") && bind(lib, fns.easy_setopt, "curl_easy_setopt") &&
               bind(lib, fns.easy_getinfo, "curl_easy_getinfo") &&
               bind(lib, fns.easy_strerror, "curl_easy_strerror") && bind(lib, fns.easy_escape, "curl_easy_escape") &&
               bind(lib, fns.free, "curl_free") && bind(lib, fns.slist_append, "curl_slist_append") &&
               bind(lib, fns.slist_free_all, "curl_slist_free_all") &&
               bind(lib, fns.version_info, "curl_version_info") && bind(lib, fns.multi_init, "curl_multi_init") &&
               bind(lib, fns.multi_cleanup, "curl_multi_cleanup") &&
               bind(lib, fns.multi_add_handle, "curl_multi_add_handle") &&
               bind(lib, fns.multi_remove_handle, "curl_multi_remove_handle") &&
               bind(lib, fns.multi_perform, "curl_multi_perform") && bind(lib, fns.multi_wait, "curl_multi_wait") &&
               bind(lib, fns.multi_info_read, "curl_multi_info_read");
    ok.store(all, std::memory_order_release);
}

bool ready() {
    if (ok.load(std::memory_order_acquire)) return true;
    std::call_once(once, load_once);
    return ok.load(std::memory_order_acquire);
}

} // namespace

namespace pigeon::curl {

bool load(std::string* why) {
    bool r = ready();
    if (!r && why) *why = failure;
    return r;
}

bool loaded() noexcept { return ok.load(std::memory_order_acquire); }

const char* soname() noexcept { return PIGEON_LIBCURL_SONAME; }

} // namespace pigeon::curl

// ---- the forwarding definitions (hidden, see above) ---------------------------

#define PIGEON_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

PIGEON_HIDDEN CURLcode curl_global_init(long flags) { return ready() ? fns.global_init(flags) : CURLE_FAILED_INIT; }

PIGEON_HIDDEN CURL* curl_easy_init() { return ready() ? fns.easy_init() : nullptr; }

PIGEON_HIDDEN void curl_easy_cleanup(CURL* h) {
    if (h && ready()) fns.easy_cleanup(h);
}

PIGEON_HIDDEN void curl_easy_reset(CURL* h) {
    if (h && ready()) fns.easy_reset(h);
}

PIGEON_HIDDEN CURLcode curl_easy_perform(CURL* h) { return ready() ? fns.easy_perform(h) : CURLE_FAILED_INIT; }

// libcurl reads exactly one argument after the option, of the type the
// option's number range says (curl.h CURLOPTTYPE_*): read it as that type and
// pass it on as that type.
PIGEON_HIDDEN CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, option);
    CURLcode r;
    const int o = static_cast<int>(option);
    if (o < CURLOPTTYPE_OBJECTPOINT) {
        long v = va_arg(ap, long);
        r = fns.easy_setopt(h, option, v);
    } else if (o < CURLOPTTYPE_FUNCTIONPOINT) {
        void* v = va_arg(ap, void*);
        r = fns.easy_setopt(h, option, v);
    } else if (o < CURLOPTTYPE_OFF_T) {
        using fn = void (*)();
        fn v = va_arg(ap, fn);
        r = fns.easy_setopt(h, option, v);
    } else if (o < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);
        r = fns.easy_setopt(h, option, v);
    } else {
        void* v = va_arg(ap, void*);  // struct curl_blob*
        r = fns.easy_setopt(h, option, v);
    }
    va_end(ap);
    return r;
}

// Every CURLINFO takes one pointer to where the value goes.
PIGEON_HIDDEN CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void* p = va_arg(ap, void*);
    va_end(ap);
    return fns.easy_getinfo(h, info, p);
}

PIGEON_HIDDEN const char* curl_easy_strerror(CURLcode c) {
    if (ready()) return fns.easy_strerror(c);
    static const std::string text = "libcurl could not be loaded: " + failure;
    return text.c_str();
}

PIGEON_HIDDEN char* curl_easy_escape(CURL* h, const char* s, int n) { return ready() ? fns.easy_escape(h, s, n) : nullptr; }

PIGEON_HIDDEN void curl_free(void* p) {
    if (p && ready()) fns.free(p);
}

PIGEON_HIDDEN curl_slist* curl_slist_append(curl_slist* l, const char* s) { return ready() ? fns.slist_append(l, s) : nullptr; }

PIGEON_HIDDEN void curl_slist_free_all(curl_slist* l) {
    if (l && ready()) fns.slist_free_all(l);
}

PIGEON_HIDDEN curl_version_info_data* curl_version_info(CURLversion v) { return ready() ? fns.version_info(v) : nullptr; }

PIGEON_HIDDEN CURLM* curl_multi_init() { return ready() ? fns.multi_init() : nullptr; }

PIGEON_HIDDEN CURLMcode curl_multi_cleanup(CURLM* m) {
    return m && ready() ? fns.multi_cleanup(m) : CURLM_BAD_HANDLE;
}

PIGEON_HIDDEN CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) {
    return ready() ? fns.multi_add_handle(m, h) : CURLM_INTERNAL_ERROR;
}

PIGEON_HIDDEN CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) {
    return ready() ? fns.multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR;
}

PIGEON_HIDDEN CURLMcode curl_multi_perform(CURLM* m, int* running) {
    return ready() ? fns.multi_perform(m, running) : CURLM_INTERNAL_ERROR;
}

PIGEON_HIDDEN CURLMcode curl_multi_wait(CURLM* m, curl_waitfd* extra, unsigned int n, int timeout_ms, int* numfds) {
    return ready() ? fns.multi_wait(m, extra, n, timeout_ms, numfds) : CURLM_INTERNAL_ERROR;
}

PIGEON_HIDDEN CURLMsg* curl_multi_info_read(CURLM* m, int* left) { return ready() ? fns.multi_info_read(m, left) : nullptr; }

} // extern "C"
