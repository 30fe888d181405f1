// Data files compiled into the binary (cmake/embed.cmake): the config JSON Schema and the
// openai_compatible provider definitions, so the binary works from any directory.
#pragma once

#include <string_view>
#include <vector>

namespace gw {

struct EmbeddedFile {
  std::string_view
      path;  // relative to the repository root, e.g. "config/schema/gateway.schema.json"
  std::string_view contents;
};

const std::vector<EmbeddedFile>& embedded_files();

// The contents of one embedded file, or an empty view.
std::string_view embedded_file(std::string_view path);

}  // namespace gw
