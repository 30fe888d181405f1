// encode_converse_request: canonical ChatRequest → Converse body. Runs once per upstream attempt,
// so it builds a Boost.JSON DOM for clarity.
#include <cmath>
#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "wire/bedrock/bedrock_request.h"
#include "wire/json_read.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;

// 1.0 is written as 1 (Boost.JSON would print 1E0; both parse, the integer reads better).
json::value number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    return json::value(static_cast<std::int64_t>(d));
  }
  return json::value(d);
}

std::string block_path(std::size_t message, std::size_t block) {
  return "messages[" + std::to_string(message) + "].content[" + std::to_string(block) + "]";
}

Error unsupported(std::string message, std::string param) {
  Error e =
      Error::make(ErrorKind::provider_invalid_request, std::move(message), "unsupported_content");
  e.param = std::move(param);
  return e;
}

// Converse's ImageFormat for a media type, or nullopt.
std::optional<std::string_view> image_format(std::string_view media_type) {
  if (media_type == "image/png") return "png";
  if (media_type == "image/jpeg" || media_type == "image/jpg") return "jpeg";
  if (media_type == "image/gif") return "gif";
  if (media_type == "image/webp") return "webp";
  return std::nullopt;
}

// A data: URL's media type and base64 payload, when `url` is one.
bool split_data_url(std::string_view url, std::string& media_type, std::string& data) {
  if (!url.starts_with("data:")) return false;
  const std::size_t marker = url.find(";base64,");
  if (marker == std::string_view::npos) return false;
  media_type = std::string(url.substr(5, marker - 5));
  data = std::string(url.substr(marker + 8));
  return true;
}

Result<json::value> image_block(const ContentBlock& b, const std::string& where) {
  std::string media_type = b.media_type;
  std::string data = b.data;
  if (data.empty() && !b.url.empty() && !split_data_url(b.url, media_type, data)) {
    return unsupported(
        "Bedrock Converse accepts images only as inline base64 data, not by URL (" + where + ")",
        where);
  }
  const std::optional<std::string_view> format = image_format(media_type);
  if (!format) {
    return unsupported("Bedrock Converse accepts png, jpeg, gif and webp images; " + where +
                           " is \"" + media_type + "\"",
                       where);
  }
  return json::value(json::object{
      {"image", json::object{{"format", *format}, {"source", json::object{{"bytes", data}}}}}});
}

Result<json::value> tool_use_block(const ContentBlock& b, const std::string& where) {
  json::value input = json::object();
  if (!b.arguments.empty()) {
    Result<json::value> parsed = parse_json(b.arguments, ErrorKind::caller_invalid_request);
    if (!parsed || !parsed->is_object()) {
      Error e = Error::make(ErrorKind::caller_invalid_request,
                            "tool call arguments at " + where + " are not a JSON object",
                            "invalid_value");
      e.param = where;
      return e;
    }
    input = std::move(parsed).value();
  }
  return json::value(json::object{
      {"toolUse",
       json::object{{"toolUseId", b.id}, {"name", b.name}, {"input", std::move(input)}}}});
}

json::value tool_result_block(const ContentBlock& b) {
  json::object result{{"toolUseId", b.id},
                      {"content", json::array{json::object{{"text", b.text}}}}};
  // Only sent for failures: the field is optional and not every Bedrock model accepts it.
  if (b.is_error) result["status"] = "error";
  return json::object{{"toolResult", std::move(result)}};
}

json::value reasoning_block(const ContentBlock& b) {
  json::object text{{"text", b.text}};
  if (!b.signature.empty()) text["signature"] = b.signature;
  return json::object{{"reasoningContent", json::object{{"reasoningText", std::move(text)}}}};
}

Result<json::value> content_block(const ContentBlock& b, const std::string& where) {
  switch (b.type) {
    case BlockType::text:
      return json::value(json::object{{"text", b.text}});
    case BlockType::image:
      return image_block(b, where);
    case BlockType::tool_use:
      return tool_use_block(b, where);
    case BlockType::tool_result:
      return tool_result_block(b);
    case BlockType::reasoning:
      return reasoning_block(b);
  }
  return json::value(nullptr);
}

std::string_view wire_role(Role role) {
  return role == Role::assistant ? "assistant" : "user";  // tool results travel in user turns
}

Result<json::array> messages(const ChatRequest& request) {
  json::array out;
  std::string_view last_role;
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    const Message& m = request.messages[i];
    json::array content;
    for (std::size_t j = 0; j < m.content.size(); ++j) {
      Result<json::value> block = content_block(m.content[j], block_path(i, j));
      if (!block) return std::move(block).error();
      content.push_back(std::move(block).value());
    }
    const std::string_view role = wire_role(m.role);
    if (!out.empty() && role == last_role) {
      json::array& previous = out.back().as_object()["content"].as_array();
      for (json::value& v : content) previous.push_back(std::move(v));
      continue;
    }
    out.push_back(json::object{{"role", role}, {"content", std::move(content)}});
    last_role = role;
  }
  return out;
}

json::object tool_config(const ChatRequest& request) {
  json::array tools;
  for (const ToolSpec& t : request.tools) {
    json::object spec{{"name", t.name}};
    if (!t.description.empty()) spec["description"] = t.description;
    // Converse requires a schema; a tool without parameters takes an empty object.
    json::value schema =
        t.parameters.is_null()
            ? json::value(json::object{{"type", "object"}, {"properties", json::object()}})
            : t.parameters;
    spec["inputSchema"] = json::object{{"json", std::move(schema)}};
    tools.push_back(json::object{{"toolSpec", std::move(spec)}});
  }
  json::object config{{"tools", std::move(tools)}};
  switch (request.tool_choice.mode) {
    case ToolChoice::Mode::auto_:
      config["toolChoice"] = json::object{{"auto", json::object()}};
      break;
    case ToolChoice::Mode::required:
      config["toolChoice"] = json::object{{"any", json::object()}};
      break;
    case ToolChoice::Mode::named:
      config["toolChoice"] =
          json::object{{"tool", json::object{{"name", request.tool_choice.name}}}};
      break;
    case ToolChoice::Mode::none:  // Converse has no "none": the tools stay, the choice goes
    case ToolChoice::Mode::unset:
      break;
  }
  return config;
}

}  // namespace

Result<std::string> encode_converse_request(const ChatRequest& request) {
  json::object body;
  Result<json::array> msgs = messages(request);
  if (!msgs) return std::move(msgs).error();
  body["messages"] = std::move(msgs).value();

  // Sent even when empty, like the recorded requests (error-400-validation.request.json).
  json::array system;
  for (const ContentBlock& b : request.system) system.push_back(json::object{{"text", b.text}});
  body["system"] = std::move(system);

  json::object inference;
  if (request.max_tokens) inference["maxTokens"] = *request.max_tokens;
  if (request.temperature) inference["temperature"] = number(*request.temperature);
  if (request.top_p) inference["topP"] = number(*request.top_p);
  if (!request.stop.empty()) {
    json::array stop;
    for (const std::string& s : request.stop) stop.push_back(json::string(s));
    inference["stopSequences"] = std::move(stop);
  }
  body["inferenceConfig"] = std::move(inference);

  if (!request.tools.empty()) body["toolConfig"] = tool_config(request);
  return json::serialize(body);
}

}  // namespace gw::bedrock
