#include "providers/openai_compatible/openai_compatible_provider.h"

#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/embedded.h"
#include "wire/json_read.h"

namespace gw {
namespace {

namespace json = boost::json;

constexpr std::string_view kDataDir = "config/providers.d/";

Error flavor_error(std::string message) {
  return Error::make(ErrorKind::gateway_internal, std::move(message), "invalid_provider_flavor");
}

Status read_string(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (!v->is_string()) return flavor_error("\"" + std::string(key) + "\" must be a string");
  out = std::string(v->get_string());
  return {};
}

Status read_bool(const json::object& o, std::string_view key, bool& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (!v->is_bool()) return flavor_error("\"" + std::string(key) + "\" must be a boolean");
  out = v->get_bool();
  return {};
}

Status read_capabilities(const json::object& o, Capabilities& caps) {
  const json::value* v = o.if_contains("capabilities");
  if (v == nullptr) return {};
  if (!v->is_object()) return flavor_error("\"capabilities\" must be an object");
  const json::object& c = v->get_object();
  struct Field {
    std::string_view key;
    bool Capabilities::*member;
  };
  static constexpr Field kFields[] = {
      {"streaming", &Capabilities::streaming},
      {"tool_calling", &Capabilities::tool_calling},
      {"parallel_tool_calls", &Capabilities::parallel_tool_calls},
      {"json_mode", &Capabilities::json_mode},
      {"vision", &Capabilities::vision},
      {"usage_in_stream", &Capabilities::usage_in_stream},
  };
  for (const auto& kv : c) {
    bool known = false;
    for (const Field& f : kFields) {
      if (kv.key() != f.key) continue;
      known = true;
      if (!kv.value().is_bool()) {
        return flavor_error("\"capabilities." + std::string(f.key) + "\" must be a boolean");
      }
      caps.*f.member = kv.value().get_bool();
    }
    if (!known) return flavor_error("unknown capability \"" + std::string(kv.key()) + "\"");
  }
  return {};
}

bool valid_flavor_name(std::string_view flavor) {
  if (flavor.empty() || flavor.size() > 64) return false;
  for (char c : flavor) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

Result<OpenAICompatibleFlavor> parse_openai_compatible_flavor(std::string_view json_text) {
  Result<json::value> parsed = parse_json(json_text, ErrorKind::gateway_internal);
  if (!parsed) return std::move(parsed).error();
  const json::object* o = parsed->if_object();
  if (o == nullptr) return flavor_error("a provider data file must be a JSON object");

  static constexpr std::string_view kKnown[] = {
      "name",         "description",  "chat_path",  "auth", "default_base_url", "max_tokens_field",
      "stream_usage", "capabilities", "drop_fields"};
  for (const auto& kv : *o) {
    bool known = false;
    for (std::string_view k : kKnown) known = known || kv.key() == k;
    if (!known) return flavor_error("unknown field \"" + std::string(kv.key()) + "\"");
  }

  OpenAICompatibleFlavor f;
  OpenAIDialectOptions& d = f.dialect;
  d.type = "openai_compatible";
  std::string auth = "bearer";
  if (Status s = read_string(*o, "name", f.name); !s) return std::move(s).error();
  if (f.name.empty()) return flavor_error("\"name\" is required");
  if (Status s = read_string(*o, "description", f.description); !s) return std::move(s).error();
  if (Status s = read_string(*o, "chat_path", d.chat_path); !s) return std::move(s).error();
  if (d.chat_path.empty() || d.chat_path.front() != '/') {
    return flavor_error("\"chat_path\" must start with '/'");
  }
  if (Status s = read_string(*o, "auth", auth); !s) return std::move(s).error();
  if (auth != "bearer" && auth != "none") {
    return flavor_error("\"auth\" must be \"bearer\" or \"none\"");
  }
  d.bearer_auth = auth == "bearer";
  if (Status s = read_string(*o, "default_base_url", d.default_base_url); !s) {
    return std::move(s).error();
  }
  if (Status s = read_string(*o, "max_tokens_field", d.encode.max_tokens_field); !s) {
    return std::move(s).error();
  }
  if (d.encode.max_tokens_field != "max_tokens" &&
      d.encode.max_tokens_field != "max_completion_tokens") {
    return flavor_error("\"max_tokens_field\" must be \"max_tokens\" or \"max_completion_tokens\"");
  }
  if (Status s = read_bool(*o, "stream_usage", d.encode.stream_usage); !s) {
    return std::move(s).error();
  }
  if (Status s = read_capabilities(*o, d.capabilities); !s) return std::move(s).error();
  if (const json::value* drop = o->if_contains("drop_fields")) {
    if (!drop->is_array()) return flavor_error("\"drop_fields\" must be an array of strings");
    for (const json::value& v : drop->get_array()) {
      if (!v.is_string()) return flavor_error("\"drop_fields\" must be an array of strings");
      d.encode.drop_fields.emplace_back(v.get_string());
    }
  }
  // Without tool support there is nothing to say about parallel calls; never send the field.
  if (!d.capabilities.parallel_tool_calls || !d.capabilities.tool_calling) {
    d.encode.drop_fields.emplace_back("parallel_tool_calls");
  }
  return f;
}

Result<OpenAICompatibleFlavor> load_openai_compatible_flavor(std::string_view flavor) {
  if (!valid_flavor_name(flavor)) {
    return flavor_error("invalid openai_compatible flavor name \"" + std::string(flavor) + "\"");
  }
  const std::string path = std::string(kDataDir) + std::string(flavor) + ".json";
  std::string_view text = embedded_file(path);
  if (text.empty()) {
    std::string known;
    for (const EmbeddedFile& f : embedded_files()) {
      if (!f.path.starts_with(kDataDir) || !f.path.ends_with(".json")) continue;
      std::string_view n = f.path.substr(kDataDir.size());
      n.remove_suffix(5);
      known += known.empty() ? "" : ", ";
      known += n;
    }
    return flavor_error("unknown openai_compatible flavor \"" + std::string(flavor) +
                        "\" (known: " + known + ")");
  }
  Result<OpenAICompatibleFlavor> parsed = parse_openai_compatible_flavor(text);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = path + ": " + e.message;
    return e;
  }
  return parsed;
}

Result<std::unique_ptr<Provider>> make_openai_compatible_provider(
    const ProviderSettings& settings) {
  const json::value* flavor = settings.raw.if_contains("flavor");
  if (flavor == nullptr || !flavor->is_string()) {
    return flavor_error("provider \"" + settings.name +
                        "\" of type openai_compatible needs a \"flavor\" string");
  }
  Result<OpenAICompatibleFlavor> loaded = load_openai_compatible_flavor(flavor->get_string());
  if (!loaded) return std::move(loaded).error();
  return std::unique_ptr<Provider>(
      std::make_unique<OpenAIProvider>(settings, std::move(loaded->dialect)));
}

}  // namespace gw
