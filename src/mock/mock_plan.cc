// Planning the mock's answer from a canonical request (see mock_plan.h). The rules are the ones
// plan_openai_chat applies to OpenAI bodies (docs/mock-provider.md), restated on the canonical
// model so every other dialect answers the same way.
#include "mock/mock_plan.h"

#include <algorithm>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "mock/mock_json.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_schema.h"
#include "mock/mock_text.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

MockError bad_request(std::string message, std::string param, std::string code) {
  return MockError{400, std::move(message), "invalid_request_error", std::move(code),
                   std::move(param)};
}

// Text of a message: its text and tool-result blocks, newline-joined.
std::string message_text(const Message& m) {
  std::string out;
  for (const auto& b : m.content) {
    if (b.type != BlockType::text && b.type != BlockType::tool_result) continue;
    if (!out.empty()) out += '\n';
    out += b.text;
  }
  return out;
}

std::string last_user_text(const ChatRequest& request) {
  for (auto it = request.messages.rbegin(); it != request.messages.rend(); ++it) {
    if (it->role == Role::user) return message_text(*it);
  }
  return {};
}

std::size_t prompt_chars(const ChatRequest& request) {
  std::size_t chars = 0;
  for (const auto& b : request.system) chars += utf8_length(b.text);
  for (const auto& m : request.messages) {
    for (const auto& b : m.content) {
      chars += utf8_length(b.text);
      if (b.type == BlockType::tool_use) chars += utf8_length(b.name) + utf8_length(b.arguments);
    }
  }
  for (const auto& t : request.tools) {
    chars += utf8_length(t.name) + utf8_length(t.description);
    if (!t.parameters.is_null()) chars += utf8_length(json::serialize(t.parameters));
  }
  return chars;
}

std::string shaped_content(const ChatRequest& request, std::string content) {
  switch (request.response_format.type) {
    case ResponseFormat::Type::json_object: {
      json::object reply;
      reply["reply"] = content;
      return json_compact(reply);
    }
    case ResponseFormat::Type::json_schema:
      return json_compact(sample_from_schema(request.response_format.schema));
    default:
      return content;
  }
}

}  // namespace

std::variant<MockPlan, MockError> plan_chat(const ChatRequest& request, std::string_view raw_body,
                                            std::string_view tool_id_prefix) {
  MockPlan plan;
  plan.model = request.model;
  plan.hash = hex64(fnv1a64(raw_body));
  plan.prompt_tokens = tokens_for_chars(prompt_chars(request));

  const bool last_is_tool_result =
      !request.messages.empty() && request.messages.back().role == Role::tool;

  std::vector<const ToolSpec*> chosen;
  const bool choice_none = request.tool_choice.mode == ToolChoice::Mode::none;
  if (!request.tools.empty() && !choice_none && !last_is_tool_result) {
    if (request.tool_choice.mode == ToolChoice::Mode::named) {
      for (const auto& t : request.tools) {
        if (t.name == request.tool_choice.name) chosen.push_back(&t);
      }
      if (chosen.empty()) {
        return bad_request("tool_choice names the tool '" + request.tool_choice.name +
                               "', which is not among the declared tools.",
                           "tool_choice", "invalid_value");
      }
      chosen.resize(1);
    } else {
      const std::string user_text = last_user_text(request);
      for (const auto& t : request.tools) {
        if (!t.name.empty() && user_text.find(t.name) != std::string::npos) chosen.push_back(&t);
      }
      if (chosen.empty()) chosen.push_back(&request.tools.front());
      if (request.parallel_tool_calls.has_value() && !*request.parallel_tool_calls) {
        chosen.resize(1);
      }
    }
  }

  if (!chosen.empty()) {
    plan.completion_tokens = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      MockToolCall call;
      call.id = std::string(tool_id_prefix) + plan.hash.substr(0, 12) + std::to_string(i);
      call.name = chosen[i]->name;
      const json::value args = sample_from_schema(chosen[i]->parameters);
      call.arguments = json_compact(args.is_object() ? args : json::value(json::object()));
      plan.completion_tokens +=
          1 + static_cast<std::int64_t>(split_even(call.arguments, kArgumentFragments).size());
      plan.calls.push_back(std::move(call));
    }
    return plan;
  }

  std::string text;
  if (last_is_tool_result) {
    text = "Tool result received: " +
           std::string(utf8_prefix(message_text(request.messages.back()), kMaxEchoChars));
  } else {
    text = "Mock reply to: " + std::string(utf8_prefix(last_user_text(request), kMaxEchoChars));
  }
  plan.content = shaped_content(request, std::move(text));
  plan.completion_tokens =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(split_words(plan.content).size()));
  return plan;
}

ChatResponse plan_response(const MockPlan& plan, std::string_view id) {
  ChatResponse r;
  r.id = std::string(id);
  r.model = plan.model;
  r.created = kMockCreated;
  if (plan.calls.empty()) {
    r.content.push_back(ContentBlock::make_text(plan.content));
    r.finish = FinishReason::stop;
  } else {
    for (const auto& c : plan.calls) {
      ContentBlock b;
      b.type = BlockType::tool_use;
      b.id = c.id;
      b.name = c.name;
      b.arguments = c.arguments;
      r.content.push_back(std::move(b));
    }
    r.finish = FinishReason::tool_calls;
  }
  r.usage.input_tokens = plan.prompt_tokens;
  r.usage.output_tokens = plan.completion_tokens;
  r.usage.present = true;
  return r;
}

MockEvents plan_events(const MockPlan& plan, std::string_view id, std::size_t chunks,
                       bool with_usage) {
  MockEvents ev;
  StreamEvent start;
  start.type = StreamEvent::Type::start;
  start.id = std::string(id);
  start.name = plan.model;
  start.created = kMockCreated;
  ev.lead.push_back(std::move(start));

  if (plan.calls.empty()) {
    for (auto& piece : split_chunks(plan.content, chunks)) {
      StreamEvent e;
      e.type = StreamEvent::Type::text_delta;
      e.text = std::move(piece);
      ev.content.push_back(std::move(e));
    }
  } else {
    for (std::size_t i = 0; i < plan.calls.size(); ++i) {
      const auto& c = plan.calls[i];
      StreamEvent open;
      open.type = StreamEvent::Type::tool_call_start;
      open.index = static_cast<int>(i);
      open.id = c.id;
      open.name = c.name;
      ev.content.push_back(std::move(open));
      for (auto& frag : split_even(c.arguments, chunks == 0 ? kArgumentFragments : chunks)) {
        StreamEvent d;
        d.type = StreamEvent::Type::tool_call_delta;
        d.index = static_cast<int>(i);
        d.text = std::move(frag);
        ev.content.push_back(std::move(d));
      }
    }
  }

  StreamEvent finish;
  finish.type = StreamEvent::Type::finish;
  finish.finish = plan.calls.empty() ? FinishReason::stop : FinishReason::tool_calls;
  ev.trail.push_back(std::move(finish));
  if (with_usage) {
    StreamEvent usage;
    usage.type = StreamEvent::Type::usage;
    usage.usage.input_tokens = plan.prompt_tokens;
    usage.usage.output_tokens = plan.completion_tokens;
    usage.usage.present = true;
    ev.trail.push_back(std::move(usage));
  }
  return ev;
}

StreamEvent endless_event(std::size_t i) {
  static const std::vector<std::string> kWords =
      split_words("Mock endless stream, word after word");
  StreamEvent e;
  e.type = StreamEvent::Type::text_delta;
  e.text = i == 0 ? kWords[0] : kWords[i % kWords.size()];
  if (i != 0 && i % kWords.size() == 0) e.text = " " + e.text;
  return e;
}

StreamScript script_from_events(const MockEvents& events, StreamEncoder& encoder,
                                std::shared_ptr<StreamEncoder> endless_encoder) {
  StreamScript s;
  auto render = [&encoder](const std::vector<StreamEvent>& in, std::vector<std::string>& out) {
    for (const auto& e : in) {
      std::string bytes;
      encoder.event(e, bytes);
      if (!bytes.empty()) out.push_back(std::move(bytes));
    }
  };
  render(events.lead, s.lead);
  render(events.content, s.content);
  render(events.trail, s.trail);
  std::string end;
  encoder.end(end);
  if (!end.empty()) s.trail.push_back(std::move(end));

  if (endless_encoder) {
    std::string discard;
    for (const auto& e : events.lead) endless_encoder->event(e, discard);
    s.endless = [enc = std::move(endless_encoder)](std::size_t i) {
      std::string bytes;
      enc->event(endless_event(i), bytes);
      return bytes;
    };
  }
  return s;
}

}  // namespace gw::mock
