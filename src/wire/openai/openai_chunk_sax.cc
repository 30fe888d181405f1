// ChunkSaxReader: one pass of Boost.JSON's basic_parser over a chunk, writing only the fields
// that become events into ChunkFields. A context stack (root, choice, delta, tool call, usage…)
// and the current key decide where each value goes; everything else is skipped unread. Strings
// land in buffers that keep their capacity, so a steady stream parses without allocating.
#include <cmath>
#include <optional>

#include <boost/json/basic_parser_impl.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_chunk_fields.h"

namespace gw::openai::detail {
namespace {

namespace json = boost::json;
using boost::system::error_code;

enum class Ctx : std::uint8_t {
  other,
  root,
  choices,     // root.choices array
  choice,      // one element of it
  delta,       // choice.delta
  tool_calls,  // delta.tool_calls array
  tool_call,   // one element of it
  function,    // tool_call.function
  groq,        // root.x_groq
  usage,       // root.usage or x_groq.usage
  prompt_details,
  completion_details,
};

enum class Key : std::uint8_t {
  none,
  id,
  model,
  created,
  choices,
  usage,
  x_groq,
  error,
  index,
  delta,
  finish_reason,
  content,
  reasoning_content,
  reasoning,
  refusal,
  tool_calls,
  function,
  name,
  arguments,
  prompt_tokens,
  completion_tokens,
  prompt_tokens_details,
  completion_tokens_details,
  cached_tokens,
  reasoning_tokens,
};

// The keys that matter in each context; any other key is skipped.
Key lookup(Ctx ctx, std::string_view k) {
  switch (ctx) {
    case Ctx::root:
      if (k == "id") return Key::id;
      if (k == "model") return Key::model;
      if (k == "created") return Key::created;
      if (k == "choices") return Key::choices;
      if (k == "usage") return Key::usage;
      if (k == "x_groq") return Key::x_groq;
      if (k == "error") return Key::error;
      return Key::none;
    case Ctx::choice:
      if (k == "index") return Key::index;
      if (k == "delta") return Key::delta;
      if (k == "finish_reason") return Key::finish_reason;
      return Key::none;
    case Ctx::delta:
      if (k == "content") return Key::content;
      if (k == "reasoning_content") return Key::reasoning_content;
      if (k == "reasoning") return Key::reasoning;
      if (k == "refusal") return Key::refusal;
      if (k == "tool_calls") return Key::tool_calls;
      return Key::none;
    case Ctx::tool_call:
      if (k == "index") return Key::index;
      if (k == "id") return Key::id;
      if (k == "function") return Key::function;
      return Key::none;
    case Ctx::function:
      if (k == "name") return Key::name;
      if (k == "arguments") return Key::arguments;
      return Key::none;
    case Ctx::groq:
      return k == "usage" ? Key::usage : Key::none;
    case Ctx::usage:
      if (k == "prompt_tokens") return Key::prompt_tokens;
      if (k == "completion_tokens") return Key::completion_tokens;
      if (k == "prompt_tokens_details") return Key::prompt_tokens_details;
      if (k == "completion_tokens_details") return Key::completion_tokens_details;
      return Key::none;
    case Ctx::prompt_details:
      return k == "cached_tokens" ? Key::cached_tokens : Key::none;
    case Ctx::completion_details:
      return k == "reasoning_tokens" ? Key::reasoning_tokens : Key::none;
    default:
      return Key::none;
  }
}

class Handler {
 public:
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  void begin(ChunkFields* out) {
    out_ = out;
    out_->clear();
    depth_ = 0;
    key_ = Key::none;
    key_buf_.clear();
    in_string_ = false;
    target_ = nullptr;
    tool_ = nullptr;
    usage_ = nullptr;
    not_object_ = false;
    needs_dom_ = false;
  }
  bool not_object() const { return not_object_; }
  bool needs_dom() const { return needs_dom_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    if (depth_ == 0) return push(Ctx::root);
    Ctx child = Ctx::other;
    switch (top()) {
      case Ctx::choices:
        choice_.clear();
        choice_.present = true;
        child = Ctx::choice;
        break;
      case Ctx::tool_calls:
        tool_ = &choice_.add_tool();
        child = Ctx::tool_call;
        break;
      case Ctx::root:
        if (key_ == Key::usage) {
          out_->has_usage = true;
          usage_ = &out_->usage;
          usage_->present = true;
          child = Ctx::usage;
        } else if (key_ == Key::x_groq) {
          child = Ctx::groq;
        } else if (key_ == Key::error) {
          needs_dom_ = true;
        }
        break;
      case Ctx::groq:
        if (key_ == Key::usage) {
          out_->has_groq_usage = true;
          usage_ = &out_->groq_usage;
          usage_->present = true;
          child = Ctx::usage;
        }
        break;
      case Ctx::choice:
        if (key_ == Key::delta) child = Ctx::delta;
        break;
      case Ctx::tool_call:
        if (key_ == Key::function) child = Ctx::function;
        break;
      case Ctx::function:
        if (key_ == Key::arguments) needs_dom_ = true;  // an arguments object
        break;
      case Ctx::usage:
        if (key_ == Key::prompt_tokens_details) child = Ctx::prompt_details;
        if (key_ == Key::completion_tokens_details) child = Ctx::completion_details;
        break;
      default:
        break;
    }
    return push(child);
  }

  bool on_object_end(std::size_t, error_code&) {
    const Ctx done = stack_[--depth_];
    key_ = Key::none;
    // Only choice 0 is streamed; the first one wins, as in the DOM reader.
    if (done == Ctx::choice && choice_.index == 0 && !out_->choice.present) {
      std::swap(out_->choice, choice_);
    }
    return true;
  }

  bool on_array_begin(error_code&) {
    if (depth_ == 0) not_object_ = true;
    Ctx child = Ctx::other;
    if (depth_ > 0) {
      if (top() == Ctx::root && key_ == Key::choices) child = Ctx::choices;
      if (top() == Ctx::delta && key_ == Key::tool_calls) child = Ctx::tool_calls;
      if (top() == Ctx::root && key_ == Key::error) needs_dom_ = true;
      if (top() == Ctx::function && key_ == Key::arguments) needs_dom_ = true;
    }
    return push(child);
  }

  bool on_array_end(std::size_t, error_code&) {
    --depth_;
    key_ = Key::none;
    return true;
  }

  bool on_key_part(std::string_view s, std::size_t, error_code&) {
    key_buf_.append(s.data(), s.size());
    return true;
  }

  bool on_key(std::string_view s, std::size_t, error_code&) {
    if (key_buf_.empty()) {
      key_ = lookup(top(), s);
    } else {
      key_buf_.append(s.data(), s.size());
      key_ = lookup(top(), key_buf_);
      key_buf_.clear();
    }
    return true;
  }

  bool on_string_part(std::string_view s, std::size_t, error_code&) {
    string_piece(s);
    return true;
  }

  bool on_string(std::string_view s, std::size_t, error_code&) {
    string_piece(s);
    in_string_ = false;
    target_ = nullptr;
    if (depth_ == 0) not_object_ = true;
    key_ = Key::none;
    return true;
  }

  bool on_number_part(std::string_view, error_code&) { return true; }

  bool on_int64(std::int64_t v, std::string_view, error_code&) { return number(v); }

  bool on_uint64(std::uint64_t v, std::string_view, error_code&) {
    return number(json_to_int64(json::value(v)));
  }

  bool on_double(double v, std::string_view, error_code&) {
    return number(json_to_int64(json::value(v)));
  }

  bool on_bool(bool, error_code&) { return scalar(); }
  bool on_null(error_code&) {
    if (depth_ == 0) not_object_ = true;
    key_ = Key::none;  // null is "absent" everywhere
    return true;
  }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }

 private:
  Ctx top() const { return depth_ == 0 ? Ctx::other : stack_[depth_ - 1]; }

  bool push(Ctx c) {
    stack_[depth_++] = c;  // basic_parser enforces max_depth, which bounds depth_
    key_ = Key::none;
    return true;
  }

  // A bool or a non-integral value where a field we read could be.
  bool scalar() {
    if (depth_ == 0) not_object_ = true;
    if ((top() == Ctx::root && key_ == Key::error) ||
        (top() == Ctx::function && key_ == Key::arguments)) {
      needs_dom_ = true;
    }
    key_ = Key::none;
    return true;
  }

  std::string* string_target() {
    switch (top()) {
      case Ctx::root:
        if (key_ == Key::id) return &out_->id;
        if (key_ == Key::model) return &out_->model;
        if (key_ == Key::error) needs_dom_ = true;  // Ollama-style {"error": "text"}
        return nullptr;
      case Ctx::choice:
        return key_ == Key::finish_reason ? &choice_.finish_reason : nullptr;
      case Ctx::delta:
        if (key_ == Key::content) return &choice_.content;
        if (key_ == Key::reasoning_content) return &choice_.reasoning_content;
        if (key_ == Key::reasoning) return &choice_.reasoning;
        if (key_ == Key::refusal) return &choice_.refusal;
        return nullptr;
      case Ctx::tool_call:
        return key_ == Key::id ? &tool_->id : nullptr;
      case Ctx::function:
        if (key_ == Key::name) return &tool_->name;
        if (key_ == Key::arguments) return &tool_->arguments;
        return nullptr;
      default:
        return nullptr;
    }
  }

  void string_piece(std::string_view s) {
    if (!in_string_) {
      in_string_ = true;
      target_ = string_target();
      if (target_ != nullptr) target_->clear();  // a repeated key: the last value wins
    }
    if (target_ != nullptr) target_->append(s.data(), s.size());
  }

  bool number(std::optional<std::int64_t> v) {
    if (depth_ == 0) not_object_ = true;
    switch (top()) {
      case Ctx::root:
        if (key_ == Key::created) out_->created = v.value_or(0);
        if (key_ == Key::error) needs_dom_ = true;
        break;
      case Ctx::choice:
        if (key_ == Key::index) choice_.index = v.value_or(0);
        break;
      case Ctx::tool_call:
        if (key_ == Key::index) tool_->index = v.value_or(-1);
        break;
      case Ctx::function:
        if (key_ == Key::arguments) needs_dom_ = true;
        break;
      case Ctx::usage:
        if (key_ == Key::prompt_tokens) usage_->input_tokens = v.value_or(0);
        if (key_ == Key::completion_tokens) usage_->output_tokens = v.value_or(0);
        break;
      case Ctx::prompt_details:
        if (key_ == Key::cached_tokens) usage_->cache_read_tokens = v.value_or(0);
        break;
      case Ctx::completion_details:
        if (key_ == Key::reasoning_tokens) usage_->reasoning_tokens = v.value_or(0);
        break;
      default:
        break;
    }
    key_ = Key::none;
    return true;
  }

  ChunkFields* out_ = nullptr;
  ChoiceFields choice_;  // the choice being read; swapped into out_ when it is choice 0
  ToolCallFields* tool_ = nullptr;
  Usage* usage_ = nullptr;
  Ctx stack_[kMaxJsonDepth + 1] = {};
  int depth_ = 0;
  Key key_ = Key::none;
  std::string key_buf_;
  std::string* target_ = nullptr;
  bool in_string_ = false;
  bool not_object_ = false;
  bool needs_dom_ = false;
};

json::parse_options options() {
  json::parse_options o;
  o.max_depth = kMaxJsonDepth;
  return o;
}

}  // namespace

struct ChunkSaxReader::Impl {
  json::basic_parser<Handler> parser{options()};
};

ChunkSaxReader::ChunkSaxReader() : impl_(std::make_unique<Impl>()) {}
ChunkSaxReader::~ChunkSaxReader() = default;

SaxOutcome ChunkSaxReader::read(std::string_view data, ChunkFields& fields, std::string& detail) {
  json::basic_parser<Handler>& p = impl_->parser;
  p.reset();
  p.handler().begin(&fields);
  error_code ec;
  const std::size_t n = p.write_some(false, data.data(), data.size(), ec);
  if (!ec && n != data.size()) ec = json::error::extra_data;
  if (ec) {
    detail = ec.message() + " at offset " + std::to_string(n);
    return SaxOutcome::invalid;
  }
  if (p.handler().not_object()) return SaxOutcome::not_object;
  if (p.handler().needs_dom()) return SaxOutcome::needs_dom;
  return SaxOutcome::ok;
}

}  // namespace gw::openai::detail
