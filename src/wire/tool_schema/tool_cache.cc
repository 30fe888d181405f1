// The compiled-tools LRU and the tool-set hash (see tool_cache.h).
#include "wire/tool_schema/tool_cache.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace gw::tool_schema {

namespace json = boost::json;

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  // boost::hash_combine's 64-bit constant; quality only decides how often a hit needs the full
  // comparison that confirms it.
  return h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

std::uint64_t hash_text(std::string_view s) {
  return std::hash<std::string_view>{}(s);
}

std::uint64_t hash_json(std::uint64_t h, const json::value& v) {
  h = mix(h, static_cast<std::uint64_t>(v.kind()));
  switch (v.kind()) {
    case json::kind::null:
      return h;
    case json::kind::bool_:
      return mix(h, v.get_bool() ? 1 : 0);
    case json::kind::int64:
      return mix(h, static_cast<std::uint64_t>(v.get_int64()));
    case json::kind::uint64:
      return mix(h, v.get_uint64());
    case json::kind::double_:
      return mix(h, std::bit_cast<std::uint64_t>(v.get_double()));
    case json::kind::string:
      return mix(h, hash_text(v.get_string()));
    case json::kind::array:
      for (const json::value& e : v.get_array()) h = hash_json(h, e);
      return mix(h, v.get_array().size());
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        h = mix(h, hash_text(kv.key()));
        h = hash_json(h, kv.value());
      }
      return mix(h, v.get_object().size());
  }
  return h;
}

bool same_tools(const std::vector<ToolSpec>& a, const std::vector<ToolSpec>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ToolSpec& x, const ToolSpec& y) {
                      return x.name == y.name && x.description == y.description &&
                             x.strict == y.strict && x.parameters == y.parameters;
                    });
}

}  // namespace

std::uint64_t hash_tools(const std::vector<ToolSpec>& tools) {
  std::uint64_t h = tools.size();
  for (const ToolSpec& t : tools) {
    h = mix(h, hash_text(t.name));
    h = mix(h, hash_text(t.description));
    h = mix(h, t.strict.has_value() ? (*t.strict ? 2 : 1) : 0);
    h = hash_json(h, t.parameters);
  }
  return h;
}

bool CompiledToolsCache::same_rules(const Entry& e, const ToolRules& rules) {
  return e.schema == rules.schema && e.max_name_length == rules.max_name_length &&
         e.name_extra_chars == rules.name_extra_chars &&
         e.must_start_with_letter == rules.name_must_start_with_letter_or_underscore;
}

std::shared_ptr<const CompiledTools> CompiledToolsCache::find(const ToolRules& rules,
                                                              std::uint64_t hash,
                                                              const std::vector<ToolSpec>& tools) {
  for (Entry& e : entries_) {
    if (e.hash == hash && same_rules(e, rules) && same_tools(e.tools, tools)) {
      e.last_used = ++clock_;
      return e.compiled;
    }
  }
  return nullptr;
}

void CompiledToolsCache::insert(const ToolRules& rules, std::uint64_t hash,
                                const std::vector<ToolSpec>& tools,
                                std::shared_ptr<const CompiledTools> compiled) {
  Entry entry{rules.schema,
              rules.max_name_length,
              std::string(rules.name_extra_chars),
              rules.name_must_start_with_letter_or_underscore,
              hash,
              tools,
              std::move(compiled),
              ++clock_};
  if (entries_.size() < kToolCacheEntries) {
    entries_.push_back(std::move(entry));
    return;
  }
  auto oldest =
      std::min_element(entries_.begin(), entries_.end(),
                       [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
  *oldest = std::move(entry);
}

CompiledToolsCache& CompiledToolsCache::local() {
  thread_local CompiledToolsCache cache;
  return cache;
}

}  // namespace gw::tool_schema
