// Benchmarks of lib/cost: reading provider usage JSON (the JSON-handling target of issue 5 is
// >= 1 GB/s, tokenization excluded), pricing, name resolution and catalog loading.
#include <fstream>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "tokwise/catalog.h"
#include "tokwise/pricing.h"
#include "tokwise/usage.h"

namespace {

// A usage object alone, as providers send it (OpenAI Chat Completions shape).
const std::string kChatUsage =
    R"({"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,)"
    R"( "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},)"
    R"( "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,)"
    R"( "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}})";

const std::string kAnthropicUsage =
    R"({"input_tokens": 6, "cache_creation_input_tokens": 159217, "cache_read_input_tokens": 0,)"
    R"( "cache_creation": {"ephemeral_5m_input_tokens": 159217, "ephemeral_1h_input_tokens": 0},)"
    R"( "output_tokens": 2745, "service_tier": "standard"})";

const std::string kGeminiUsage =
    R"({"usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 200,)"
    R"( "thoughtsTokenCount": 800, "cachedContentTokenCount": 600, "totalTokenCount": 2000,)"
    R"( "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1000}]}})";

// A whole Chat Completions response: the reply text (about `reply_bytes` of it) is skipped,
// only the usage object is read.
std::string ChatResponse(size_t reply_bytes) {
  std::string reply;
  const std::string sentence =
      "The quick brown fox jumps over the lazy dog, and \\\"quotes\\\" are escaped here. ";
  while (reply.size() < reply_bytes) reply += sentence;
  return R"({"id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion",)"
         R"( "created": 1741570283, "model": "gpt-4o-2024-08-06", "choices": [{"index": 0,)"
         R"( "message": {"role": "assistant", "content": ")" +
         reply +
         R"(", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],)"
         R"( "usage": )" +
         kChatUsage + R"(, "service_tier": "default", "system_fingerprint": "fp_fc9f1d7035"})";
}

void RunNormalize(benchmark::State& state, const std::string& json) {
  for (auto _ : state) {
    auto u = tokwise::NormalizeUsage(json);
    if (!u.ok()) state.SkipWithError("normalize failed");
    benchmark::DoNotOptimize(u);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_NormalizeUsage_OpenAiChatUsageObject(benchmark::State& state) {
  RunNormalize(state, kChatUsage);
}
BENCHMARK(BM_NormalizeUsage_OpenAiChatUsageObject);

void BM_NormalizeUsage_AnthropicUsageObject(benchmark::State& state) {
  RunNormalize(state, kAnthropicUsage);
}
BENCHMARK(BM_NormalizeUsage_AnthropicUsageObject);

void BM_NormalizeUsage_GeminiUsageMetadata(benchmark::State& state) {
  RunNormalize(state, kGeminiUsage);
}
BENCHMARK(BM_NormalizeUsage_GeminiUsageMetadata);

void BM_NormalizeUsage_OpenAiChatResponse(benchmark::State& state) {
  RunNormalize(state, ChatResponse(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_NormalizeUsage_OpenAiChatResponse)->Arg(512)->Arg(4096)->Arg(65536);

void BM_PriceAfterCall_OpenAiChat(benchmark::State& state) {
  const tokwise::ModelInfo* model = *tokwise::Catalog::Default().Find("gpt-4o");
  for (auto _ : state) {
    auto c = tokwise::PriceAfterCall(*model, kChatUsage);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChatUsage.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PriceAfterCall_OpenAiChat);

void BM_CatalogFind_Exact(benchmark::State& state) {
  const tokwise::Catalog& c = tokwise::Catalog::Default();
  for (auto _ : state) benchmark::DoNotOptimize(c.Find("gpt-4o"));
}
BENCHMARK(BM_CatalogFind_Exact);

void BM_CatalogFind_Bedrock(benchmark::State& state) {
  const tokwise::Catalog& c = tokwise::Catalog::Default();
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.Find("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
  }
}
BENCHMARK(BM_CatalogFind_Bedrock);

void BM_CatalogFromJson_Embedded(benchmark::State& state) {
  // The embedded catalog's text, reproduced through --json-equivalent output is not public;
  // parse a catalog of the same form built from the default's entries instead.
  std::string json = "{\"models\": [";
  bool first = true;
  for (const tokwise::ModelInfo* m : tokwise::Catalog::Default().All()) {
    if (!first) json += ",";
    first = false;
    json += "{\"id\": \"" + m->id + "\", \"provider\": \"" + m->provider + "\", \"tokenizer\": \"" +
            m->tokenizer + "\", \"context_window\": " + std::to_string(m->context_window) +
            ", \"max_output\": " + std::to_string(m->max_output) + ", \"prices\": {\"input\": \"" +
            tokwise::FormatPricePerMTok(m->prices.input) + "\", \"output\": \"" +
            tokwise::FormatPricePerMTok(m->prices.output) + "\"}, \"source\": \"" + m->source +
            "\", \"notes\": \"" + m->notes + "\"}";
  }
  json += "]}";
  for (auto _ : state) {
    auto c = tokwise::Catalog::FromJson(json);
    if (!c.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_CatalogFromJson_Embedded);

void BM_LiteLlmImport_Excerpt(benchmark::State& state) {
  std::ifstream in(std::string(TOKWISE_TEST_DATA) + "/litellm_excerpt.json");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string json = buf.str();
  for (auto _ : state) {
    auto c = tokwise::Catalog::FromLiteLlmJson(json);
    if (!c.ok()) state.SkipWithError("import failed");
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_LiteLlmImport_Excerpt);

}  // namespace

BENCHMARK_MAIN();
