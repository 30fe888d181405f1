// Percent-decoding of one URL path segment (model names in /models/{model}:… and
// /model/{modelId}/converse). A malformed escape is kept as written, never an error.
#pragma once

#include <string>
#include <string_view>

namespace gw {

std::string percent_decode(std::string_view s);

}  // namespace gw
