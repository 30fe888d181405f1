// RFC 6901 escaping and valijson context conversion.
#include "config/json_pointer.h"

#include <gtest/gtest.h>

namespace gw::config {
namespace {

TEST(JsonPointer, EscapesTildeBeforeSlash) {
  EXPECT_EQ(pointer_escape("a/b~c"), "a~1b~0c");
  EXPECT_EQ(pointer_escape("~1"), "~01");
  EXPECT_EQ(pointer_unescape("~01"), "~1");
  EXPECT_EQ(pointer_unescape("a~1b~0c"), "a/b~c");
}

TEST(JsonPointer, AppendAndSplit) {
  EXPECT_EQ(pointer_append(pointer_append("", "personas"), "x/y"), "/personas/x~1y");
  EXPECT_EQ(pointer_append("/fallback", std::size_t{3}), "/fallback/3");
  EXPECT_EQ(pointer_tokens("/personas/x~1y/0"), (std::vector<std::string>{"personas", "x/y", "0"}));
  EXPECT_TRUE(pointer_tokens("").empty());
  EXPECT_EQ(pointer_tokens("/"), std::vector<std::string>{""});
}

TEST(JsonPointer, FromValijsonContext) {
  EXPECT_EQ(pointer_from_valijson_context({"<root>"}), "");
  EXPECT_EQ(pointer_from_valijson_context({"<root>", "[personas]", "[a/b]", "[fallback]", "[1]"}),
            "/personas/a~1b/fallback/1");
  EXPECT_EQ(pointer_from_valijson_context({"<root>", "[x~y]"}), "/x~0y");
}

}  // namespace
}  // namespace gw::config
