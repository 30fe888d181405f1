// compile_request: one request made acceptable to one provider's ToolRules, copying nothing when
// nothing has to change (see tool_schema.h).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wire/tool_schema/schema_compile.h"
#include "wire/tool_schema/tool_name.h"
#include "wire/tool_schema/tool_schema.h"

namespace gw::tool_schema {

namespace json = boost::json;

namespace {

// Tool names the request uses besides its declarations: a named tool_choice and the calls in
// its history (which may name tools no longer declared).
template <typename F>
void for_each_mentioned_name(const ChatRequest& request, F&& f) {
  if (request.tool_choice.mode == ToolChoice::Mode::named) f(request.tool_choice.name);
  for (const Message& m : request.messages) {
    for (const ContentBlock& b : m.content) {
      if (b.type == BlockType::tool_use) f(b.name);
    }
  }
}

bool declared_names_valid(const std::vector<ToolSpec>& tools, const ToolRules& rules) {
  for (const ToolSpec& t : tools) {
    if (!tool_name_valid(t.name, rules)) return false;
  }
  return true;
}

// True when a mentioned name is neither a renamed declaration nor keepable as it is.
bool mentioned_names_need_assignment(const ChatRequest& request, const ToolRules& rules,
                                     const ToolNameMap& names) {
  bool needed = false;
  for_each_mentioned_name(request, [&](const std::string& name) {
    needed = needed || (!names.renamed(name) &&
                        (!tool_name_valid(name, rules) || names.is_rename_target(name)));
  });
  return needed;
}

void assign_mentioned_names(const ChatRequest& request, const ToolRules& rules,
                            ToolNameMap& names) {
  std::vector<std::string_view> mentioned;
  for_each_mentioned_name(request, [&](const std::string& name) { mentioned.emplace_back(name); });
  std::vector<std::string> declared;  // owned: the map grows while they are in use
  declared.reserve(request.tools.size());
  for (const ToolSpec& t : request.tools) declared.emplace_back(names.provider_name(t.name));
  ToolNamer(rules).assign_extra(mentioned, {declared.begin(), declared.end()}, names);
}

// The json_schema response format as an OpenAPI-subset schema; nullopt when unchanged.
Result<std::optional<json::value>> compile_response_schema(const ResponseFormat& format) {
  if (format.type != ResponseFormat::Type::json_schema || format.schema.is_null()) {
    return std::optional<json::value>();
  }
  const SchemaSubject subject{format.name.empty() ? std::string("Response format")
                                                  : "Response format '" + format.name + "'",
                              "response_format.json_schema.schema", false};
  Result<CompiledSchema> compiled = compile_openapi_schema(format.schema, subject);
  if (!compiled) return std::move(compiled).error();
  if (compiled->schema == format.schema) return std::optional<json::value>();
  return std::optional<json::value>(std::move(compiled->schema));
}

void rename_mentioned(ChatRequest& request, const ToolNameMap& names) {
  if (request.tool_choice.mode == ToolChoice::Mode::named) {
    request.tool_choice.name = std::string(names.provider_name(request.tool_choice.name));
  }
  for (Message& m : request.messages) {
    for (ContentBlock& b : m.content) {
      if (b.type == BlockType::tool_use) b.name = std::string(names.provider_name(b.name));
    }
  }
}

}  // namespace

Result<std::optional<ChatRequest>> compile_request(const ChatRequest& request,
                                                   const ToolRules& rules, ToolNameMap& names) {
  names.clear();
  const bool openapi = rules.schema == ToolRules::Schema::openapi_subset;
  std::shared_ptr<const CompiledTools> compiled;
  if (openapi && !request.tools.empty()) {
    Result<std::shared_ptr<const CompiledTools>> c = compile_tools(request.tools, rules);
    if (!c) return std::move(c).error();
    compiled = std::move(c).value();
    names = compiled->names;
  } else if (!declared_names_valid(request.tools, rules)) {
    // json_schema: only names change, so the schemas are copied once, with the request.
    std::vector<std::string_view> declared;
    for (const ToolSpec& t : request.tools) declared.emplace_back(t.name);
    ToolNamer(rules).assign_declared(declared, names);
  }
  if (mentioned_names_need_assignment(request, rules, names)) {
    assign_mentioned_names(request, rules, names);
  }
  std::optional<json::value> response_schema;
  if (openapi) {
    Result<std::optional<json::value>> r = compile_response_schema(request.response_format);
    if (!r) return std::move(r).error();
    response_schema = std::move(r).value();
  }
  const bool tools_compiled = compiled != nullptr && compiled->changed;
  if (!tools_compiled && names.empty() && !response_schema) return std::optional<ChatRequest>();

  ChatRequest out = request;
  if (tools_compiled) {
    out.tools = compiled->tools;
  } else {
    for (ToolSpec& t : out.tools) t.name = std::string(names.provider_name(t.name));
  }
  rename_mentioned(out, names);
  if (response_schema) out.response_format.schema = std::move(*response_schema);
  return std::optional<ChatRequest>(std::move(out));
}

}  // namespace gw::tool_schema
