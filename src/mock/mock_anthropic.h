// The Anthropic Messages dialect of the mock provider: POST …/v1/messages (plain and SSE) and
// Anthropic's compact error envelopes, in the layout of test/fixtures/providers/anthropic/.
// Requests are read with the gateway's own Anthropic wire decoder and answered through the
// canonical planner (mock_plan.h) and the Anthropic wire encoders; output is a pure function of
// the request body.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "mock/mock_dialect.h"

namespace gw::mock {

class AnthropicMockDialect final : public MockDialect {
 public:
  std::string_view name() const override { return "anthropic"; }
  // POST on any path ending in /v1/messages ("/v1/messages", "/anthropic/v1/messages").
  bool serves(std::string_view method, std::string_view path) const override;
  // Invalid requests get Anthropic's 400s: no anthropic-version header ("anthropic-version:
  // header is required"), then whatever the Messages request decoder rejects, with its message
  // ("messages.0.content: Field required.").
  std::unique_ptr<MockExchange> open(const http::Request& request) const override;
  // Anthropic's other endpoints are not modelled (GET /v1/models is answered by the OpenAI
  // dialect, which the handler asks first).
  std::optional<MockReply> side_reply(const http::Request& request) const override;
  MockReply error_reply(const MockError& error) const override;
};

}  // namespace gw::mock
