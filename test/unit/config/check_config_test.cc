// check-config output: "pointer: message" per problem, "/" for the root, exit 0/1.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config_test_support.h"

namespace gw::testing {
namespace {

namespace fs = std::filesystem;

fs::path write_temp(const std::string& name, const std::string& contents) {
  std::string pattern = (fs::temp_directory_path() / "gw_check_config_XXXXXX").string();
  const fs::path dir = mkdtemp(pattern.data());
  const fs::path p = dir / name;
  std::ofstream(p) << contents;
  return p;
}

TEST(CheckConfig, FormatProblemsOneLineEach) {
  const std::vector<ConfigProblem> problems = {
      {"", "missing required field \"version\"", false},
      {"/providers/openai/api_key", "environment variable OPENAI_API_KEY is not set", true},
      {"/keys/0", "a key needs \"persona\"", false},
  };
  EXPECT_EQ(format_problems(problems),
            "/: missing required field \"version\"\n"
            "warning: /providers/openai/api_key: environment variable OPENAI_API_KEY is not set\n"
            "/keys/0: a key needs \"persona\"\n");
  EXPECT_EQ(format_problems({}), "");
}

TEST(CheckConfig, ValidConfigExitsZeroWithSummary) {
  const fs::path p = write_temp("ok.json", R"({"version": 1, "local_demo": true,
    "providers": {"mock": {"type": "mock"}},
    "personas": {"demo": {"provider": "mock", "model": "m"}},
    "keys": [{"key": "k1", "persona": "demo"}, {"key": "env:GW_CHECK_CONFIG_UNSET", "persona": "demo"}]})");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command(p.string(), options_with_env(), out, err), 0);
  EXPECT_EQ(out.str(), "ok: 1 providers, 1 personas, 1 keys\n");
  EXPECT_EQ(err.str(),
            "warning: /local_demo: local_demo is on: plaintext secrets are accepted; never use "
            "this in production\n"
            "warning: /keys/1/key: environment variable GW_CHECK_CONFIG_UNSET is not set; this "
            "key is skipped\n");
  fs::remove_all(p.parent_path());
}

TEST(CheckConfig, InvalidConfigExitsOneAndPrintsEveryProblem) {
  const fs::path p = write_temp("bad.yaml", R"(
version: 2
providers:
  mock: {type: mock}
personas:
  demo: {provider: mock, model: m, fallback: [gemni/x]}
keys:
  - {key: "env:GW_CHECK_CONFIG_UNSET", persona: nobody}
)");
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command(p.string(), options_with_env(), out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "/version: must be 1 (got 2)\n"
            "/personas/demo/fallback/0: unknown provider \"gemni\" (known: mock)\n"
            "/keys/0/persona: unknown persona \"nobody\" (known: demo)\n"
            "warning: /keys/0/key: environment variable GW_CHECK_CONFIG_UNSET is not set; this "
            "key is skipped\n");
  fs::remove_all(p.parent_path());
}

TEST(CheckConfig, MissingFileIsReportedAtTheRoot) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(check_config_command("/nonexistent/gw.json", options_with_env(), out, err), 1);
  EXPECT_EQ(err.str(), "/: cannot read config file /nonexistent/gw.json: no such file\n");
}

}  // namespace
}  // namespace gw::testing
