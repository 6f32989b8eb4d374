// Writes tests/data/hf_extra_goldens.jsonl: token ids from Hugging Face's own JavaScript
// tokenizers (npm @huggingface/tokenizers@0.2.0, the package that made the corpus goldens in
// shared/data/oracle) for hand-picked cases the corpus does not cover: added tokens inside
// text, NFC, Llama 3's ignore_merges, templates (add_special_tokens), whitespace runs.
//
// Usage (Node 20; the package lives in a scratch folder, never in the repository):
//   mkdir -p /tmp/hfref && cd /tmp/hfref && npm install @huggingface/tokenizers@0.2.0
//   NODE_PATH=/tmp/hfref/node_modules node tests/data/gen_hf_extra_goldens.mjs \
//       ../shared/data/vocab/hf > tests/data/hf_extra_goldens.jsonl
import { createRequire } from "module";
import fs from "fs";
import path from "path";

const require = createRequire(process.env.NODE_PATH + "/");
const { Tokenizer } = require("@huggingface/tokenizers");

const hfDir = process.argv[2];
const cases = {
  llama3: [
    " Việt", "Xin chào Việt Nam", "Tiếng Việt có dấu",
    "<|begin_of_text|>hello<|eot_id|>", "a<|end_of_text|>b", "x<|reserved_special_token_5|>y",
    "<|begin_of_text", "   spaces   and\ttabs\n\n\nnewlines  ", "12345678 1.5e10",
    "DON'T I'M you're", "",
  ],
  qwen3: [
    "Vie\u0323\u0302t", "Vi\u1EC7t", "cafe\u0301 caf\u00E9", "\u212B \u00C5 A\u030A",
    "<think>reasoning</think>answer", "<|im_start|>user\nhello<|im_end|>\n",
    "digits 1234567890", "\uFB01 ligature stays (NFC only)",
  ],
  deepseek_v3: [
    "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>Hi", "x<\uFF5Ctool\u2581sep\uFF5C>y",
    "12345 and 678", "\u6F22\u5B57\u3072\u3089\u304C\u306A\u30AB\u30BF\u30AB\u30CA",
    "a.b,c!d?e", "  indented\n\ttab",
  ],
  gemma3: [
    "<start_of_turn>user\nhi<end_of_turn>\n", "\n\n\n\n", "  leading spaces",
    "\t\tcode();", "<b>bold</b> and <code>x</code>", "emoji \uD83D\uDE00 \uD83D\uDC4D\uD83C\uDFFD",
    "a    b", "",
  ],
  mistral_7b_v0_1: [
    "<s>[INST] hi [/INST]", "Hello  world", " leading", "trailing ", "\u00E9t\u00E9 \u4E2D\u6587",
    "tab\there",
  ],
  claude_legacy: ["<EOT>hello<META>", "\uFB01ve \u2460 \uFF21", "plain text"],
};
const withTemplate = new Set(["gemma3", "mistral_7b_v0_1", "llama3"]);

// Llama 3 with ignore_merges switched off: plain merging splits " Việt" into three tokens.
cases.llama3_no_ignore_merges = [" Việt", "Xin chào Việt Nam"];

for (const [key, texts] of Object.entries(cases)) {
  const dir = key === "mistral_7b_v0_1" ? "mistral_7b_v0.1"
            : key === "llama3_no_ignore_merges" ? "llama3" : key;
  const json = JSON.parse(fs.readFileSync(path.join(hfDir, dir, "tokenizer.json"), "utf8"));
  if (key === "llama3_no_ignore_merges") json.model.ignore_merges = false;
  const config = JSON.parse(fs.readFileSync(path.join(hfDir, dir, "tokenizer_config.json"), "utf8"));
  const tok = new Tokenizer(json, config);
  for (const text of texts) {
    for (const add of withTemplate.has(key) ? [false, true] : [false]) {
      const ids = tok.encode(text, { add_special_tokens: add }).ids;
      const model = key === "llama3_no_ignore_merges" ? key : dir;
      process.stdout.write(JSON.stringify({ model, text, add_special_tokens: add, ids }) + "\n");
    }
  }
}
