#pragma once
// Writing a parsed message back out. An unmodified message comes out byte
// for byte as it went in; an entity whose headers were changed
// (entity::headers_mut) gets its header block rewritten from its header list,
// everything else is still copied from the source.
#include <string>

#include <pigeon/mime/entity.hpp>
#include <pigeon/mime/source.hpp>

namespace pigeon::mime {

/// Streams the message to sink; false if reading the source failed.
bool serialize(const message& m, const sink_fn& sink);
/// Streams one entity (with its headers) to sink.
bool serialize(const message& m, const entity& e, const sink_fn& sink);
/// The whole message as a string.
std::string serialize_to_string(const message& m);

} // namespace pigeon::mime
