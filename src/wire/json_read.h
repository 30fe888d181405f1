// Small helpers for reading wire JSON with Boost.JSON: one bounded parse entry point (depth ≤ 64,
// DESIGN.md §4) and tolerant field accessors for provider bodies, where null and absent mean the
// same thing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"

namespace gw {

inline constexpr int kMaxJsonDepth = 64;

// Parses exactly one JSON document. On failure returns an Error of `kind`:
//   nesting deeper than kMaxJsonDepth → "JSON nesting depth exceeds 64", code "json_too_deep";
//   anything else (syntax, invalid UTF-8, trailing data, truncation) →
//   "invalid JSON: <reason> at offset N", code "invalid_json".
Result<boost::json::value> parse_json(std::string_view text, ErrorKind kind,
                                      boost::json::storage_ptr sp = {});

// The member `key`, or nullptr when it is absent or null.
const boost::json::value* json_field(const boost::json::object& object, std::string_view key);

// The member `key` when it is a string, else an empty view.
std::string_view json_string_field(const boost::json::object& object, std::string_view key);

// The member `key` when it is an object, else nullptr.
const boost::json::object* json_object_field(const boost::json::object& object,
                                             std::string_view key);

// An integral JSON number (int64, uint64 within range, or a double with no fraction).
std::optional<std::int64_t> json_to_int64(const boost::json::value& value);

// The member `key` as an integer, or 0 when absent, null or not an integer.
std::int64_t json_int_field(const boost::json::object& object, std::string_view key);

// "a string", "an integer", "a decimal", "an object", "an array", "a boolean", "null" — for
// OpenAI-style "expected X, but got Y" messages.
std::string_view json_kind_name(const boost::json::value& value);

}  // namespace gw
