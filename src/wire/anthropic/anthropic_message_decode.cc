// decode_message: one Anthropic Messages message → canonical messages. A user turn that carries
// tool results is split into Role::tool messages (one per tool_result) plus the rest.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>

#include "wire/anthropic/anthropic_request_checks.h"
#include "wire/json_write.h"

namespace gw::anthropic::detail {
namespace {

namespace json = boost::json;

// Block types of the Messages API the canonical model cannot carry: named in a clear 400 rather
// than "unknown type", so the client knows it used a real feature the gateway lacks.
bool known_unsupported_block(std::string_view type) {
  return type == "document" || type == "search_result" || type == "container_upload" ||
         type == "server_tool_use" || type == "web_search_tool_result" ||
         type == "web_fetch_tool_result" || type == "code_execution_tool_result" ||
         type == "mcp_tool_use" || type == "mcp_tool_result";
}

Status reject_type(const std::string& path, const std::string& type, std::string_view supported) {
  if (known_unsupported_block(type)) {
    return unsupported(dot(path, "type"), "content block type '" + type + "'");
  }
  return bad_value(dot(path, "type"), type, supported);
}

Status required_string(const json::object& o, std::string_view key, const std::string& path,
                       std::string& out) {
  const json::value* v = field(o, key);
  if (v == nullptr) return missing(dot(path, key));
  return get_string(*v, dot(path, key), out);
}

Status text_block(const json::object& b, const std::string& path, ContentBlock& out) {
  out.type = BlockType::text;
  return required_string(b, "text", path, out.text);
}

Status image_block(const json::object& b, const std::string& path, ContentBlock& out) {
  out.type = BlockType::image;
  const std::string sp = dot(path, "source");
  Result<const json::object*> source = required_object(b, "source", path);
  if (!source) return std::move(source).error();
  const json::object& src = *source.value();
  std::string type;
  if (auto s = block_type(src, sp, type); !s) return s;
  if (type == "base64") {
    if (auto s = required_string(src, "media_type", sp, out.media_type); !s) return s;
    if (out.media_type != "image/jpeg" && out.media_type != "image/png" &&
        out.media_type != "image/gif" && out.media_type != "image/webp") {
      return bad_value(dot(sp, "media_type"), out.media_type,
                       "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'");
    }
    return required_string(src, "data", sp, out.data);
  }
  if (type == "url") return required_string(src, "url", sp, out.url);
  if (type == "file") return unsupported(dot(sp, "type"), "image source type 'file'");
  return bad_value(dot(sp, "type"), type, "'base64' or 'url'");
}

Status tool_use_block(const json::object& b, const std::string& path, ContentBlock& out) {
  out.type = BlockType::tool_use;
  if (auto s = required_string(b, "id", path, out.id); !s) return s;
  if (auto s = required_string(b, "name", path, out.name); !s) return s;
  Result<const json::object*> input = required_object(b, "input", path);
  if (!input) return std::move(input).error();
  out.arguments = json_compact(*input.value());
  return {};
}

Status thinking_block(const json::object& b, const std::string& path, ContentBlock& out) {
  out.type = BlockType::reasoning;
  if (auto s = required_string(b, "thinking", path, out.text); !s) return s;
  return required_string(b, "signature", path, out.signature);
}

Status redacted_thinking_block(const json::object& b, const std::string& path, ContentBlock& out) {
  out.type = BlockType::reasoning;
  return required_string(b, "data", path, out.data);
}

// tool_result → a Role::tool message: the result block (text parts joined by '\n') followed by
// the image parts of its content, which belong to the result.
Status tool_result_block(const json::object& b, const std::string& path, Message& out) {
  out.role = Role::tool;
  ContentBlock result;
  result.type = BlockType::tool_result;
  if (auto s = required_string(b, "tool_use_id", path, result.id); !s) return s;
  if (const json::value* e = field(b, "is_error")) {
    if (auto s = get_bool(*e, dot(path, "is_error"), result.is_error); !s) return s;
  }
  std::vector<ContentBlock> images;
  const std::string cp = dot(path, "content");
  if (const json::value* content = field(b, "content")) {
    if (content->is_string()) {
      result.text = to_std(content->get_string());
    } else if (content->is_array()) {
      const json::array& parts = content->get_array();
      bool first_text = true;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string p = at(cp, i);
        if (!parts[i].is_object()) return wrong_type(p, "a valid dictionary", parts[i]);
        const json::object& part = parts[i].get_object();
        std::string type;
        if (auto s = block_type(part, p, type); !s) return s;
        ContentBlock block;
        if (type == "text") {
          if (auto s = text_block(part, p, block); !s) return s;
          if (!first_text) result.text += '\n';
          result.text += block.text;
          first_text = false;
        } else if (type == "image") {
          if (auto s = image_block(part, p, block); !s) return s;
          images.push_back(std::move(block));
        } else {
          return reject_type(p, type, "'text' or 'image'");
        }
      }
    } else {
      return wrong_type(cp, "a valid string or a list of content blocks", *content);
    }
  }
  out.content.push_back(std::move(result));
  for (auto& image : images) out.content.push_back(std::move(image));
  return {};
}

// User blocks: text, image and tool_result. Tool results become their own messages.
Status user_blocks(const json::array& blocks, const std::string& path, std::vector<Message>& tools,
                   Message& rest) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = at(path, i);
    if (!blocks[i].is_object()) return wrong_type(p, "a valid dictionary", blocks[i]);
    const json::object& b = blocks[i].get_object();
    std::string type;
    if (auto s = block_type(b, p, type); !s) return s;
    ContentBlock block;
    if (type == "text") {
      if (auto s = text_block(b, p, block); !s) return s;
    } else if (type == "image") {
      if (auto s = image_block(b, p, block); !s) return s;
    } else if (type == "tool_result") {
      Message tool;
      if (auto s = tool_result_block(b, p, tool); !s) return s;
      tools.push_back(std::move(tool));
      continue;
    } else {
      return reject_type(p, type, "'text', 'image' or 'tool_result'");
    }
    rest.content.push_back(std::move(block));
  }
  return {};
}

Status assistant_blocks(const json::array& blocks, const std::string& path, Message& out) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = at(path, i);
    if (!blocks[i].is_object()) return wrong_type(p, "a valid dictionary", blocks[i]);
    const json::object& b = blocks[i].get_object();
    std::string type;
    if (auto s = block_type(b, p, type); !s) return s;
    ContentBlock block;
    Status s;
    if (type == "text") {
      s = text_block(b, p, block);
    } else if (type == "tool_use") {
      s = tool_use_block(b, p, block);
    } else if (type == "thinking") {
      s = thinking_block(b, p, block);
    } else if (type == "redacted_thinking") {
      s = redacted_thinking_block(b, p, block);
    } else {
      return reject_type(p, type, "'text', 'tool_use', 'thinking' or 'redacted_thinking'");
    }
    if (!s) return s;
    out.content.push_back(std::move(block));
  }
  return {};
}

bool has_content(const std::vector<Message>& tools, const Message& rest) {
  if (!tools.empty()) return true;
  for (const ContentBlock& b : rest.content) {
    if (b.type != BlockType::text || !b.text.empty()) return true;
  }
  return false;
}

}  // namespace

Status decode_message(const json::value& v, const std::string& path, bool last, ChatRequest& out) {
  if (!v.is_object()) return wrong_type(path, "a valid dictionary", v);
  const json::object& m = v.get_object();
  std::string role;
  if (auto s = required_string(m, "role", path, role); !s) return s;
  if (role != "user" && role != "assistant") {
    return bad_value(dot(path, "role"), role, "'user' or 'assistant'");
  }
  const std::string cp = dot(path, "content");
  const json::value* content = field(m, "content");
  if (content == nullptr) return missing(cp);

  std::vector<Message> tools;
  Message rest;
  rest.role = role == "user" ? Role::user : Role::assistant;
  if (content->is_string()) {
    if (!content->get_string().empty()) {
      rest.content.push_back(ContentBlock::make_text(to_std(content->get_string())));
    }
  } else if (content->is_array()) {
    const json::array& blocks = content->get_array();
    const Status s = rest.role == Role::user ? user_blocks(blocks, cp, tools, rest)
                                             : assistant_blocks(blocks, cp, rest);
    if (!s) return s;
  } else {
    return wrong_type(cp, "a valid string or a list of content blocks", *content);
  }

  // The API's own rule: only a final assistant turn (a prefill) may be empty.
  if (!has_content(tools, rest) && !(last && rest.role == Role::assistant)) {
    return invalid(path,
                   "all messages must have non-empty content except for the optional final "
                   "assistant message",
                   "invalid_value");
  }
  for (auto& t : tools) out.messages.push_back(std::move(t));
  if (!rest.content.empty() || (tools.empty() && rest.role == Role::assistant)) {
    out.messages.push_back(std::move(rest));
  }
  return {};
}

}  // namespace gw::anthropic::detail
