// decode_generate_request: Gemini GenerateContentRequest body → canonical ChatRequest (tools,
// toolConfig, generationConfig here; contents in gemini_contents_decode.cc).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/gemini/gemini_contents_decode.h"
#include "wire/gemini/gemini_request.h"
#include "wire/gemini/gemini_request_checks.h"
#include "wire/gemini/gemini_schema.h"
#include "wire/json_read.h"

namespace gw::gemini {
namespace {

namespace json = boost::json;
using detail::at;
using detail::camel;
using detail::dot;
using detail::get_bool;
using detail::get_int;
using detail::get_number;
using detail::get_object;
using detail::get_string;
using detail::invalid;
using detail::missing;
using detail::unknown_field;
using detail::unsupported;
using detail::wrong_type;

// Gemini's rule for function names: letters, digits, '_', '.', ':' and '-', at most 64, starting
// with a letter or an underscore.
bool valid_function_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  const char first = name.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status function_declaration(const json::value& v, const std::string& path, ChatRequest& out) {
  const json::object* o = nullptr;
  if (auto s = get_object(v, path, o); !s) return s;
  ToolSpec spec;
  const json::value* parameters = nullptr;
  const json::value* json_schema = nullptr;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    const std::string p = dot(path, key);
    if (key == "name") {
      if (auto s = get_string(kv.value(), p, spec.name); !s) return s;
      if (!valid_function_name(spec.name)) {
        return invalid(p,
                       "function names must start with a letter or an underscore and hold "
                       "only a-z, A-Z, 0-9, underscores, dots, colons and dashes, at most 64.");
      }
    } else if (key == "description") {
      if (auto s = get_string(kv.value(), p, spec.description); !s) return s;
    } else if (key == "parameters") {
      if (!kv.value().is_object()) return wrong_type(p, "an object", kv.value());
      parameters = &kv.value();
    } else if (key == "parametersJsonSchema") {
      if (!kv.value().is_object()) return wrong_type(p, "an object", kv.value());
      json_schema = &kv.value();
    } else if (key == "response" || key == "responseJsonSchema" || key == "behavior") {
      continue;  // the declared return type and Live API scheduling: no canonical meaning
    } else {
      return unknown_field(path, kv.key());
    }
  }
  if (spec.name.empty()) return missing(dot(path, "name"));
  if (parameters != nullptr && json_schema != nullptr) {
    return invalid(dot(path, "parametersJsonSchema"),
                   "parameters and parametersJsonSchema cannot both be set.");
  }
  if (parameters != nullptr) spec.parameters = openapi_to_json_schema(*parameters);
  if (json_schema != nullptr) spec.parameters = *json_schema;
  out.tools.push_back(std::move(spec));
  return {};
}

Status tool(const json::value& v, const std::string& path, ChatRequest& out) {
  const json::object* o = nullptr;
  if (auto s = get_object(v, path, o); !s) return s;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    const std::string p = dot(path, key);
    if (key == "functionDeclarations") {
      if (!kv.value().is_array()) return wrong_type(p, "an array", kv.value());
      const json::array& decls = kv.value().get_array();
      for (std::size_t i = 0; i < decls.size(); ++i) {
        if (auto s = function_declaration(decls[i], at(p, i), out); !s) return s;
      }
    } else if (key == "googleSearch" || key == "googleSearchRetrieval" || key == "codeExecution" ||
               key == "urlContext" || key == "computerUse" || key == "fileSearch" ||
               key == "googleMaps" || key == "retrieval" || key == "enterpriseWebSearch") {
      return unsupported(p, "built-in Gemini tools are not supported; declare functions.");
    } else {
      return unknown_field(path, kv.key());
    }
  }
  return {};
}

// `tools` is a list of Tool objects; a single Tool object is accepted too (proto JSON parsers
// take one value for a repeated field, and clients send it that way).
Status tools(const json::value& v, ChatRequest& out) {
  if (v.is_object()) return tool(v, "tools", out);
  if (!v.is_array()) return wrong_type("tools", "an array", v);
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto s = tool(arr[i], at("tools", i), out); !s) return s;
  }
  return {};
}

struct CallingConfig {
  std::string mode;
  std::vector<std::string> allowed;
};

Status function_calling_config(const json::value& v, const std::string& path, CallingConfig& c) {
  const json::object* o = nullptr;
  if (auto s = get_object(v, path, o); !s) return s;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    const std::string p = dot(path, key);
    if (key == "mode") {
      if (auto s = get_string(kv.value(), p, c.mode); !s) return s;
      if (c.mode != "AUTO" && c.mode != "ANY" && c.mode != "NONE" && c.mode != "VALIDATED" &&
          c.mode != "MODE_UNSPECIFIED") {
        return invalid(p,
                       "expected one of AUTO, ANY, NONE, VALIDATED, but got \"" + c.mode + "\".");
      }
    } else if (key == "allowedFunctionNames") {
      if (!kv.value().is_array()) return wrong_type(p, "an array", kv.value());
      const json::array& names = kv.value().get_array();
      for (std::size_t i = 0; i < names.size(); ++i) {
        std::string n;
        if (auto s = get_string(names[i], at(p, i), n); !s) return s;
        c.allowed.push_back(std::move(n));
      }
    } else {
      return unknown_field(path, kv.key());
    }
  }
  return {};
}

Status tool_config(const json::value& v, CallingConfig& c) {
  const std::string path = "toolConfig";
  const json::object* o = nullptr;
  if (auto s = get_object(v, path, o); !s) return s;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    if (key == "functionCallingConfig") {
      if (auto s = function_calling_config(kv.value(), dot(path, key), c); !s) return s;
    } else if (key == "retrievalConfig") {
      continue;  // location hints for built-in retrieval tools, which are not supported
    } else {
      return unknown_field(path, kv.key());
    }
  }
  return {};
}

// toolConfig → tool_choice, once tools are known (allowed names must be declared ones).
Status apply_calling_config(const CallingConfig& c, ChatRequest& out) {
  const std::string path = "toolConfig.functionCallingConfig.allowedFunctionNames";
  if (!c.allowed.empty() && c.mode != "ANY") {
    return invalid(path, "allowedFunctionNames may only be set when mode is ANY.");
  }
  for (std::size_t i = 0; i < c.allowed.size(); ++i) {
    const auto declared = std::find_if(out.tools.begin(), out.tools.end(),
                                       [&](const ToolSpec& t) { return t.name == c.allowed[i]; });
    if (declared == out.tools.end()) {
      return invalid(at(path, i), "\"" + c.allowed[i] + "\" is not a declared function.");
    }
  }
  if (out.tools.empty()) return {};  // a calling mode means nothing without functions
  if (c.mode == "AUTO" || c.mode == "VALIDATED") {
    out.tool_choice.mode = ToolChoice::Mode::auto_;
  } else if (c.mode == "NONE") {
    out.tool_choice.mode = ToolChoice::Mode::none;
  } else if (c.mode == "ANY") {
    if (c.allowed.size() == 1) {
      out.tool_choice.mode = ToolChoice::Mode::named;
      out.tool_choice.name = c.allowed[0];
    } else {
      // "Call one of these": the canonical choice cannot name a subset, so only the subset is
      // declared and a call is required.
      out.tool_choice.mode = ToolChoice::Mode::required;
      if (!c.allowed.empty()) {
        std::erase_if(out.tools, [&](const ToolSpec& t) {
          return std::find(c.allowed.begin(), c.allowed.end(), t.name) == c.allowed.end();
        });
      }
    }
  }
  return {};
}

struct OutputFormat {
  std::string mime_type;
  const json::value* schema = nullptr;       // responseSchema (OpenAPI flavour)
  const json::value* json_schema = nullptr;  // responseJsonSchema
};

Status apply_output_format(const OutputFormat& f, ChatRequest& out) {
  const std::string path = "generationConfig";
  if (f.schema != nullptr && f.json_schema != nullptr) {
    return invalid(dot(path, "responseJsonSchema"),
                   "responseSchema and responseJsonSchema cannot both be set.");
  }
  const bool has_schema = f.schema != nullptr || f.json_schema != nullptr;
  if (f.mime_type == "application/json" || (f.mime_type.empty() && has_schema)) {
    ResponseFormat& rf = out.response_format;
    rf.type = has_schema ? ResponseFormat::Type::json_schema : ResponseFormat::Type::json_object;
    if (has_schema) {
      rf.name = "response";
      rf.schema = f.schema != nullptr ? openapi_to_json_schema(*f.schema) : *f.json_schema;
    }
    return {};
  }
  if (f.mime_type == "text/plain") {
    if (has_schema) {
      return invalid(dot(path, "responseMimeType"),
                     "a response schema needs responseMimeType \"application/json\".");
    }
    out.response_format.type = ResponseFormat::Type::text;
    return {};
  }
  if (!f.mime_type.empty()) {
    return unsupported(
        dot(path, "responseMimeType"),
        "only \"text/plain\" and \"application/json\" are supported, not \"" + f.mime_type + "\".");
  }
  return {};
}

Status stop_sequences(const json::value& v, const std::string& path, ChatRequest& out) {
  if (!v.is_array()) return wrong_type(path, "an array", v);
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string s;
    if (auto st = get_string(arr[i], at(path, i), s); !st) return st;
    out.stop.push_back(std::move(s));
  }
  return {};
}

// generationConfig settings the canonical model has no field for. They are checked for shape
// and not forwarded: ChatRequest.extra is copied verbatim into other dialects' bodies.
bool dropped_generation_setting(std::string_view key) {
  return key == "thinkingConfig" || key == "responseModalities" || key == "responseLogprobs" ||
         key == "logprobs" || key == "speechConfig" || key == "mediaResolution" ||
         key == "enableEnhancedCivicAnswers" || key == "routingConfig" ||
         key == "modelSelectionConfig" || key == "imageConfig" || key == "audioTimestamp";
}

Status generation_config(const json::value& v, ChatRequest& out, OutputFormat& format) {
  const std::string path = "generationConfig";
  const json::object* o = nullptr;
  if (auto s = get_object(v, path, o); !s) return s;
  for (const auto& kv : *o) {
    const json::value& val = kv.value();
    if (val.is_null()) continue;
    const std::string key = camel(kv.key());
    const std::string p = dot(path, key);
    Status s;
    if (key == "temperature") {
      double d = 0;
      s = get_number(val, p, 0.0, 2.0, d);
      out.temperature = d;
    } else if (key == "topP") {
      double d = 0;
      s = get_number(val, p, 0.0, 1.0, d);
      out.top_p = d;
    } else if (key == "topK") {
      std::int64_t n = 0;
      s = get_int(val, p, n);
      if (s && n < 1) s = invalid(p, "must be at least 1.");
      out.extra["top_k"] = n;
    } else if (key == "presencePenalty" || key == "frequencyPenalty") {
      double d = 0;
      s = get_number(val, p, -2.0, 2.0, d);
      out.extra[key == "presencePenalty" ? "presence_penalty" : "frequency_penalty"] = d;
    } else if (key == "maxOutputTokens") {
      std::int64_t n = 0;
      s = get_int(val, p, n);
      if (s && n < 1) s = invalid(p, "must be at least 1.");
      out.max_tokens = n;
    } else if (key == "candidateCount") {
      std::int64_t n = 0;
      s = get_int(val, p, n);
      if (s && n < 1) s = invalid(p, "must be at least 1.");
      if (s && n > 1) s = unsupported(p, "only one candidate is supported.");
    } else if (key == "stopSequences") {
      s = stop_sequences(val, p, out);
    } else if (key == "seed") {
      std::int64_t n = 0;
      s = get_int(val, p, n);
      out.seed = n;
    } else if (key == "responseMimeType") {
      s = get_string(val, p, format.mime_type);
    } else if (key == "responseSchema") {
      if (!val.is_object()) return wrong_type(p, "an object", val);
      format.schema = &val;
    } else if (key == "responseJsonSchema") {
      if (!val.is_object() && !val.is_bool()) return wrong_type(p, "an object", val);
      format.json_schema = &val;
    } else if (dropped_generation_setting(key)) {
      continue;
    } else {
      return unknown_field(path, kv.key());
    }
    if (!s) return s;
  }
  return {};
}

}  // namespace

Result<ChatRequest> decode_generate_request(std::string_view body, const IngressContext& context) {
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "Invalid JSON payload received. " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) {
    return detail::invalid(
        "body", "expected a JSON object, but got " + std::string(json_kind_name(*parsed)) + ".",
        "invalid_type");
  }
  std::string scratch;
  if (auto s = detail::check_values(*parsed, scratch); !s) return std::move(s).error();

  ChatRequest out;
  out.model = std::string(context.path_model);
  out.stream = context.path_stream;
  out.include_usage = true;
  CallingConfig calling;
  OutputFormat format;
  const json::value* contents = nullptr;
  for (const auto& kv : *root) {
    const json::value& v = kv.value();
    if (v.is_null()) continue;  // proto JSON: null is the default value
    const std::string key = camel(kv.key());
    Status s;
    if (key == "contents") {
      contents = &v;
    } else if (key == "systemInstruction") {
      s = detail::decode_system_instruction(v, out);
    } else if (key == "tools") {
      s = tools(v, out);
    } else if (key == "toolConfig") {
      s = tool_config(v, calling);
    } else if (key == "generationConfig") {
      s = generation_config(v, out, format);
    } else if (key == "model") {
      // The REST path carries the model; a body copy is only used when the path has none.
      std::string m;
      s = get_string(v, key, m);
      if (s && out.model.empty()) out.model = m.starts_with("models/") ? m.substr(7) : m;
    } else if (key == "cachedContent") {
      s = unsupported(key, "cached contents are not supported by the gateway.");
    } else if (key == "safetySettings" || key == "labels") {
      if (!v.is_array() && !v.is_object()) s = wrong_type(key, "an array", v);
    } else {
      s = unknown_field("", kv.key());
    }
    if (!s) return std::move(s).error();
  }
  if (contents == nullptr) return missing("contents");
  if (auto s = detail::decode_contents(*contents, out); !s) return std::move(s).error();
  if (auto s = apply_calling_config(calling, out); !s) return std::move(s).error();
  if (auto s = apply_output_format(format, out); !s) return std::move(s).error();
  if (out.model.empty()) return missing("model");
  return out;
}

}  // namespace gw::gemini
