// The model registry: name forms (as providers spell them in their APIs and docs), labels,
// overrides, and finding tokenizer files.
#include "tokwise/registry.h"

#include <gtest/gtest.h>

#include <string>

#include "golden_util.h"
#include "test_util.h"

namespace tokwise {
namespace {

using testing::SharedData;

struct NameCase {
  const char* model;
  const char* tokenizer;
  Exactness exactness;
};

TEST(Registry, NameForms) {
  const ModelRegistry& reg = ModelRegistry::Default();
  const NameCase cases[] = {
      // OpenAI, as tiktoken's model table maps them; dated snapshots, provider prefixes,
      // Azure deployment names, fine-tunes.
      {"gpt-4o", "o200k_base", Exactness::kExact},
      {"gpt-4o-2024-08-06", "o200k_base", Exactness::kExact},
      {"openai/gpt-4.1-mini", "o200k_base", Exactness::kExact},
      {"azure/gpt-4o", "o200k_base", Exactness::kExact},
      {"ft:gpt-4o-mini-2024-07-18:acme::abc123", "o200k_base", Exactness::kExact},
      {"o3-mini", "o200k_base", Exactness::kExact},
      {"gpt-4-0613", "cl100k_base", Exactness::kExact},
      {"gpt-35-turbo", "cl100k_base", Exactness::kExact},
      {"text-embedding-3-small", "cl100k_base", Exactness::kExact},
      {"gpt-oss-120b", "o200k_harmony", Exactness::kExact},
      // Anthropic: direct, Bedrock (with and without region), Vertex.
      {"claude-3-5-sonnet-20241022", "estimate:claude", Exactness::kEstimate},
      {"anthropic.claude-3-5-sonnet-20240620-v1:0", "estimate:claude", Exactness::kEstimate},
      {"us.anthropic.claude-sonnet-4-20250514-v1:0", "estimate:claude", Exactness::kEstimate},
      {"claude-3-5-sonnet-v2@20241022", "estimate:claude", Exactness::kEstimate},
      {"claude-opus-4-7", "estimate:claude-opus-4.7", Exactness::kEstimate},
      {"claude-2.1", "claude_legacy", Exactness::kExact},
      {"claude-instant-1.2", "claude_legacy", Exactness::kExact},
      // Google.
      {"gemini-2.5-pro", "estimate:gemini", Exactness::kEstimate},
      {"models/gemini-2.0-flash-001", "estimate:gemini", Exactness::kEstimate},
      {"google/gemma-3-27b-it", "hf:gemma3", Exactness::kExact},
      // Open-weight models by their Hugging Face and Bedrock names.
      {"llama-3.1-8b", "hf:llama3", Exactness::kExact},
      {"meta-llama/Llama-3.1-8B-Instruct", "hf:llama3", Exactness::kExact},
      {"meta-llama/Meta-Llama-3-8B", "hf:llama3", Exactness::kExact},
      {"meta.llama3-1-8b-instruct-v1:0", "hf:llama3", Exactness::kExact},
      {"meta-llama/Llama-2-7b-chat-hf", "spm:llama2", Exactness::kExact},
      {"Qwen/Qwen3-8B", "hf:qwen3", Exactness::kExact},
      {"qwen2.5-72b-instruct", "hf:qwen2.5", Exactness::kExact},
      {"deepseek-chat", "hf:deepseek_v3", Exactness::kExact},
      {"deepseek-ai/DeepSeek-V3", "hf:deepseek_v3", Exactness::kExact},
      {"mistralai/Mistral-7B-Instruct-v0.2", "spm:mistral_v1", Exactness::kExact},
      {"mistral.mistral-7b-instruct-v0:2", "spm:mistral_v1", Exactness::kExact},
      {"mistralai/Mistral-7B-Instruct-v0.3", "spm:mistral_v3", Exactness::kExact},
  };
  for (const NameCase& c : cases) {
    auto e = reg.Find(c.model);
    ASSERT_TRUE(e.ok()) << c.model << ": " << e.status();
    EXPECT_EQ(e->tokenizer, c.tokenizer) << c.model << " (canonical " << e->canonical << ")";
    EXPECT_EQ(e->exactness, c.exactness) << c.model;
  }
}

TEST(Registry, UnknownModelsAreErrors) {
  const ModelRegistry& reg = ModelRegistry::Default();
  for (const char* m : {"", "my-own-model", "llama-4-scout", "gpt4o"}) {
    auto e = reg.Find(m);
    ASSERT_FALSE(e.ok()) << m << " resolved to " << e->tokenizer;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
  }
}

TEST(Registry, EstimateProfilesNameTheirSources) {
  const ModelRegistry& reg = ModelRegistry::Default();
  for (const char* name : {"claude", "claude-opus-4.7", "gemini"}) {
    const EstimateProfile* p = reg.FindEstimate(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_FALSE(p->source.empty());
    EXPECT_EQ(p->exactness, Exactness::kEstimate);  // No billed counts to calibrate against.
    EXPECT_LE(p->low, p->factor);
    EXPECT_GE(p->high, p->factor);
  }
  auto tok = reg.TokenizerFor("claude-sonnet-4-5");
  ASSERT_TRUE(tok.ok()) << tok.status();
  auto n = (*tok)->Count("Hello, world");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->exactness, Exactness::kEstimate);
  EXPECT_LT(n->low, n->high);
}

TEST(Registry, FilesComeFromTheSearchFoldersOnly) {
  const ModelRegistry& reg = ModelRegistry::Default();
  // Without a folder: a clear error naming what to provide.
  auto missing = reg.TokenizerFor("llama-3.1-8b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("llama3/tokenizer.json"), absl::string_view::npos)
      << missing.status();
  // With the shared vocab folder, which holds hf/llama3/tokenizer.json.
  TokenizerSearch search;
  search.dirs = {"/nonexistent", SharedData("vocab")};
  auto tok = reg.TokenizerFor("llama-3.1-8b", search);
  ASSERT_TRUE(tok.ok()) << tok.status();
  EXPECT_EQ((*tok)->name(), "hf:llama3");
  auto again = reg.TokenizerFor("meta-llama/Llama-3.1-8B-Instruct", search);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), tok->get()) << "the loaded file is cached";
  // Its counts are the golden ones.
  auto golden = testing::ReadGolden("hf_llama3", /*lines=*/true);
  ASSERT_FALSE(golden.empty());
  auto n = (*tok)->Count(golden[0].text);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->tokens, golden[0].ids.size());
  // A file named directly.
  TokenizerSearch direct;
  direct.files["spm:llama2"] = SharedData("vocab/spm/llama2_tokenizer.model");
  auto spm = reg.TokenizerFor("llama-2-7b", direct);
  ASSERT_TRUE(spm.ok()) << spm.status();
  EXPECT_EQ((*spm)->name(), "spm:llama2");
  // The legacy Claude rank file, found under the vocab folder.
  auto claude = reg.TokenizerFor("claude-2.1", search);
  ASSERT_TRUE(claude.ok()) << claude.status();
  EXPECT_EQ((*claude)->kind(), TokenizerKind::kClaudeLegacy);
}

TEST(Registry, OverridesComeFirst) {
  auto reg = ModelRegistry::Default().WithOverrides(R"({
    "estimates": {"gemini": {"base": "cl100k_base", "factor": 0.9, "low": 0.8, "high": 1.0,
                             "exactness": "calibrated", "source": "our own billed counts"}},
    "models": [{"match": ["gemini-2.5-*"], "tokenizer": "hf:gemma3"},
               {"match": ["my-model"], "tokenizer": "o200k_base"}]})");
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ(reg->Find("my-model")->tokenizer, "o200k_base");
  EXPECT_EQ(reg->Find("gemini-2.5-pro")->tokenizer, "hf:gemma3");
  auto flash = reg->Find("gemini-2.0-flash");
  ASSERT_TRUE(flash.ok());
  EXPECT_EQ(flash->tokenizer, "estimate:gemini");
  EXPECT_EQ(flash->exactness, Exactness::kCalibrated);
  // The default registry is unchanged.
  EXPECT_FALSE(ModelRegistry::Default().Find("my-model").ok());
}

TEST(Registry, BadOverridesAreErrors) {
  const ModelRegistry& reg = ModelRegistry::Default();
  const char* bad[] = {
      R"({"models": [{"match": ["x"], "tokenizer": "no-such-tokenizer"}]})",
      R"({"models": [{"match": ["x"], "tokenizer": "o200k_base", "exactness": "estimate"}]})",
      R"({"estimates": {"e": {"base": "o200k_base", "factor": 2, "low": 1, "high": 1.5}}})",
      R"({"estimates": {"e": {"base": "hf:llama3", "factor": 1, "low": 1, "high": 1}}})",
      R"({"estimates": {"e": {"base": "o200k_base", "factor": 1, "low": 1, "high": 1,
                              "exactness": "exact"}}})",
      R"({"tokenizers": {"t": {"kind": "hf"}}})",
      R"({"tokenizers": {"t": {"kind": "wordpiece", "files": ["x"]}}})",
      R"({"models": [{"match": [], "tokenizer": "o200k_base"}]})",
      R"({"models": )",
      R"([1, 2])",
  };
  for (const char* json : bad) {
    auto r = reg.WithOverrides(json);
    EXPECT_FALSE(r.ok()) << json;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    }
  }
}

}  // namespace
}  // namespace tokwise
