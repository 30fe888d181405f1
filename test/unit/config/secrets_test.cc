// Secret references: env:, file:, plaintext (only with local_demo), stores not available yet.
// A provider credential that cannot be resolved is a warning; a gateway key that cannot be
// resolved is skipped. No message ever contains a secret.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/secret_reference.h"
#include "config_test_support.h"

namespace gw::testing {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gw_config_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& contents) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << contents;
    return p;
  }

 private:
  fs::path path_;
};

config::SecretContext context(std::map<std::string, std::string> env = {},
                              bool allow_plaintext = false, std::string base_dir = "") {
  return {options_with_env(std::move(env)).getenv, std::move(base_dir), allow_plaintext};
}

TEST(Secrets, EnvReferenceResolves) {
  const auto r = config::resolve_secret("env:MY_KEY", context({{"MY_KEY", "s3cret"}}));
  EXPECT_EQ(r.outcome, config::SecretOutcome::resolved);
  EXPECT_EQ(r.value, "s3cret");
  EXPECT_FALSE(r.plaintext);
}

TEST(Secrets, UnsetEnvIsUnresolved) {
  const auto r = config::resolve_secret("env:MY_KEY", context());
  EXPECT_EQ(r.outcome, config::SecretOutcome::unresolved);
  EXPECT_EQ(r.problem, "environment variable MY_KEY is not set");
}

TEST(Secrets, EmptyEnvIsUnresolved) {
  const auto r = config::resolve_secret("env:MY_KEY", context({{"MY_KEY", ""}}));
  EXPECT_EQ(r.outcome, config::SecretOutcome::unresolved);
  EXPECT_EQ(r.problem, "environment variable MY_KEY is empty");
}

TEST(Secrets, MalformedEnvNameIsRefused) {
  const auto r = config::resolve_secret("env:MY-KEY", context());
  EXPECT_EQ(r.outcome, config::SecretOutcome::refused);
  EXPECT_EQ(r.problem,
            "malformed env: reference; expected env:NAME with NAME made of letters, digits and "
            "'_'");
}

TEST(Secrets, DefaultGetenvReadsTheProcessEnvironment) {
  ::setenv("GW_CONFIG_TEST_SECRET", "from-process", 1);
  const auto r = config::resolve_secret("env:GW_CONFIG_TEST_SECRET", config::SecretContext{});
  ::unsetenv("GW_CONFIG_TEST_SECRET");
  EXPECT_EQ(r.outcome, config::SecretOutcome::resolved);
  EXPECT_EQ(r.value, "from-process");
}

TEST(Secrets, FileReferenceTrimsTrailingNewline) {
  TempDir dir;
  const fs::path p = dir.write("key.txt", "file-secret\r\n");
  const auto r = config::resolve_secret("file:" + p.string(), context());
  EXPECT_EQ(r.outcome, config::SecretOutcome::resolved);
  EXPECT_EQ(r.value, "file-secret");
}

TEST(Secrets, RelativeFileIsRelativeToTheBaseDir) {
  TempDir dir;
  dir.write("key.txt", "relative-secret\n");
  const auto r = config::resolve_secret("file:key.txt", context({}, false, dir.path().string()));
  EXPECT_EQ(r.outcome, config::SecretOutcome::resolved);
  EXPECT_EQ(r.value, "relative-secret");
}

TEST(Secrets, MissingFileIsUnresolved) {
  TempDir dir;
  const auto r = config::resolve_secret("file:nope.txt", context({}, false, dir.path().string()));
  EXPECT_EQ(r.outcome, config::SecretOutcome::unresolved);
  EXPECT_EQ(r.problem, "file " + (dir.path() / "nope.txt").string() +
                           " cannot be read: No such file or directory");
}

TEST(Secrets, EmptyFileIsUnresolved) {
  TempDir dir;
  const fs::path p = dir.write("empty.txt", "\n");
  const auto r = config::resolve_secret("file:" + p.string(), context());
  EXPECT_EQ(r.outcome, config::SecretOutcome::unresolved);
  EXPECT_EQ(r.problem, "file " + p.string() + " is empty");
}

TEST(Secrets, OversizedFileIsRefused) {
  TempDir dir;
  const fs::path p = dir.write("big.bin", std::string(70 * 1024, 'x'));
  const auto r = config::resolve_secret("file:" + p.string(), context());
  EXPECT_EQ(r.outcome, config::SecretOutcome::refused);
  EXPECT_EQ(r.problem, "file " + p.string() + " is larger than 64 KiB; not a secret file");
}

TEST(Secrets, VaultAndAwsSmAreNotAvailableYet) {
  const auto vault = config::resolve_secret("vault:secret/data/gw#key", context());
  EXPECT_EQ(vault.outcome, config::SecretOutcome::refused);
  EXPECT_EQ(vault.problem, "secret store vault is not available yet");
  const auto aws = config::resolve_secret("aws-sm:prod/gw#key", context());
  EXPECT_EQ(aws.outcome, config::SecretOutcome::refused);
  EXPECT_EQ(aws.problem, "secret store aws-sm is not available yet");
}

TEST(Secrets, PlaintextRefusedWithoutLocalDemo) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["openai"].as_object()["api_key"] =
                                          "sk-live-abcdef";
                                    }),
                                    kFullEnv);
  EXPECT_FALSE(load.config.has_value());
  EXPECT_PROBLEM(load, "/providers/openai/api_key",
                 "plaintext secret refused; use env:NAME or file:PATH (or set local_demo: true for "
                 "local demos)");
  EXPECT_EQ(dump(load).find("sk-live-abcdef"), std::string::npos);
}

TEST(Secrets, PlaintextGatewayKeyRefusedWithoutLocalDemo) {
  const ConfigLoad load = load_json(
      edited([](auto& o) { o["keys"].as_array()[0].as_object()["key"] = "gw-plain"; }), kFullEnv);
  EXPECT_PROBLEM(load, "/keys/0/key",
                 "plaintext secret refused; use env:NAME or file:PATH (or set local_demo: true for "
                 "local demos)");
  EXPECT_EQ(dump(load).find("gw-plain"), std::string::npos);
}

TEST(Secrets, PlaintextAcceptedWithLocalDemo) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["local_demo"] = true;
                                      o["providers"].as_object()["openai"].as_object()["api_key"] =
                                          "sk-demo";
                                      o["keys"].as_array()[0].as_object()["key"] = "gw-plain";
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_TRUE(load.config->local_demo);
  EXPECT_EQ(load.config->providers.at("openai").api_key, "sk-demo");
  ASSERT_EQ(load.config->keys.size(), 1u);
  EXPECT_TRUE(hashes_equal(load.config->keys[0].sha256, hash_key("gw-plain")));
  EXPECT_EQ(load.config->keys[0].demo_plaintext, "gw-plain");
  // local_demo itself is flagged, so it is never on by accident.
  ASSERT_EQ(load.problems.size(), 1u) << dump(load);
  EXPECT_TRUE(load.problems[0].warning);
  EXPECT_EQ(load.problems[0].pointer, "/local_demo");
  EXPECT_EQ(load.problems[0].message,
            "local_demo is on: plaintext secrets are accepted; never use this in production");
}

TEST(Secrets, ProviderCredentialsAreResolvedFromEnv) {
  const ConfigLoad load = load_json(kMinimal, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const ProviderSettings& openai = load.config->providers.at("openai");
  EXPECT_EQ(openai.api_key, "sk-openai-secret");
  EXPECT_FALSE(openai.credential_missing);
  EXPECT_EQ(openai.raw.at("api_key").as_string(), "sk-openai-secret");
}

TEST(Secrets, UnresolvedProviderKeyIsAWarningAndMarksTheProvider) {
  const ConfigLoad load = load_json(kMinimal, {{"ANTHROPIC_API_KEY", "a"}, {"DEV_KEY", "k"}});
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  ASSERT_EQ(load.problems.size(), 1u) << dump(load);
  EXPECT_TRUE(load.problems[0].warning);
  EXPECT_EQ(load.problems[0].pointer, "/providers/openai/api_key");
  EXPECT_EQ(load.problems[0].message,
            "environment variable OPENAI_API_KEY is not set; requests to provider \"openai\" "
            "will fail with 503 until it is resolved");
  const ProviderSettings& openai = load.config->providers.at("openai");
  EXPECT_TRUE(openai.credential_missing);
  EXPECT_EQ(openai.credential_problem, "environment variable OPENAI_API_KEY is not set");
  EXPECT_EQ(openai.api_key, "");
  EXPECT_FALSE(openai.raw.contains("api_key"));
}

TEST(Secrets, UnresolvedGatewayKeyIsSkippedWithAWarning) {
  const ConfigLoad load =
      load_json(edited([](auto& o) {
                  o["keys"].as_array().push_back({{"key", "env:MISSING_KEY"}, {"persona", "dev"}});
                }),
                kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->keys.size(), 1u);
  ASSERT_EQ(load.problems.size(), 1u) << dump(load);
  EXPECT_TRUE(load.problems[0].warning);
  EXPECT_EQ(load.problems[0].pointer, "/keys/1/key");
  EXPECT_EQ(load.problems[0].message,
            "environment variable MISSING_KEY is not set; this key is skipped");
}

TEST(Secrets, VaultProviderKeyIsAnError) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["openai"].as_object()["api_key"] =
                                          "vault:kv/openai#key";
                                    }),
                                    kFullEnv);
  EXPECT_FALSE(load.config.has_value());
  EXPECT_PROBLEM(load, "/providers/openai/api_key", "secret store vault is not available yet");
}

TEST(Secrets, BedrockCredentialFieldsAreSecretReferencesToo) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["bedrock"] = {
                                          {"type", "bedrock"},
                                          {"region", "us-east-1"},
                                          {"access_key_id", "env:AWS_ACCESS_KEY_ID"},
                                          {"secret_access_key", "AKIAPLAINTEXT"}};
                                    }),
                                    {{"OPENAI_API_KEY", "a"},
                                     {"ANTHROPIC_API_KEY", "b"},
                                     {"DEV_KEY", "c"},
                                     {"AWS_ACCESS_KEY_ID", "AKIA123"}});
  EXPECT_PROBLEM(load, "/providers/bedrock/secret_access_key",
                 "plaintext secret refused; use env:NAME or file:PATH (or set local_demo: true for "
                 "local demos)");
  EXPECT_EQ(error_count(load), 1u) << dump(load);
}

TEST(Secrets, BedrockCredentialsResolveIntoRaw) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      o["providers"].as_object()["bedrock"] = {
                                          {"type", "bedrock"},
                                          {"region", "us-east-1"},
                                          {"access_key_id", "env:AWS_ACCESS_KEY_ID"},
                                          {"secret_access_key", "env:AWS_SECRET_ACCESS_KEY"}};
                                    }),
                                    {{"OPENAI_API_KEY", "a"},
                                     {"ANTHROPIC_API_KEY", "b"},
                                     {"DEV_KEY", "c"},
                                     {"AWS_ACCESS_KEY_ID", "AKIA123"},
                                     {"AWS_SECRET_ACCESS_KEY", "wJalr"}});
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  const ProviderSettings& bedrock = load.config->providers.at("bedrock");
  EXPECT_EQ(bedrock.raw.at("access_key_id").as_string(), "AKIA123");
  EXPECT_EQ(bedrock.raw.at("secret_access_key").as_string(), "wJalr");
  EXPECT_EQ(bedrock.base_url, "");
  EXPECT_FALSE(bedrock.credential_missing);
}

TEST(Secrets, FileKeysAreRelativeToTheConfigFile) {
  TempDir dir;
  dir.write("dev.key", "gw-from-file\n");
  const fs::path config = dir.write("gateway.json", edited([](auto& o) {
                                      o["keys"].as_array()[0].as_object()["key"] = "file:dev.key";
                                    }));
  const ConfigLoad load = load_config_file(config.string(), options_with_env(kFullEnv));
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  ASSERT_EQ(load.config->keys.size(), 1u);
  EXPECT_TRUE(hashes_equal(load.config->keys[0].sha256, hash_key("gw-from-file")));
  EXPECT_EQ(load.config->keys[0].demo_plaintext, "");  // only plaintext keys are kept
  EXPECT_EQ(load.config->source_path, config.string());
}

TEST(Secrets, NoSecretValueAppearsInAnyProblem) {
  // Every kind of problem at once, with secrets that must not leak.
  const ConfigLoad load =
      load_json(edited([](auto& o) {
                  o["providers"].as_object()["openai"].as_object()["api_key"] = "sk-LEAK-1";
                  o["keys"].as_array().push_back({{"key", "env:DUP"}, {"persona", "dev"}});
                  o["keys"].as_array().push_back({{"key", "gw-LEAK-2"}, {"persona", "ghost"}});
                }),
                {{"DEV_KEY", "gw-LEAK-3"}, {"DUP", "gw-LEAK-3"}});
  const std::string all = dump(load);
  EXPECT_GE(error_count(load), 4u) << all;
  EXPECT_EQ(all.find("LEAK"), std::string::npos) << all;
}

}  // namespace
}  // namespace gw::testing
