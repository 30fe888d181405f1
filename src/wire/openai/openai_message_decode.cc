// decode_message: one OpenAI chat message → canonical system blocks or a canonical Message.
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_request_checks.h"

namespace gw::openai::detail {
namespace {

namespace json = boost::json;

// System, developer and tool content: a string or an array of text parts.
Status text_parts(const json::value& content, const std::string& path,
                  std::vector<std::string>& out) {
  if (content.is_string()) {
    out.push_back(to_std(content.get_string()));
    return {};
  }
  if (!content.is_array()) return wrong_type(path, "one of a string or array of objects", content);
  const json::array& parts = content.get_array();
  if (parts.empty()) return empty_array(path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string p = at(path, i);
    if (!parts[i].is_object()) return wrong_type(p, "an object", parts[i]);
    const json::object& part = parts[i].get_object();
    std::string type;
    if (auto s = part_type(part, p, type); !s) return s;
    if (type != "text") return bad_value(dot(p, "type"), type, "'text'");
    const json::value* text = json_field(part, "text");
    if (text == nullptr) return missing(dot(p, "text"));
    std::string t;
    if (auto s = get_string(*text, dot(p, "text"), t); !s) return s;
    out.push_back(std::move(t));
  }
  return {};
}

// "data:<media type>;base64,<data>" → media_type + data; false for anything else.
bool split_data_url(std::string_view url, ContentBlock& block) {
  if (!url.starts_with("data:")) return false;
  const std::size_t marker = url.find(";base64,");
  if (marker == std::string_view::npos) return false;
  block.media_type = std::string(url.substr(5, marker - 5));
  block.data = std::string(url.substr(marker + 8));
  return true;
}

Status image_part(json::object& part, const std::string& path, ContentBlock& block) {
  block.type = BlockType::image;
  const std::string p = dot(path, "image_url");
  json::value* image = field(part, "image_url");
  if (image == nullptr) return missing(p);
  if (!image->is_object()) return wrong_type(p, "an object", *image);
  json::object& obj = image->get_object();
  json::value* url = field(obj, "url");
  if (url == nullptr) return missing(dot(p, "url"));
  std::string u;
  if (auto s = get_string(*url, dot(p, "url"), u); !s) return s;
  if (!split_data_url(u, block)) block.url = std::move(u);
  if (json::value* detail = field(obj, "detail")) {
    if (auto s = get_string(*detail, dot(p, "detail"), block.detail); !s) return s;
    if (block.detail != "auto" && block.detail != "low" && block.detail != "high") {
      return bad_value(dot(p, "detail"), block.detail, "'auto', 'low', and 'high'");
    }
  }
  return {};
}

// User content: a string or an array of text / image_url parts.
Status user_content(json::value& content, const std::string& path, Message& msg) {
  if (content.is_string()) {
    msg.content.push_back(ContentBlock::make_text(to_std(content.get_string())));
    return {};
  }
  if (!content.is_array()) return wrong_type(path, "one of a string or array of objects", content);
  json::array& parts = content.get_array();
  if (parts.empty()) return empty_array(path);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string p = at(path, i);
    if (!parts[i].is_object()) return wrong_type(p, "an object", parts[i]);
    json::object& part = parts[i].get_object();
    std::string type;
    if (auto s = part_type(part, p, type); !s) return s;
    ContentBlock block;
    if (type == "text") {
      json::value* text = field(part, "text");
      if (text == nullptr) return missing(dot(p, "text"));
      if (auto s = get_string(*text, dot(p, "text"), block.text); !s) return s;
    } else if (type == "image_url") {
      if (auto s = image_part(part, p, block); !s) return s;
    } else {
      return bad_value(dot(p, "type"), type, "'text' and 'image_url'");
    }
    msg.content.push_back(std::move(block));
  }
  return {};
}

Status tool_calls(json::value& calls, const std::string& path, Message& msg) {
  if (!calls.is_array()) return wrong_type(path, "an array", calls);
  json::array& arr = calls.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = at(path, i);
    if (!arr[i].is_object()) return wrong_type(p, "an object", arr[i]);
    json::object& call = arr[i].get_object();
    ContentBlock block;
    block.type = BlockType::tool_use;
    json::value* id = field(call, "id");
    if (id == nullptr) return missing(dot(p, "id"));
    if (auto s = get_string(*id, dot(p, "id"), block.id); !s) return s;
    if (json::value* type = field(call, "type")) {
      std::string t;
      if (auto s = get_string(*type, dot(p, "type"), t); !s) return s;
      if (t != "function") return bad_value(dot(p, "type"), t, "'function'");
    }
    const std::string fp = dot(p, "function");
    json::value* fn = field(call, "function");
    if (fn == nullptr) return missing(fp);
    if (!fn->is_object()) return wrong_type(fp, "an object", *fn);
    json::value* name = field(fn->get_object(), "name");
    if (name == nullptr) return missing(dot(fp, "name"));
    if (auto s = get_string(*name, dot(fp, "name"), block.name); !s) return s;
    json::value* args = field(fn->get_object(), "arguments");
    if (args == nullptr) return missing(dot(fp, "arguments"));
    if (auto s = get_string(*args, dot(fp, "arguments"), block.arguments); !s) return s;
    msg.content.push_back(std::move(block));
  }
  return {};
}

Status assistant_message(json::object& m, const std::string& path, Message& msg) {
  msg.role = Role::assistant;
  bool has_content = false;
  if (json::value* content = field(m, "content")) {
    has_content = true;
    const std::string p = dot(path, "content");
    if (content->is_string()) {
      if (!content->get_string().empty()) {
        msg.content.push_back(ContentBlock::make_text(to_std(content->get_string())));
      }
    } else if (content->is_array()) {
      json::array& parts = content->get_array();
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string pp = at(p, i);
        if (!parts[i].is_object()) return wrong_type(pp, "an object", parts[i]);
        json::object& part = parts[i].get_object();
        std::string type;
        if (auto s = part_type(part, pp, type); !s) return s;
        if (type != "text" && type != "refusal") {
          return bad_value(dot(pp, "type"), type, "'text' and 'refusal'");
        }
        json::value* text = field(part, type);
        if (text == nullptr) return missing(dot(pp, type));
        ContentBlock block;
        if (auto s = get_string(*text, dot(pp, type), block.text); !s) return s;
        msg.content.push_back(std::move(block));
      }
    } else {
      return wrong_type(p, "one of a string or array of objects", *content);
    }
  }
  if (json::value* refusal = field(m, "refusal")) {
    has_content = true;
    ContentBlock block;
    if (auto s = get_string(*refusal, dot(path, "refusal"), block.text); !s) return s;
    if (!block.text.empty()) msg.content.push_back(std::move(block));
  }
  if (field(m, "function_call") != nullptr) {
    return invalid(
        "The 'function_call' message field is deprecated and not supported; use "
        "'tool_calls'.",
        dot(path, "function_call"), "unsupported_parameter");
  }
  if (json::value* calls = field(m, "tool_calls")) {
    if (calls->is_array() && !calls->get_array().empty()) has_content = true;
    if (auto s = tool_calls(*calls, dot(path, "tool_calls"), msg); !s) return s;
  }
  if (!has_content) return missing(dot(path, "content"));
  return {};
}

}  // namespace

Status decode_message(json::value& v, const std::string& path, ChatRequest& out) {
  if (!v.is_object()) return wrong_type(path, "an object", v);
  json::object& m = v.get_object();
  json::value* role_v = field(m, "role");
  if (role_v == nullptr) return missing(dot(path, "role"));
  std::string role;
  if (auto s = get_string(*role_v, dot(path, "role"), role); !s) return s;

  Message msg;
  if (json::value* name = field(m, "name")) {
    if (auto s = get_string(*name, dot(path, "name"), msg.name); !s) return s;
  }
  const std::string content_path = dot(path, "content");
  if (role == "system" || role == "developer") {
    json::value* content = field(m, "content");
    if (content == nullptr) return missing(content_path);
    std::vector<std::string> texts;
    if (auto s = text_parts(*content, content_path, texts); !s) return s;
    for (auto& t : texts) out.system.push_back(ContentBlock::make_text(std::move(t)));
    return {};
  }
  if (role == "user") {
    json::value* content = field(m, "content");
    if (content == nullptr) return missing(content_path);
    msg.role = Role::user;
    if (auto s = user_content(*content, content_path, msg); !s) return s;
  } else if (role == "assistant") {
    if (auto s = assistant_message(m, path, msg); !s) return s;
  } else if (role == "tool") {
    msg.role = Role::tool;
    ContentBlock block;
    block.type = BlockType::tool_result;
    json::value* id = field(m, "tool_call_id");
    if (id == nullptr) return missing(dot(path, "tool_call_id"));
    if (auto s = get_string(*id, dot(path, "tool_call_id"), block.id); !s) return s;
    json::value* content = field(m, "content");
    if (content == nullptr) return missing(content_path);
    std::vector<std::string> texts;
    if (auto s = text_parts(*content, content_path, texts); !s) return s;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (i > 0) block.text += '\n';
      block.text += texts[i];
    }
    msg.content.push_back(std::move(block));
  } else if (role == "function") {
    return invalid("The 'function' role is deprecated and not supported; use 'tool'.",
                   dot(path, "role"), "invalid_value");
  } else {
    return bad_value(dot(path, "role"), role,
                     "'system', 'assistant', 'user', 'tool', and 'developer'");
  }
  out.messages.push_back(std::move(msg));
  return {};
}

}  // namespace gw::openai::detail
