// Canonical StreamEvents → the OpenAI chat.completion.chunk SSE stream the official SDKs parse.
// Runs once per streamed event, so it writes JSON by hand into the caller's buffer: no DOM, no
// allocation beyond the output's own growth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "model/chat.h"

namespace gw::openai {

class OpenAIChunkEncoder {
 public:
  // `include_usage` is the client's stream_options.include_usage: when set, every chunk carries
  // "usage": null and the usage event becomes a final chunk with "choices": [] (as OpenAI does);
  // when not, usage events are not sent.
  OpenAIChunkEncoder(std::string_view id, std::string_view model, std::int64_t created,
                     bool include_usage);

  // Appends `data: {chunk}\n\n` records for one event:
  //   start (or the first event of any kind) → the role chunk {"role":"assistant","content":""};
  //   text_delta → delta.content; reasoning_delta → delta.reasoning_content;
  //   tool_call_start → delta.tool_calls[{index,id,type:"function",function{name,arguments:""}}];
  //   tool_call_delta → delta.tool_calls[{index,function{arguments}}];
  //   finish → an empty delta with finish_reason; usage → see include_usage.
  // Empty text and argument deltas write nothing.
  void append(const StreamEvent& event, std::string& out);

  // `data: [DONE]\n\n`.
  void done(std::string& out);

  // `data: {"error":{…}}\n\n` — how a failure after the commit point reaches the client.
  void error(const Error& error, std::string& out);

 private:
  void ensure_role(std::string& out);
  void open_choice(std::string& out);  // …"choices":[{"index":0,"delta":
  void close_choice(std::string& out, std::string_view finish_reason);  // …}]…}\n\n

  std::string
      prefix_;  // data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[
  bool include_usage_;
  bool role_sent_ = false;
};

}  // namespace gw::openai
