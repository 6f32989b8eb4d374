// Chat request counting: a 20-message request of about 4k tokens (target: <= 50 us on one
// thread), and the JSON handling alone (target: >= 1 GB/s, tokenization excluded).
//
// The request is built from a fixed public text (the GPL v3 from the shared corpus, cut into
// 19 ~920-byte turns after a system prompt: 3,950 o200k tokens), so figures are comparable
// between runs.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/json.h"
#include "tokwise/chat.h"
#include "tokwise/encoding.h"

namespace {

using tokwise::base::JsonString;

std::string ReadCorpus(const std::string& name) {
  std::ifstream in(std::string(TOKWISE_SHARED_DATA) + "/corpus/" + name, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

struct Fixture {
  std::string body;       // OpenAI Chat, 20 messages.
  std::string anthropic;  // The same conversation as an Anthropic body.
  std::string all_text;   // The message texts, concatenated.
  uint64_t tokens = 0;
};

const Fixture& Request() {
  static const Fixture f = [] {
    Fixture f;
    const std::string text = ReadCorpus("en_gpl3.txt");
    const std::string system = text.substr(0, 600);
    std::string messages = "{\"role\":\"system\",\"content\":" + JsonString(system) + "}";
    std::string anthropic_messages;
    f.all_text = system;
    size_t pos = 600;
    for (int i = 0; i < 19; ++i) {
      const std::string turn = text.substr(pos, 920);
      pos += 920;
      const char* role = i % 2 == 0 ? "user" : "assistant";
      messages += ",{\"role\":\"" + std::string(role) + "\",\"content\":" + JsonString(turn) + "}";
      if (!anthropic_messages.empty()) anthropic_messages += ",";
      anthropic_messages +=
          "{\"role\":\"" + std::string(role) + "\",\"content\":" + JsonString(turn) + "}";
      f.all_text += turn;
    }
    f.body = "{\"model\":\"gpt-4o\",\"temperature\":0.2,\"max_tokens\":1024,\"messages\":[" +
             messages + "]}";
    f.anthropic =
        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"system\":" + JsonString(system) +
        ",\"messages\":[" + anthropic_messages + "]}";
    f.tokens = tokwise::CountChatTokens(f.body)->total;
    return f;
  }();
  return f;
}

// Parse and count, nothing cached: the pre-flight check of a fresh request.
void BM_CountChatTokens_20Messages(benchmark::State& state) {
  const Fixture& f = Request();
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatCount> c = tokwise::CountChatTokens(f.body);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.body.size()));
  state.counters["prompt_tokens"] = static_cast<double>(f.tokens);
  state.counters["tokens/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * f.tokens), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CountChatTokens_20Messages);

void BM_CountChatTokens_20MessagesAnthropic(benchmark::State& state) {
  const Fixture& f = Request();
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatCount> c = tokwise::CountChatTokens(f.anthropic);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.anthropic.size()));
}
BENCHMARK(BM_CountChatTokens_20MessagesAnthropic);

// The same request with every message already in a MessageCountCache: an agent loop re-sending
// its history pays parsing and hashing only.
void BM_CountChatTokens_20MessagesCached(benchmark::State& state) {
  const Fixture& f = Request();
  tokwise::MessageCountCache cache;
  tokwise::ChatCountOptions options;
  options.cache = &cache;
  benchmark::DoNotOptimize(tokwise::CountChatTokens(f.body, options));
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatCount> c = tokwise::CountChatTokens(f.body, options);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.body.size()));
}
BENCHMARK(BM_CountChatTokens_20MessagesCached);

// JSON handling alone: parse the body into a ChatRequest (one copy of the body, views into it).
void BM_ParseChatRequest_20Messages(benchmark::State& state) {
  const Fixture& f = Request();
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatRequest> r = tokwise::ParseChatRequest(f.body);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.body.size()));
}
BENCHMARK(BM_ParseChatRequest_20Messages);

// As above with the API given, skipping format detection.
void BM_ParseChatRequest_20MessagesKnownFormat(benchmark::State& state) {
  const Fixture& f = Request();
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatRequest> r =
        tokwise::ParseChatRequest(f.body, tokwise::ChatFormat::kOpenAIChat);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.body.size()));
}
BENCHMARK(BM_ParseChatRequest_20MessagesKnownFormat);

// A request carrying a 1.5 MB inline JPEG: parsing plus the image's size from its header.
void BM_CountChatTokens_InlineImage(benchmark::State& state) {
  std::string jpeg("\xff\xd8\xff\xe1", 4);
  jpeg += "\xff\xfe";  // An APP1 segment of 65534 bytes.
  jpeg.append(65532, 'x');
  jpeg += std::string("\xff\xc0\x00\x11\x08\x0c\x00\x10\x00\x03", 10);
  jpeg.resize(1100000, 'y');
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i + 3 <= jpeg.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(jpeg[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(jpeg[i + 1])} << 8) |
                       static_cast<unsigned char>(jpeg[i + 2]);
    for (int k = 3; k >= 0; --k) b64 += kAlphabet[(v >> (6 * k)) & 63];
  }
  const std::string body =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
      "\"text\":\"What is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":"
      "\"data:image/jpeg;base64," +
      b64 + "\"}}]}]}";
  for (auto _ : state) {
    absl::StatusOr<tokwise::ChatCount> c = tokwise::CountChatTokens(body);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_CountChatTokens_InlineImage);

// For reference: the tokenizer alone on the request's text.
void BM_EncodingCount_20MessagesText(benchmark::State& state) {
  const Fixture& f = Request();
  auto enc = *tokwise::Encoding::Get("o200k_base");
  for (auto _ : state) {
    absl::StatusOr<size_t> n = enc->Count(f.all_text);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.all_text.size()));
}
BENCHMARK(BM_EncodingCount_20MessagesText);

}  // namespace

BENCHMARK_MAIN();
