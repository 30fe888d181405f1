#include "providers/model_capabilities.h"

#include <algorithm>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/embedded.h"
#include "providers/registry.h"

namespace gw {
namespace {

namespace json = boost::json;

constexpr std::string_view kDataFile = "config/capabilities/models.json";

struct ModelEntry {
  std::string match;  // exact name, or a prefix when it ended in '*'
  bool prefix = false;
  json::object fields;
};

using Table = std::map<std::string, std::vector<ModelEntry>, std::less<>>;

const Table& table() {
  static const Table t = [] {
    Table out;
    boost::system::error_code ec;
    json::value doc = json::parse(embedded_file(kDataFile), ec);
    if (ec || !doc.is_object()) return out;  // a unit test pins that the file parses
    for (const auto& [type, entries] : doc.get_object()) {
      if (!entries.is_array()) continue;
      auto& list = out[std::string(type)];
      for (const auto& e : entries.get_array()) {
        const auto* o = e.if_object();
        const auto* m = o ? o->if_contains("match") : nullptr;
        if (m == nullptr || !m->is_string()) continue;
        ModelEntry entry;
        entry.match = std::string(m->get_string());
        if (entry.match.ends_with('*')) {
          entry.match.pop_back();
          entry.prefix = true;
        }
        entry.fields = *o;
        list.push_back(std::move(entry));
      }
    }
    return out;
  }();
  return t;
}

void apply(const json::object& f, Capabilities& c) {
  auto flag = [&](std::string_view key, bool& out) {
    if (const auto* v = f.if_contains(key); v && v->is_bool()) out = v->get_bool();
  };
  auto number = [&](std::string_view key, std::int64_t& out) {
    if (const auto* v = f.if_contains(key); v && v->is_int64()) out = v->get_int64();
  };
  flag("streaming", c.streaming);
  flag("tool_calling", c.tool_calling);
  flag("parallel_tool_calls", c.parallel_tool_calls);
  flag("json_mode", c.json_mode);
  flag("json_schema", c.json_schema);
  flag("vision", c.vision);
  flag("system_prompt", c.system_prompt);
  flag("usage_in_stream", c.usage_in_stream);
  number("context", c.max_context_tokens);
  number("max_output", c.max_output_tokens);
}

}  // namespace

Capabilities model_capabilities(const Provider& adapter, std::string_view model) {
  Capabilities caps = adapter.capabilities();
  const auto& t = table();
  auto it = t.find(adapter.type());
  if (it == t.end()) return caps;
  for (const auto& e : it->second) {
    if (e.prefix ? model.starts_with(e.match) : model == e.match) {
      apply(e.fields, caps);
      break;
    }
  }
  return caps;
}

bool has_capability(const Capabilities& caps, std::string_view name) {
  if (name == "streaming") return caps.streaming;
  if (name == "tool_calling") return caps.tool_calling;
  if (name == "parallel_tool_calls") return caps.parallel_tool_calls;
  if (name == "json_mode") return caps.json_mode;
  if (name == "json_schema") return caps.json_schema;
  if (name == "vision") return caps.vision;
  if (name == "system_prompt") return caps.system_prompt;
  if (name == "usage_in_stream") return caps.usage_in_stream;
  return false;
}

bool is_capability_name(std::string_view name) {
  return std::find(std::begin(kCapabilityNames), std::end(kCapabilityNames), name) !=
         std::end(kCapabilityNames);
}

std::vector<std::string> missing_capabilities(const Capabilities& caps,
                                              const std::vector<std::string>& needs) {
  std::vector<std::string> out;
  for (const auto& n : needs) {
    if (!has_capability(caps, n)) out.push_back(n);
  }
  return out;
}

std::vector<std::string> missing_capabilities_for(const ProviderSettings& settings,
                                                  const std::string& model,
                                                  const std::vector<std::string>& needs) {
  const ProviderFactory* factory = builtin_providers().find(settings.type);
  if (factory == nullptr) return {};
  auto adapter = (*factory)(settings);
  if (!adapter) return {};
  return missing_capabilities(model_capabilities(**adapter, model), needs);
}

}  // namespace gw
