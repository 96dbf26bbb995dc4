#include <ostream>

#include <doctest/doctest.h>

#include <curl/curl.h>

#include <fstream>
#include <iterator>
#include <string>

#include "pigeon/curl/loader.hpp"

// CTest runs every TEST_CASE in a process of its own, so each starts with
// libcurl not loaded.

namespace {

bool libcurl_mapped() {
    std::ifstream maps("/proc/self/maps");
    std::string all((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
    return all.find(pigeon::curl::soname()) != std::string::npos;
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

} // namespace

TEST_CASE("libcurl is not in a process until pigeon first uses it") {
    CHECK_FALSE(pigeon::curl::loaded());
    CHECK_FALSE(libcurl_mapped());
    std::string why;
    REQUIRE_MESSAGE(pigeon::curl::load(&why), why);
    CHECK(pigeon::curl::loaded());
    CHECK(libcurl_mapped());
}

TEST_CASE("the first curl_* call loads libcurl, and every option type reaches it intact") {
    REQUIRE_FALSE(pigeon::curl::loaded());
    CURL* h = curl_easy_init();
    REQUIRE(h != nullptr);
    CHECK(pigeon::curl::loaded());
    // long, string, function pointer, curl_off_t, and a pointer read back.
    CHECK(curl_easy_setopt(h, CURLOPT_VERBOSE, 0L) == CURLE_OK);
    CHECK(curl_easy_setopt(h, CURLOPT_URL, "ftp://127.0.0.1:1/dir/file") == CURLE_OK);
    CHECK(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard) == CURLE_OK);
    CHECK(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(1) << 40) == CURLE_OK);
    int marker = 0;
    CHECK(curl_easy_setopt(h, CURLOPT_PRIVATE, &marker) == CURLE_OK);
    void* back = nullptr;
    CHECK(curl_easy_getinfo(h, CURLINFO_PRIVATE, &back) == CURLE_OK);
    CHECK(back == &marker);
    // A long option libcurl range-checks: a value mangled on the way would
    // be refused or accepted where it should not be.
    CHECK(curl_easy_setopt(h, CURLOPT_SSLVERSION, 999L) != CURLE_OK);
    CHECK(curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)) == CURLE_OK);
    // A connection refused comes back as libcurl's code and text.
    CHECK(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L) == CURLE_OK);
    CURLcode rc = curl_easy_perform(h);
    CHECK(rc == CURLE_COULDNT_CONNECT);
    CHECK(std::string(curl_easy_strerror(rc)).find("connect") != std::string::npos);
    char* e = curl_easy_escape(h, "a b/ü", 0);
    REQUIRE(e != nullptr);
    CHECK(std::string(e) == "a%20b%2F%C3%BC");
    curl_free(e);
    curl_slist* l = curl_slist_append(nullptr, "X-One: 1");
    l = curl_slist_append(l, "X-Two: 2");
    REQUIRE(l != nullptr);
    CHECK(std::string(l->next->data) == "X-Two: 2");
    curl_slist_free_all(l);
    const curl_version_info_data* vi = curl_version_info(CURLVERSION_NOW);
    REQUIRE(vi != nullptr);
    CHECK(vi->version_num >= 0x070000);
    curl_easy_reset(h);
    curl_easy_cleanup(h);
}
