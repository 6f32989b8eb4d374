// The embedded price catalog, its JSON form, name resolution and merging.
//
// Prices asserted here are the providers' published figures (the page is named at each
// check), not values read back from our own output.
#include "tokwise/catalog.h"

#include <set>
#include <string>

#include "cost/embedded_catalog.h"
#include "gtest/gtest.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

constexpr PricePerMTok kUsd = 1'000'000;  // One USD per million tokens.

const ModelInfo& Get(std::string_view name) {
  auto m = Catalog::Default().Find(name);
  EXPECT_TRUE(m.ok()) << name << ": " << m.status();
  static const ModelInfo kEmpty;
  return m.ok() ? **m : kEmpty;
}

TEST(EmbeddedCatalog, ParsesAndIsComplete) {
  auto parsed = Catalog::FromJson(cost_internal::EmbeddedCatalogJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size(), Catalog::Default().size());
  EXPECT_GE(Catalog::Default().size(), 40u);
  // Every model the issue lists is present.
  for (const char* name : {"gpt-5",
                           "gpt-5-mini",
                           "gpt-5-nano",
                           "gpt-4.1",
                           "gpt-4.1-mini",
                           "gpt-4.1-nano",
                           "gpt-4o",
                           "gpt-4o-mini",
                           "o1",
                           "o3",
                           "o3-mini",
                           "o4-mini",
                           "gpt-4-turbo",
                           "gpt-4-1106-preview",
                           "gpt-4",
                           "gpt-3.5-turbo",
                           "claude-opus-4-5",
                           "claude-opus-4-1",
                           "claude-opus-4-0",
                           "claude-sonnet-4-5",
                           "claude-sonnet-4-0",
                           "claude-haiku-4-5",
                           "claude-3-7-sonnet",
                           "claude-3-5-sonnet",
                           "claude-3-5-haiku",
                           "claude-3-opus",
                           "claude-3-haiku",
                           "gemini-2.5-pro",
                           "gemini-2.5-flash",
                           "gemini-2.0-flash"}) {
    EXPECT_TRUE(Catalog::Default().Find(name).ok()) << name;
  }
}

TEST(EmbeddedCatalog, EveryEntryIsSourcedAndConsistent) {
  const std::set<std::string> providers = {"openai", "anthropic", "google", "cerebras"};
  for (const ModelInfo* m : Catalog::Default().All()) {
    SCOPED_TRACE(m->id);
    EXPECT_EQ(m->source.rfind("https://", 0), 0u) << m->source;
    EXPECT_TRUE(providers.count(m->provider)) << m->provider;
    EXPECT_GT(m->prices.input, 0);
    EXPECT_GT(m->prices.output, 0);
    EXPECT_LE(m->max_output, m->context_window);
    // OpenAI models carry the encoding the tokenizer registry gives for their name.
    if (m->provider == "openai") {
      auto enc = EncodingNameForModel(m->id);
      ASSERT_TRUE(enc.ok()) << enc.status();
      EXPECT_EQ(m->tokenizer, *enc);
      EXPECT_TRUE(m->prices.cache_write_5m == kNotOffered);
    }
    if (m->provider == "anthropic") {
      EXPECT_EQ(m->tokenizer, "claude");
    }
    if (m->provider == "google") {
      EXPECT_EQ(m->tokenizer, "gemini");
    }
    // Anthropic's documented multipliers (platform.claude.com/docs/en/about-claude/pricing,
    // "Prompt caching"): 5-minute write 1.25x input, 1-hour write 2x, cache read 0.1x. The
    // one exception is on the same page's table: Claude Haiku 3, $0.25 input, $0.30 5m write,
    // $0.03 cache hit (checked in DocumentedPrices).
    if (m->provider == "anthropic" && m->id != "claude-3-haiku") {
      EXPECT_EQ(m->prices.cache_write_5m * 4, m->prices.input * 5);
      EXPECT_EQ(m->prices.cache_write_1h, m->prices.input * 2);
      EXPECT_EQ(m->prices.cache_read * 10, m->prices.input);
      for (const LongContextTier& t : m->long_context_tiers) {
        EXPECT_EQ(t.prices.cache_write_5m * 4, t.prices.input * 5);
        EXPECT_EQ(t.prices.cache_write_1h, t.prices.input * 2);
        EXPECT_EQ(t.prices.cache_read * 10, t.prices.input);
      }
    }
    // Every provider here documents batch as 50% of the standard price.
    if (m->prices.batch_input != kNotOffered) {
      EXPECT_EQ(m->prices.batch_input * 2, m->prices.input);
      EXPECT_EQ(m->prices.batch_output * 2, m->prices.output);
    }
    if (!m->prices_effective.empty()) {
      EXPECT_EQ(m->prices_effective.size(), 10u);
    }
  }
}

TEST(EmbeddedCatalog, DocumentedPrices) {
  // OpenAI pricing page (platform.openai.com/docs/pricing): gpt-4o $2.50 input, $1.25 cached,
  // $10 output; 128k window, 16,384 max output.
  const ModelInfo& gpt4o = Get("gpt-4o");
  EXPECT_EQ(gpt4o.prices.input, 2'500'000);
  EXPECT_EQ(gpt4o.prices.cache_read, 1'250'000);
  EXPECT_EQ(gpt4o.prices.output, 10 * kUsd);
  EXPECT_EQ(gpt4o.context_window, 128000u);
  EXPECT_EQ(gpt4o.max_output, 16384u);
  EXPECT_EQ(gpt4o.min_cacheable_prefix, 1024u);
  // gpt-4-1106-preview at $10/$30 and gpt-4 at $30/$60 (OpenAI pricing page, legacy models).
  EXPECT_EQ(Get("gpt-4-1106-preview").prices.input, 10 * kUsd);
  EXPECT_EQ(Get("gpt-4-1106-preview").prices.output, 30 * kUsd);
  EXPECT_EQ(Get("gpt-4").prices.input, 30 * kUsd);
  EXPECT_EQ(Get("gpt-4").prices.output, 60 * kUsd);
  // gpt-5: $1.25 / $0.125 cached / $10; 400k window with at most 272k input.
  EXPECT_EQ(Get("gpt-5").prices.cache_read, 125'000);
  EXPECT_EQ(Get("gpt-5").max_input, 272000u);
  // Anthropic pricing page: Claude Opus 4.5 $5 input, $6.25 5m write, $10 1h write, $0.50
  // cache hit, $25 output; Claude Haiku 3 $0.25 / $0.30 / $0.50 / $0.03 / $1.25.
  const ModelInfo& opus = Get("claude-opus-4-5");
  EXPECT_EQ(opus.prices.input, 5 * kUsd);
  EXPECT_EQ(opus.prices.cache_write_5m, 6'250'000);
  EXPECT_EQ(opus.prices.cache_write_1h, 10 * kUsd);
  EXPECT_EQ(opus.prices.cache_read, 500'000);
  EXPECT_EQ(opus.prices.output, 25 * kUsd);
  const ModelInfo& haiku3 = Get("claude-3-haiku");
  EXPECT_EQ(haiku3.prices.cache_write_5m, 300'000);
  EXPECT_EQ(haiku3.prices.cache_write_1h, 500'000);
  EXPECT_EQ(haiku3.prices.cache_read, 30'000);
  // Anthropic prompt-caching docs: minimum cacheable prompt 1024 (Sonnet 4.5), 2048 (Haiku 3).
  EXPECT_EQ(Get("claude-sonnet-4-5").min_cacheable_prefix, 1024u);
  EXPECT_EQ(haiku3.min_cacheable_prefix, 2048u);
  // Long context (Anthropic pricing page): Sonnet 4.5 with the 1M window, above 200k input
  // tokens: $6 input, $22.50 output.
  const ModelInfo& sonnet1m = Get("claude-sonnet-4-5[1m]");
  ASSERT_EQ(sonnet1m.long_context_tiers.size(), 1u);
  EXPECT_EQ(sonnet1m.long_context_tiers[0].threshold_tokens, 200000u);
  EXPECT_EQ(sonnet1m.long_context_tiers[0].prices.input, 6 * kUsd);
  EXPECT_EQ(sonnet1m.long_context_tiers[0].prices.output, 22'500'000);
  EXPECT_EQ(sonnet1m.context_window, 1000000u);
  // Gemini pricing page: 2.5 Pro $1.25 / $10 up to 200k prompt tokens, $2.50 / $15 above.
  const ModelInfo& pro = Get("gemini-2.5-pro");
  EXPECT_EQ(pro.prices.input, 1'250'000);
  EXPECT_EQ(pro.prices.output, 10 * kUsd);
  ASSERT_EQ(pro.long_context_tiers.size(), 1u);
  EXPECT_EQ(pro.long_context_tiers[0].prices.input, 2'500'000);
  EXPECT_EQ(pro.long_context_tiers[0].prices.output, 15 * kUsd);
  EXPECT_EQ(pro.context_window, 1048576u);
}

TEST(Find, NameForms) {
  const Catalog& c = Catalog::Default();
  struct Case {
    const char* name;
    const char* id;
    MatchKind kind;
  };
  const Case cases[] = {
      {"gpt-4o", "gpt-4o", MatchKind::kExact},
      {"GPT-4o", "gpt-4o", MatchKind::kExact},
      {"gpt-4o-2024-08-06", "gpt-4o", MatchKind::kAlias},
      {"gpt-4o-2099-01-01", "gpt-4o", MatchKind::kSnapshot},
      {"gpt-4o-2024-05-13", "gpt-4o-2024-05-13", MatchKind::kExact},
      {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5", MatchKind::kAlias},
      {"claude-haiku-4-5-20991231", "claude-haiku-4-5", MatchKind::kSnapshot},
      {"openai/gpt-4o", "gpt-4o", MatchKind::kProviderPrefix},
      {"openrouter/openai/gpt-4o-mini", "gpt-4o-mini", MatchKind::kProviderPrefix},
      {"anthropic/claude-sonnet-4-5-20250929", "claude-sonnet-4-5", MatchKind::kProviderPrefix},
      {"gemini/gemini-2.5-pro", "gemini-2.5-pro", MatchKind::kProviderPrefix},
      {"azure/gpt-4o", "gpt-4o", MatchKind::kProviderPrefix},
      {"azure/gpt-35-turbo", "gpt-3.5-turbo", MatchKind::kProviderPrefix},
      {"anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet", MatchKind::kBedrock},
      {"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet", MatchKind::kBedrock},
      {"bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5",
       MatchKind::kBedrock},
      {"global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5", MatchKind::kBedrock},
      {"claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet", MatchKind::kVertex},
      {"claude-opus-4-1@20250805", "claude-opus-4-1", MatchKind::kVertex},
      {"cerebras/gpt-oss-120b", "cerebras/gpt-oss-120b", MatchKind::kExact},
  };
  for (const Case& k : cases) {
    auto r = c.Resolve(k.name);
    ASSERT_TRUE(r.ok()) << k.name << ": " << r.status();
    EXPECT_EQ(r->model->id, k.id) << k.name;
    EXPECT_EQ(static_cast<int>(r->kind), static_cast<int>(k.kind)) << k.name;
  }
}

TEST(Find, UnknownModelsAreErrorsNotZero) {
  const Catalog& c = Catalog::Default();
  for (const char* name : {
           "gpt-7",                              // Unknown.
           "",                                   // Empty.
           "gpt-3.5-turbo-0613",                 // A snapshot with other prices: no fallback.
           "o1-preview-2024-09-12",              // Not o1.
           "gpt-oss-120b",                       // Served by many providers at many prices.
           "openai/claude-3-haiku",              // Provider disagrees.
           "ft:gpt-4o-mini-2024-07-18:org::x1",  // Fine-tunes cost more than the base model.
           "azure/my-prod-deployment",           // Deployment name unknown.
       }) {
    auto m = c.Find(name);
    EXPECT_FALSE(m.ok()) << name << " resolved to " << (m.ok() ? (*m)->id : "");
  }
  EXPECT_EQ(c.Find("gpt-7").status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(c.Find("azure/my-prod-deployment").status().message().find("Azure"),
            absl::string_view::npos);
  EXPECT_NE(c.Find("openai/claude-3-haiku").status().message().find("anthropic"),
            absl::string_view::npos);
}

// A small catalog in our own form. Prices: the bug report of issue 5 ($1.40 / $0.26 / $4.40).
constexpr char kSmall[] = R"({
  "models": [
    {"id": "report-model", "provider": "example", "tokenizer": "o200k_base",
     "aliases": ["report-model-latest"], "context_window": 128000, "max_output": 128000,
     "prices": {"input": "1.40", "output": 4.40, "cache_read": "0.26"},
     "source": "https://example.invalid/issue-5"}
  ]})";

TEST(FromJson, ReadsOurForm) {
  auto c = Catalog::FromJson(kSmall);
  ASSERT_TRUE(c.ok()) << c.status();
  auto m = c->Find("report-model-latest");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->prices.input, 1'400'000);
  EXPECT_EQ((*m)->prices.output, 4'400'000);  // From a JSON number, exactly.
  EXPECT_EQ((*m)->prices.cache_read, 260'000);
  EXPECT_EQ((*m)->prices.cache_write_5m, kNotOffered);
}

TEST(FromJson, ErrorsNameTheJsonPath) {
  struct Case {
    const char* json;
    const char* path;
  };
  const Case cases[] = {
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 5, "prices": {"input": 1, "output": 2, "cache_reads": 1},
          "source": "s"}]})",
       "$.models[0].prices.cache_reads"},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 5, "prices": {"input": "-1", "output": 2}, "source": "s"}]})",
       "$.models[0].prices.input"},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 5, "prices": {"input": "0.0000001", "output": 2}, "source": "s"}]})",
       "$.models[0].prices.input"},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": "10",
          "max_output": 5, "prices": {"input": 1, "output": 2}, "source": "s"}]})",
       "$.models[0].context_window"},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 5, "prices": {"input": 1, "output": 2}}]})",
       "$.models[0] (a): missing \"source\""},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 50, "prices": {"input": 1, "output": 2}, "source": "s"}]})",
       "max_output is larger"},
      {R"({"models": [{"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10,
          "max_output": 5, "prices": {"input": 1, "output": 2}, "source": "s",
          "long_context": [{"above": 8, "prices": {}}, {"above": 4, "prices": {}}]}]})",
       "$.models[0].long_context[1].above"},
      {R"({"models": [
          {"id": "a", "provider": "p", "tokenizer": "t", "context_window": 10, "max_output": 5,
           "prices": {"input": 1, "output": 2}, "source": "s"},
          {"id": "b", "aliases": ["A"], "provider": "p", "tokenizer": "t", "context_window": 10,
           "max_output": 5, "prices": {"input": 1, "output": 2}, "source": "s"}]})",
       "$.models[1]"},
      {R"({"models": [{"id": "a", )", "$"},
      {R"([1, 2])", "$: expected an object"},
      {R"({"models": []} x)", "$"},
  };
  for (const Case& k : cases) {
    auto c = Catalog::FromJson(k.json);
    ASSERT_FALSE(c.ok()) << k.json;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find(k.path), absl::string_view::npos)
        << c.status() << " should name " << k.path;
  }
}

TEST(FromJson, DamagedCatalogIsAnErrorNotACrash) {
  // Prefixes of the embedded catalog: every one is malformed JSON and must say so.
  const std::string_view full = cost_internal::EmbeddedCatalogJson();
  for (size_t n = 0; n + 1 < full.size(); n += 97) {
    auto c = Catalog::FromJson(full.substr(0, n));
    EXPECT_FALSE(c.ok()) << "prefix of " << n << " bytes";
  }
}

TEST(Merge, OverridesAndExtends) {
  Catalog c = Catalog::Default();
  const size_t before = c.size();
  // An override of gpt-4o's prices and a new model.
  auto overrides = Catalog::FromJson(R"({"models": [
    {"id": "gpt-4o", "provider": "openai", "tokenizer": "o200k_base", "context_window": 128000,
     "max_output": 16384, "prices": {"input": "2.00", "output": "8.00"},
     "source": "https://example.invalid/negotiated"},
    {"id": "my-model", "provider": "example", "tokenizer": "cl100k_base",
     "aliases": ["gpt-4o-2024-11-20"], "context_window": 8000, "max_output": 1000,
     "prices": {"input": "1", "output": "2"}, "source": "https://example.invalid/mine"}]})");
  ASSERT_TRUE(overrides.ok()) << overrides.status();
  ASSERT_TRUE(c.Merge(*overrides).ok());
  EXPECT_EQ(c.size(), before + 1);
  EXPECT_EQ((*c.Find("gpt-4o"))->prices.input, 2 * kUsd);
  EXPECT_EQ((*c.Find("openai/gpt-4o"))->prices.input, 2 * kUsd);
  // The override replaced the whole entry: a dated name now reaches the override.
  EXPECT_EQ((*c.Find("gpt-4o-2024-08-06"))->prices.input, 2 * kUsd);
  // The new model took over an alias.
  EXPECT_EQ((*c.Find("gpt-4o-2024-11-20"))->id, "my-model");
  // The embedded catalog itself is unchanged.
  EXPECT_EQ((*Catalog::Default().Find("gpt-4o"))->prices.input, 2'500'000);
}

TEST(Merge, AliasCollidingWithAnotherIdIsAnError) {
  Catalog c = Catalog::Default();
  auto overrides = Catalog::FromJson(R"({"models": [
    {"id": "x", "aliases": ["gpt-4"], "provider": "p", "tokenizer": "t", "context_window": 10,
     "max_output": 5, "prices": {"input": 1, "output": 2}, "source": "s"}]})");
  ASSERT_TRUE(overrides.ok());
  EXPECT_FALSE(c.Merge(*overrides).ok());
  EXPECT_EQ((*c.Find("gpt-4"))->id, "gpt-4");  // Unchanged after the failed merge.
}

}  // namespace
}  // namespace tokwise
