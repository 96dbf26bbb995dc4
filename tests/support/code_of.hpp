#pragma once
// code_of(f): runs f and returns the code of the std::system_error it throws
// (every pigeon client error is one), or an empty code when it returns.
#include <system_error>
#include <utility>

namespace pigeon::test {

template <class F>
std::error_code code_of(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const std::system_error& e) {
        return e.code();
    }
    return {};
}

} // namespace pigeon::test
