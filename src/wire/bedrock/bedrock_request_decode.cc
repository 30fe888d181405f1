// decode_converse_request: a Converse body → canonical ChatRequest, for the mock provider. It
// rejects what Bedrock rejects with Bedrock's own ValidationException wording, so a client aimed
// at the mock sees the answers it would get from AWS.
#include <algorithm>
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

Error invalid(std::string message, std::string param) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "validation_error");
  e.param = std::move(param);
  return e;
}

// "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member
// must not be null" — the Smithy validation message Bedrock sends.
Error constraint(std::string_view value, std::string_view wire_path, std::string_view rule,
                 std::string param) {
  return invalid("1 validation error detected: Value " + std::string(value) + " at '" +
                     std::string(wire_path) +
                     "' failed to satisfy constraint: " + std::string(rule),
                 std::move(param));
}

Error malformed(std::string_view what, std::string param) {
  return invalid("Malformed input request: " + std::string(what) +
                     ", please reformat your input "
                     "and try again.",
                 std::move(param));
}

struct Decoder {
  ChatRequest out;
  bool has_tool_blocks = false;
  std::optional<Role> last_role;  // of the previous wire message (user or assistant)

  Status text_blocks(const json::value& v, std::vector<ContentBlock>& into, std::string_view name) {
    const json::array* arr = v.if_array();
    if (arr == nullptr)
      return malformed("expected type: JSONArray at #/" + std::string(name), std::string(name));
    for (const json::value& item : *arr) {
      const json::object* o = item.if_object();
      if (o == nullptr)
        return malformed("expected type: JSONObject at #/" + std::string(name), std::string(name));
      const json::value* text = json_field(*o, "text");
      if (text == nullptr) continue;  // cachePoint, guardContent: nothing canonical to keep
      if (!text->is_string())
        return malformed("#/" + std::string(name) + "/text: expected type: String",
                         std::string(name));
      into.push_back(ContentBlock::make_text(std::string(text->get_string())));
    }
    return {};
  }

  Result<ContentBlock> image(const json::object& img, const std::string& param) {
    const std::string_view format = json_string_field(img, "format");
    if (format != "png" && format != "jpeg" && format != "gif" && format != "webp") {
      return constraint("'" + std::string(format) + "'", "image.format",
                        "Member must satisfy enum value set: [gif, jpeg, png, webp]", param);
    }
    const json::object* source = json_object_field(img, "source");
    const std::string_view bytes = source ? json_string_field(*source, "bytes") : "";
    if (bytes.empty()) return malformed("image.source.bytes is required", param);
    ContentBlock b;
    b.type = BlockType::image;
    b.media_type = "image/" + std::string(format);
    b.data = std::string(bytes);
    return b;
  }

  Result<ContentBlock> tool_use(const json::object& use, const std::string& param) {
    ContentBlock b;
    b.type = BlockType::tool_use;
    b.id = std::string(json_string_field(use, "toolUseId"));
    b.name = std::string(json_string_field(use, "name"));
    if (b.id.empty() || b.name.empty()) return malformed("toolUse needs toolUseId and name", param);
    const json::value* input = json_field(use, "input");
    b.arguments = input ? json::serialize(*input) : "{}";
    has_tool_blocks = true;
    return b;
  }

  Result<ContentBlock> tool_result(const json::object& result, const std::string& param) {
    ContentBlock b;
    b.type = BlockType::tool_result;
    b.id = std::string(json_string_field(result, "toolUseId"));
    if (b.id.empty()) return malformed("toolResult needs toolUseId", param);
    if (const json::value* content = json_field(result, "content")) {
      const json::array* parts = content->if_array();
      if (parts == nullptr) return malformed("toolResult.content must be an array", param);
      for (const json::value& part : *parts) {
        const json::object* p = part.if_object();
        if (p == nullptr) continue;
        if (!b.text.empty()) b.text.push_back('\n');
        if (const json::value* text = json_field(*p, "text"); text && text->is_string()) {
          b.text += text->get_string();
        } else if (const json::value* j = json_field(*p, "json")) {
          b.text += json::serialize(*j);
        }
      }
    }
    b.is_error = json_string_field(result, "status") == "error";
    has_tool_blocks = true;
    return b;
  }

  // One content block; an empty optional for kinds with no canonical counterpart (documents,
  // video, cache points, guard content).
  Result<std::optional<ContentBlock>> block(const json::object& o, const std::string& param,
                                            bool assistant) {
    using Out = std::optional<ContentBlock>;
    if (const json::value* text = json_field(o, "text")) {
      if (!text->is_string()) return malformed("text must be a string", param);
      return Out(ContentBlock::make_text(std::string(text->get_string())));
    }
    if (const json::object* img = json_object_field(o, "image")) {
      Result<ContentBlock> b = image(*img, param);
      if (!b) return std::move(b).error();
      return Out(std::move(b).value());
    }
    if (const json::object* use = json_object_field(o, "toolUse")) {
      if (!assistant)
        return invalid("toolUse blocks can only appear in assistant messages.", param);
      Result<ContentBlock> b = tool_use(*use, param);
      if (!b) return std::move(b).error();
      return Out(std::move(b).value());
    }
    if (const json::object* result = json_object_field(o, "toolResult")) {
      if (assistant) return invalid("toolResult blocks can only appear in user messages.", param);
      Result<ContentBlock> b = tool_result(*result, param);
      if (!b) return std::move(b).error();
      return Out(std::move(b).value());
    }
    if (const json::object* reasoning = json_object_field(o, "reasoningContent")) {
      ContentBlock b;
      b.type = BlockType::reasoning;
      if (const json::object* rt = json_object_field(*reasoning, "reasoningText")) {
        b.text = std::string(json_string_field(*rt, "text"));
        b.signature = std::string(json_string_field(*rt, "signature"));
      }
      return Out(std::move(b));
    }
    return Out();
  }

  Status message(const json::value& v, std::size_t i) {
    const std::string param = "messages[" + std::to_string(i) + "]";
    const std::string wire = "messages." + std::to_string(i + 1) + ".member";
    const json::object* o = v.if_object();
    if (o == nullptr) return malformed("expected type: JSONObject at #/messages", param);
    const std::string_view role = json_string_field(*o, "role");
    if (role != "user" && role != "assistant") {
      return constraint(role.empty() ? "null" : "'" + std::string(role) + "'", wire + ".role",
                        "Member must satisfy enum value set: [user, assistant]", param + ".role");
    }
    const json::value* content = json_field(*o, "content");
    if (content == nullptr || !content->is_array()) {
      return constraint("null", wire + ".content", "Member must not be null", param + ".content");
    }
    Message m;
    m.role = role == "assistant" ? Role::assistant : Role::user;
    const json::array& blocks = content->get_array();
    for (std::size_t j = 0; j < blocks.size(); ++j) {
      const std::string bparam = param + ".content[" + std::to_string(j) + "]";
      const json::object* b = blocks[j].if_object();
      if (b == nullptr) return malformed("expected type: JSONObject at #/messages/content", bparam);
      Result<std::optional<ContentBlock>> decoded = block(*b, bparam, m.role == Role::assistant);
      if (!decoded) return std::move(decoded).error();
      if (decoded.value()) m.content.push_back(std::move(*decoded.value()));
    }
    if (last_role == m.role) {
      return invalid(
          "A conversation must alternate between user and assistant roles. Make sure the "
          "conversation alternates between user and assistant roles and try again.",
          param + ".role");
    }
    last_role = m.role;
    append(std::move(m));
    return {};
  }

  // A user turn of tool results only is the canonical Role::tool shape: one message per result.
  void append(Message m) {
    const bool only_results =
        m.role == Role::user && !m.content.empty() &&
        std::all_of(m.content.begin(), m.content.end(),
                    [](const ContentBlock& b) { return b.type == BlockType::tool_result; });
    if (!only_results) {
      out.messages.push_back(std::move(m));
      return;
    }
    for (ContentBlock& b : m.content) {
      Message t;
      t.role = Role::tool;
      t.content.push_back(std::move(b));
      out.messages.push_back(std::move(t));
    }
  }

  Status inference(const json::object& cfg) {
    if (const json::value* v = json_field(cfg, "maxTokens")) {
      const std::optional<std::int64_t> n = json_to_int64(*v);
      if (!n || *n < 1) {
        return constraint(json::serialize(*v), "inferenceConfig.maxTokens",
                          "Member must have value greater than or equal to 1",
                          "inferenceConfig.maxTokens");
      }
      out.max_tokens = *n;
    }
    for (const auto& [key, slot] :
         {std::pair{"temperature", &out.temperature}, std::pair{"topP", &out.top_p}}) {
      const json::value* v = json_field(cfg, key);
      if (v == nullptr) continue;
      if (!v->is_number() || v->to_number<double>() < 0 || v->to_number<double>() > 1) {
        return constraint(json::serialize(*v), std::string("inferenceConfig.") + key,
                          "Member must have value less than or equal to 1",
                          std::string("inferenceConfig.") + key);
      }
      *slot = v->to_number<double>();
    }
    if (const json::value* v = json_field(cfg, "stopSequences")) {
      const json::array* arr = v->if_array();
      if (arr == nullptr)
        return malformed("stopSequences must be an array", "inferenceConfig.stopSequences");
      for (const json::value& s : *arr) {
        if (!s.is_string())
          return malformed("stopSequences must hold strings", "inferenceConfig.stopSequences");
        out.stop.emplace_back(s.get_string());
      }
    }
    return {};
  }

  Status tools(const json::object& cfg) {
    if (const json::value* v = json_field(cfg, "tools")) {
      const json::array* arr = v->if_array();
      if (arr == nullptr || arr->empty()) {
        return constraint("[]", "toolConfig.tools",
                          "Member must have length greater than or equal to 1", "toolConfig.tools");
      }
      for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string param = "toolConfig.tools[" + std::to_string(i) + "]";
        const json::object* t = (*arr)[i].if_object();
        const json::object* spec = t ? json_object_field(*t, "toolSpec") : nullptr;
        if (spec == nullptr) continue;  // cachePoint / systemTool entries
        ToolSpec tool;
        tool.name = std::string(json_string_field(*spec, "name"));
        if (tool.name.empty()) {
          return constraint("null",
                            "toolConfig.tools." + std::to_string(i + 1) + ".member.toolSpec.name",
                            "Member must not be null", param + ".toolSpec.name");
        }
        tool.description = std::string(json_string_field(*spec, "description"));
        const json::object* schema = json_object_field(*spec, "inputSchema");
        const json::value* js = schema ? json_field(*schema, "json") : nullptr;
        if (js == nullptr) {
          return constraint(
              "null", "toolConfig.tools." + std::to_string(i + 1) + ".member.toolSpec.inputSchema",
              "Member must not be null", param + ".toolSpec.inputSchema");
        }
        tool.parameters = *js;
        out.tools.push_back(std::move(tool));
      }
    }
    if (const json::object* choice = json_object_field(cfg, "toolChoice")) {
      if (choice->contains("auto")) {
        out.tool_choice.mode = ToolChoice::Mode::auto_;
      } else if (choice->contains("any")) {
        out.tool_choice.mode = ToolChoice::Mode::required;
      } else if (const json::object* named = json_object_field(*choice, "tool")) {
        out.tool_choice.mode = ToolChoice::Mode::named;
        out.tool_choice.name = std::string(json_string_field(*named, "name"));
      }
    }
    return {};
  }
};

}  // namespace

Result<ChatRequest> decode_converse_request(std::string_view body, std::string_view model,
                                            bool stream) {
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed) return std::move(parsed).error();
  const json::object* root = parsed->if_object();
  if (root == nullptr) return malformed("expected type: JSONObject", "");

  Decoder d;
  d.out.model = std::string(model);
  d.out.stream = stream;
  const json::value* msgs = json_field(*root, "messages");
  if (msgs == nullptr || !msgs->is_array()) {
    return constraint("null", "messages", "Member must not be null", "messages");
  }
  const json::array& list = msgs->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (Status s = d.message(list[i], i); !s) return std::move(s).error();
  }
  if (!d.out.messages.empty() && d.out.messages.front().role == Role::assistant) {
    return invalid(
        "A conversation must start with a user message. Try again with a conversation that "
        "starts with a user message.",
        "messages[0].role");
  }
  if (const json::value* system = json_field(*root, "system")) {
    if (Status s = d.text_blocks(*system, d.out.system, "system"); !s) return std::move(s).error();
  }
  if (const json::object* cfg = json_object_field(*root, "inferenceConfig")) {
    if (Status s = d.inference(*cfg); !s) return std::move(s).error();
  }
  if (const json::object* cfg = json_object_field(*root, "toolConfig")) {
    if (Status s = d.tools(*cfg); !s) return std::move(s).error();
  }
  if (d.has_tool_blocks && d.out.tools.empty()) {
    return invalid(
        "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
        "toolConfig");
  }
  return std::move(d.out);
}

}  // namespace gw::bedrock
