// The two-way map between the caller's tool names and the names a provider was sent, and the
// assignment that fills it: valid names stay, invalid ones are rewritten (tool_name.h) and
// collisions settled deterministically, so a tool call comes back under the caller's name.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "spi/provider.h"

namespace gw::tool_schema {

// Only renamed tools are recorded; a name absent from the map was sent unchanged. Empty (and
// allocation-free) when nothing was renamed, which is the common case.
class ToolNameMap {
 public:
  bool empty() const { return to_provider_.empty(); }
  std::size_t size() const { return to_provider_.size(); }
  void clear();

  // The name the provider sees for the caller's `original` (itself when not renamed).
  std::string_view provider_name(std::string_view original) const;
  // The caller's name for a name the provider used (itself when not renamed).
  std::string_view original_name(std::string_view provider) const;

  bool renamed(std::string_view original) const { return to_provider_.contains(original); }
  bool is_rename_target(std::string_view provider) const { return to_original_.contains(provider); }

  void add(std::string original, std::string provider);

 private:
  std::map<std::string, std::string, std::less<>> to_provider_;
  std::map<std::string, std::string, std::less<>> to_original_;
};

// Assigns provider names for one request. Valid names are reserved first so that a rewritten
// name never takes a name the caller uses; a rewrite that is already taken gets the hash suffix
// of the original, then salted hashes, until it is unique.
class ToolNamer {
 public:
  explicit ToolNamer(const ToolRules& rules) : rules_(rules) {}

  // Declared tool names, in order: fills `map` with every rename.
  void assign_declared(const std::vector<std::string_view>& names, ToolNameMap& map);
  // Names the request mentions besides its declarations (history tool calls, a named
  // tool_choice). `declared` are the provider names already sent for the declared tools. An
  // undeclared name is kept when valid unless it equals a declared tool's rewritten name (the
  // provider would confuse the two), else rewritten like a declared one.
  void assign_extra(const std::vector<std::string_view>& names,
                    const std::vector<std::string_view>& declared, ToolNameMap& map);

 private:
  std::string unique_rewrite(std::string_view original) const;

  ToolRules rules_;
  std::set<std::string, std::less<>> taken_;
};

}  // namespace gw::tool_schema
