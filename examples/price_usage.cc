// price_usage.cc: prices what a provider billed, exactly, through tokwise's C++ API.
//
//   price_usage_cpp [--model MODEL] [--batch] FILE
//
// FILE holds one usage object or response (OpenAI, Anthropic or Gemini; {"usage": ...} is
// found inside a response), or a trace: JSONL with one response per line. Prints each call's
// cost and the total, in exact dollars. The default model is gpt-4o.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tokwise/catalog.h"
#include "tokwise/pricing.h"
#include "tokwise/usage.h"

int main(int argc, char** argv) {
  std::string model_name = "gpt-4o", path;
  tokwise::PriceOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--model" && i + 1 < argc) {
      model_name = argv[++i];
    } else if (arg == "--batch") {
      options.batch = true;
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: " << argv[0] << " [--model MODEL] [--batch] FILE\n";
    return 1;
  }

  // Unknown models are an error, never priced at 0.
  absl::StatusOr<const tokwise::ModelInfo*> model = tokwise::Catalog::Default().Find(model_name);
  if (!model.ok()) {
    std::cerr << model.status().message() << "\n";
    return 1;
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  // One JSON document, else a trace of one document per line.
  std::vector<std::string> calls;
  if (tokwise::NormalizeUsage(text).ok()) {
    calls.push_back(text);
  } else {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) calls.push_back(line);
    }
  }

  // Sums stay exact: integer pico-dollars (1e-12 USD), wide enough for any trace.
  tokwise::PicoUsdWide total = 0;
  uint64_t input = 0, output = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    // NormalizeUsage reads each provider's convention (OpenAI's cached tokens are inside the
    // prompt count, Anthropic's cache tokens beside it); PriceUsage prices every bucket.
    absl::StatusOr<tokwise::NormalizedUsage> usage = tokwise::NormalizeUsage(calls[i]);
    absl::StatusOr<tokwise::CostBreakdown> cost =
        usage.ok() ? tokwise::PriceUsage(**model, *usage, options)
                   : absl::StatusOr<tokwise::CostBreakdown>(usage.status());
    if (!cost.ok()) {
      std::cerr << path;
      if (calls.size() > 1) std::cerr << ":" << i + 1;
      std::cerr << ": " << cost.status().message() << "\n";
      return 2;
    }
    input += usage->input_total();
    output += usage->output;
    total += cost->total;
    std::cout << "call " << i + 1 << ": " << usage->input_total() << " input";
    if (usage->cache_read > 0) std::cout << " (" << usage->cache_read << " cached)";
    if (usage->cache_write_5m + usage->cache_write_1h > 0) {
      std::cout << " (" << usage->cache_write_5m + usage->cache_write_1h << " written to cache)";
    }
    std::cout << " + " << usage->output << " output tokens: $" << tokwise::FormatUsd(cost->total)
              << "\n";
  }
  std::cout << (*model)->id << ": " << calls.size() << (calls.size() == 1 ? " call, " : " calls, ")
            << input << " input + " << output << " output tokens, $" << tokwise::FormatUsd(total)
            << "\n";
  return 0;
}
