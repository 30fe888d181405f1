// ToolNameMap lookups and ToolNamer's collision-free assignment (see tool_name_map.h).
#include "wire/tool_schema/tool_name_map.h"

#include "wire/tool_schema/tool_name.h"

namespace gw::tool_schema {

void ToolNameMap::clear() {
  to_provider_.clear();
  to_original_.clear();
}

std::string_view ToolNameMap::provider_name(std::string_view original) const {
  auto it = to_provider_.find(original);
  return it == to_provider_.end() ? original : std::string_view(it->second);
}

std::string_view ToolNameMap::original_name(std::string_view provider) const {
  auto it = to_original_.find(provider);
  return it == to_original_.end() ? provider : std::string_view(it->second);
}

void ToolNameMap::add(std::string original, std::string provider) {
  to_original_.emplace(provider, original);
  to_provider_.emplace(std::move(original), std::move(provider));
}

std::string ToolNamer::unique_rewrite(std::string_view original) const {
  const std::string base = rewrite_tool_name(original, rules_);
  if (!taken_.contains(base)) return base;
  // The rewrite collides (e.g. "files.read" → "files_read" next to a real "files_read"): add
  // the original's hash; salted hashes only on the astronomically rare hash collision.
  for (std::uint64_t salt = 0;; ++salt) {
    std::string candidate = fit_with_suffix(base, name_hash_suffix(original, salt), rules_);
    if (!taken_.contains(candidate)) return candidate;
  }
}

void ToolNamer::assign_declared(const std::vector<std::string_view>& names, ToolNameMap& map) {
  for (std::string_view name : names) {
    if (tool_name_valid(name, rules_)) taken_.emplace(name);
  }
  for (std::string_view name : names) {
    if (tool_name_valid(name, rules_) || map.renamed(name)) continue;
    std::string provider = unique_rewrite(name);
    taken_.insert(provider);
    map.add(std::string(name), std::move(provider));
  }
}

void ToolNamer::assign_extra(const std::vector<std::string_view>& names,
                             const std::vector<std::string_view>& declared, ToolNameMap& map) {
  for (std::string_view name : declared) taken_.emplace(name);
  auto keeps_name = [&](std::string_view name) {
    return tool_name_valid(name, rules_) && !map.is_rename_target(name);
  };
  for (std::string_view name : names) {
    if (keeps_name(name)) taken_.emplace(name);
  }
  for (std::string_view name : names) {
    if (map.renamed(name) || keeps_name(name)) continue;
    std::string provider = unique_rewrite(name);
    taken_.insert(provider);
    map.add(std::string(name), std::move(provider));
  }
}

}  // namespace gw::tool_schema
