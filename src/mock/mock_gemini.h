// The Gemini dialect of the mock provider: POST …/models/{model}:generateContent and
// :streamGenerateContent (SSE records separated by CRLF CRLF), GET …/models/{model}, and Google's
// pretty-printed google.rpc.Status error envelopes with the bodies of the recorded fixtures in
// test/fixtures/providers/gemini/. Requests are decoded with the gateway's own Gemini wire codec,
// planned by plan_chat and rendered with its encoders; output is a pure function of the request.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "mock/mock_dialect.h"

namespace gw::mock {

class GeminiMockDialect final : public MockDialect {
 public:
  std::string_view name() const override { return "gemini"; }
  bool serves(std::string_view method, std::string_view path) const override;
  std::unique_ptr<MockExchange> open(const http::Request& request) const override;
  // GET …/v1beta/models/{model} (one model) and …/v1beta/models (the list, when no earlier
  // dialect answers that path).
  std::optional<MockReply> side_reply(const http::Request& request) const override;
  // Google's envelope {"error":{"code","message","status"}}; `status` is error.type when that is
  // a google.rpc code name ("RESOURCE_EXHAUSTED"), else the name for the HTTP status.
  MockReply error_reply(const MockError& error) const override;
};

}  // namespace gw::mock
