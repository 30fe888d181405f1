// libFuzzer target for every provider decoder and ingress request decoder added with the
// Anthropic, Gemini, Bedrock and Ollama codecs (plus the OpenAI stream decoder for symmetry).
// The first input byte picks the decoder; the rest is the body. Beyond "no crash, no UB, no leak":
//  - stream decoders give identical events and the same success/failure whether the body arrives
//    whole or split at input-derived points;
//  - request and response decoders are deterministic (decoding twice gives the same outcome),
//    and an accepted ingress request re-encodes for its provider without failing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "providers/openai/openai_stream_decoder.h"
#include "wire/anthropic/anthropic_request.h"
#include "wire/anthropic/anthropic_response.h"
#include "wire/anthropic/anthropic_stream_decoder.h"
#include "wire/bedrock/bedrock_response.h"
#include "wire/bedrock/bedrock_stream_decoder.h"
#include "wire/gemini/gemini_request.h"
#include "wire/gemini/gemini_response.h"
#include "wire/gemini/gemini_stream_decoder.h"
#include "wire/ollama/ollama_response.h"
#include "wire/ollama/ollama_stream_decoder.h"

namespace {

std::string render(const std::vector<gw::StreamEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    out += std::to_string(static_cast<int>(e.type));
    out += '|' + std::to_string(e.index) + '|' + e.id + '|' + e.name + '|' + e.text + '|';
    out += std::to_string(static_cast<int>(e.finish)) + '|' + std::to_string(e.usage.input_tokens);
    out += '/' + std::to_string(e.usage.output_tokens) + '\n';
  }
  return out;
}

struct Run {
  std::string events;
  bool failed = false;
};

template <class Decoder>
Run run(std::string_view in, const std::vector<std::size_t>& cuts) {
  Decoder d;
  std::vector<gw::StreamEvent> events;
  Run r;
  const bool fed = gw::fuzz::feed_pieces(
      in, cuts, [&](std::string_view piece) { return d.feed(piece, events).ok(); });
  r.failed = !fed || !d.finish(events).ok();
  r.events = render(events);
  return r;
}

template <class Decoder>
void check_stream(std::string_view in) {
  const Run whole = run<Decoder>(in, {});
  const Run split = run<Decoder>(in, gw::fuzz::data_derived_cuts(in, gw::fuzz::digest(in)));
  GW_FUZZ_CHECK(whole.failed == split.failed, "split changes success");
  if (!whole.failed) GW_FUZZ_CHECK(whole.events == split.events, "split changes events");
}

template <class F>
void check_deterministic(F decode, std::string_view in) {
  auto a = decode(in);
  auto b = decode(in);
  GW_FUZZ_CHECK(a.ok() == b.ok(), "decoding is deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0:
      check_stream<gw::anthropic::AnthropicStreamDecoder>(in);
      break;
    case 1:
      check_stream<gw::gemini::GeminiStreamDecoder>(in);
      break;
    case 2:
      check_stream<gw::ollama::OllamaStreamDecoder>(in);
      break;
    case 3:
      check_stream<gw::bedrock::BedrockStreamDecoder>(in);
      break;
    case 4:
      check_stream<gw::OpenAIStreamDecoder>(in);
      break;
    case 5: {
      auto req = gw::anthropic::decode_messages_request(in);
      check_deterministic(
          [](std::string_view b) { return gw::anthropic::decode_messages_request(b); }, in);
      if (req.ok()) {
        auto out = gw::anthropic::encode_messages_request(*req, "m",
                                                          gw::anthropic::AnthropicEncodeOptions{});
        GW_FUZZ_CHECK(out.ok() || out.error().kind != gw::ErrorKind::gateway_internal,
                      "an accepted request re-encodes");
      }
      break;
    }
    case 6: {
      gw::IngressContext ctx{"gemini-fuzz", (size & 1) != 0};
      auto req = gw::gemini::decode_generate_request(in, ctx);
      if (req.ok()) {
        auto out = gw::gemini::encode_generate_request(*req);
        GW_FUZZ_CHECK(out.ok() || out.error().kind != gw::ErrorKind::gateway_internal,
                      "an accepted request re-encodes");
      }
      break;
    }
    case 7:
      check_deterministic(
          [](std::string_view b) { return gw::anthropic::decode_messages_response(b); }, in);
      check_deterministic(
          [](std::string_view b) { return gw::gemini::decode_generate_response(b); }, in);
      break;
    default:
      check_deterministic([](std::string_view b) { return gw::ollama::decode_chat_response(b); },
                          in);
      check_deterministic(
          [](std::string_view b) { return gw::bedrock::decode_converse_response(b); }, in);
      break;
  }
  return 0;
}
