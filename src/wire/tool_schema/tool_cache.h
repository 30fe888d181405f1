// The per-thread LRU of compiled tool sets behind compile_tools. Keyed by the ToolRules and a
// 64-bit hash of the tools; a hit is confirmed by comparing the tools themselves, so a hash
// collision (or a crafted one) can never hand one caller another caller's compiled tools.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/chat.h"
#include "spi/provider.h"

namespace gw::tool_schema {

struct CompiledTools;

inline constexpr std::size_t kToolCacheEntries = 16;

// Hash of every tool's name, description, strict flag and parameters (structure and values).
std::uint64_t hash_tools(const std::vector<ToolSpec>& tools);

class CompiledToolsCache {
 public:
  std::shared_ptr<const CompiledTools> find(const ToolRules& rules, std::uint64_t hash,
                                            const std::vector<ToolSpec>& tools);
  // Evicts the least recently used entry when full.
  void insert(const ToolRules& rules, std::uint64_t hash, const std::vector<ToolSpec>& tools,
              std::shared_ptr<const CompiledTools> compiled);

  // The calling thread's cache.
  static CompiledToolsCache& local();

 private:
  struct Entry {
    ToolRules::Schema schema;
    std::size_t max_name_length;
    std::string name_extra_chars;
    bool must_start_with_letter;
    std::uint64_t hash;
    std::vector<ToolSpec> tools;  // the input, to confirm a hit
    std::shared_ptr<const CompiledTools> compiled;
    std::uint64_t last_used;
  };
  static bool same_rules(const Entry& e, const ToolRules& rules);

  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
};

}  // namespace gw::tool_schema
