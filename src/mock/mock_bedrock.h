// The Bedrock dialect of the mock provider: POST …/model/{modelId}/converse (JSON) and
// …/converse-stream (binary application/vnd.amazon.eventstream), Bedrock's {"message"} error
// bodies with the exception type in x-amzn-errortype, and the missing-credentials 403 AWS
// answers unsigned requests with. Requests are decoded with the gateway's own Converse codec
// (wire/bedrock), planned by plan_chat and rendered with the Bedrock encoders; output is a pure
// function of the request.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "mock/mock_dialect.h"

namespace gw::mock {

class BedrockMockDialect final : public MockDialect {
 public:
  std::string_view name() const override { return "bedrock"; }
  bool serves(std::string_view method, std::string_view path) const override;
  // Requests without an "Authorization: AWS4-HMAC-SHA256 Credential=…" or "Bearer …" header are
  // invalid (403 MissingAuthenticationTokenException); the signature itself is not checked.
  std::unique_ptr<MockExchange> open(const http::Request& request) const override;
  // Bedrock runtime has no listing endpoint (that is the control-plane host): always nullopt.
  std::optional<MockReply> side_reply(const http::Request& request) const override;
  // {"message"} with x-amzn-errortype: error.type when it names an exception ("…Exception"),
  // else the exception Bedrock pairs with the status.
  MockReply error_reply(const MockError& error) const override;
};

}  // namespace gw::mock
