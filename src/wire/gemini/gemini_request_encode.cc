// encode_generate_request: canonical ChatRequest → Gemini GenerateContentRequest body. Runs once
// per upstream attempt, so it builds a Boost.JSON DOM for clarity.
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/gemini/gemini_request.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::gemini {
namespace {

namespace json = boost::json;

// 1.0 is written as 1 rather than Boost.JSON's 1E0 (valid JSON either way, but what people read).
json::value number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    return json::value(static_cast<std::int64_t>(d));
  }
  return json::value(d);
}

Error bad_history(const std::string& path, std::string message) {
  Error e = Error::make(ErrorKind::caller_invalid_request, path + ": " + std::move(message),
                        "invalid_value");
  e.param = path;
  return e;
}

// Media types Gemini needs for a fileData URI when the canonical block has none.
std::string media_type_for_url(std::string_view url) {
  const std::size_t end = url.find_first_of("?#");
  std::string_view path = url.substr(0, end);
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "gif") return "image/gif";
  if (ext == "heic") return "image/heic";
  if (ext == "heif") return "image/heif";
  if (ext == "pdf") return "application/pdf";
  return {};
}

json::object image_part(const ContentBlock& b) {
  std::string media_type = b.media_type;
  std::string data = b.data;
  if (data.empty() && b.url.starts_with("data:")) {
    const std::size_t marker = b.url.find(";base64,");
    if (marker != std::string::npos) {
      media_type = b.url.substr(5, marker - 5);
      data = b.url.substr(marker + 8);
    }
  }
  if (!data.empty()) {
    return {{"inlineData", json::object{{"mimeType", media_type}, {"data", data}}}};
  }
  json::object file{{"fileUri", b.url}};
  if (media_type.empty()) media_type = media_type_for_url(b.url);
  if (!media_type.empty()) file.emplace("mimeType", media_type);
  return {{"fileData", std::move(file)}};
}

void add_signature(json::object& part, const ContentBlock& b) {
  if (!b.signature.empty()) part["thoughtSignature"] = b.signature;
}

// The tool output as a Struct: a JSON object stays itself, anything else is wrapped.
json::object function_output(const ContentBlock& b) {
  Result<json::value> parsed = parse_json(b.text, ErrorKind::caller_invalid_request);
  if (b.is_error) {
    return {{"error", parsed && parsed->is_object() ? *parsed : json::value(b.text)}};
  }
  if (parsed && parsed->is_object()) return std::move(parsed->get_object());
  return {{"content", b.text}};
}

class ContentsWriter {
 public:
  Status add(const Message& m, std::size_t index) {
    const std::string role = m.role == Role::assistant ? "model" : "user";
    for (std::size_t i = 0; i < m.content.size(); ++i) {
      const ContentBlock& b = m.content[i];
      const std::string path =
          "messages[" + std::to_string(index) + "].content[" + std::to_string(i) + "]";
      json::object part;
      switch (b.type) {
        case BlockType::text:
          if (b.text.empty() && b.signature.empty()) continue;  // Gemini rejects empty text
          part["text"] = b.text;
          add_signature(part, b);
          break;
        case BlockType::reasoning:
          if (b.text.empty() && b.signature.empty()) continue;
          part["text"] = b.text;
          part["thought"] = true;
          add_signature(part, b);
          break;
        case BlockType::image:
          part = image_part(b);
          break;
        case BlockType::tool_use: {
          json::value args = json::object();
          if (!b.arguments.empty()) {
            Result<json::value> parsed = parse_json(b.arguments, ErrorKind::caller_invalid_request);
            if (!parsed || !parsed->is_object()) {
              return bad_history(path + ".arguments",
                                 "function call arguments must be a JSON "
                                 "object for Gemini");
            }
            args = std::move(parsed.value());
          }
          call_names_[b.id] = b.name;
          part["functionCall"] = json::object{{"name", b.name}, {"args", std::move(args)}};
          add_signature(part, b);
          break;
        }
        case BlockType::tool_result: {
          auto name = call_names_.find(b.id);
          if (name == call_names_.end()) {
            return bad_history(path, "tool result \"" + b.id + "\" answers no earlier tool call");
          }
          part["functionResponse"] =
              json::object{{"name", name->second}, {"response", function_output(b)}};
          break;
        }
      }
      append(role, std::move(part));
    }
    return {};
  }

  json::array take() { return std::move(contents_); }

 private:
  // Adjacent parts of the same role share one turn: Gemini expects the responses to one model
  // turn's calls together in the next user turn, and alternating roles.
  void append(const std::string& role, json::object part) {
    if (contents_.empty() || last_role_ != role) {
      contents_.push_back(json::object{{"role", role}, {"parts", json::array()}});
      last_role_ = role;
    }
    contents_.back().get_object()["parts"].get_array().push_back(std::move(part));
  }

  json::array contents_;
  std::string last_role_;
  std::map<std::string, std::string> call_names_;  // call id → function name (latest wins)
};

json::object tool_config(const ToolChoice& c) {
  json::object config;
  switch (c.mode) {
    case ToolChoice::Mode::auto_:
      config["mode"] = "AUTO";
      break;
    case ToolChoice::Mode::none:
      config["mode"] = "NONE";
      break;
    case ToolChoice::Mode::required:
      config["mode"] = "ANY";
      break;
    case ToolChoice::Mode::named:
      config["mode"] = "ANY";
      config["allowedFunctionNames"] = json::array{json::value(c.name)};
      break;
    case ToolChoice::Mode::unset:
      break;
  }
  return {{"functionCallingConfig", std::move(config)}};
}

json::object generation_config(const ChatRequest& r) {
  json::object g;
  if (!r.stop.empty()) {
    json::array stop;
    for (const std::string& s : r.stop) stop.push_back(json::string(s));
    g["stopSequences"] = std::move(stop);
  }
  if (r.max_tokens) g["maxOutputTokens"] = *r.max_tokens;
  if (r.temperature) g["temperature"] = number(*r.temperature);
  if (r.top_p) g["topP"] = number(*r.top_p);
  // Sampling settings other dialects carry as extras under these common names.
  if (const json::value* k = r.extra.if_contains("top_k"); k != nullptr) {
    if (std::optional<std::int64_t> n = json_to_int64(*k)) g["topK"] = *n;
  }
  if (r.seed) g["seed"] = *r.seed;
  for (auto [from, to] : {std::pair{"presence_penalty", "presencePenalty"},
                          std::pair{"frequency_penalty", "frequencyPenalty"}}) {
    if (const json::value* v = r.extra.if_contains(from); v != nullptr && v->is_number()) {
      g[to] = *v;
    }
  }
  switch (r.response_format.type) {
    case ResponseFormat::Type::text:
      g["responseMimeType"] = "text/plain";
      break;
    case ResponseFormat::Type::json_object:
      g["responseMimeType"] = "application/json";
      break;
    case ResponseFormat::Type::json_schema:
      g["responseMimeType"] = "application/json";
      if (!r.response_format.schema.is_null()) g["responseSchema"] = r.response_format.schema;
      break;
    case ResponseFormat::Type::unset:
      break;
  }
  return g;
}

}  // namespace

Result<std::string> encode_generate_request(const ChatRequest& request) {
  json::object body;
  ContentsWriter contents;
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    if (auto s = contents.add(request.messages[i], i); !s) return std::move(s).error();
  }
  body["contents"] = contents.take();

  if (!request.system.empty()) {
    json::array parts;
    for (const ContentBlock& b : request.system) parts.push_back(json::object{{"text", b.text}});
    body["systemInstruction"] = json::object{{"parts", std::move(parts)}};
  }
  if (!request.tools.empty()) {
    json::array declarations;
    for (const ToolSpec& t : request.tools) {
      json::object fn{{"name", t.name}};
      if (!t.description.empty()) fn["description"] = t.description;
      if (!t.parameters.is_null()) fn["parameters"] = t.parameters;
      declarations.push_back(std::move(fn));
    }
    body["tools"] = json::array{json::object{{"functionDeclarations", std::move(declarations)}}};
    if (request.tool_choice.mode != ToolChoice::Mode::unset) {
      body["toolConfig"] = tool_config(request.tool_choice);
    }
  }
  json::object generation = generation_config(request);
  if (!generation.empty()) body["generationConfig"] = std::move(generation);
  return json_compact(body);
}

}  // namespace gw::gemini
