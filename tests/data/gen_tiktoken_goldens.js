#!/usr/bin/env node
// Generates tiktoken_adversarial.jsonl from tiktoken_adversarial_cases.json with the official
// tiktoken core (OpenAI's Rust code compiled to WebAssembly, npm package tiktoken@1.0.22).
//
// Usage (installs the package into a scratch folder, never into the repository):
//   dir=$(mktemp -d) && (cd "$dir" && npm init -y >/dev/null && npm install tiktoken@1.0.22)
//   NODE_PATH="$dir/node_modules" node tests/data/gen_tiktoken_goldens.js
//
// Each output line: {"name", "encoding", "mode" ("ordinary" = encode_ordinary, "all" =
// encode with every special token allowed), "n_tokens", and "ids" (short cases) or "ids_fnv"
// (long cases: FNV-1a 64 of the ids written in decimal, joined by ',', as a hex string)}.
"use strict";
const fs = require("fs");
const path = require("path");
const { get_encoding } = require("tiktoken");

const here = __dirname;
const cases = JSON.parse(fs.readFileSync(path.join(here, "tiktoken_adversarial_cases.json"), "utf8")).cases;
const encodings = ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"];

function fnv1a64(s) {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= BigInt(b);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

const out = [];
for (const name of encodings) {
  const enc = get_encoding(name);
  for (const c of cases) {
    const text = c.text !== undefined ? c.text : c.repeat.repeat(c.times);
    const modes = c.special ? ["ordinary", "all"] : ["ordinary"];
    for (const mode of modes) {
      const ids = Array.from(mode === "all" ? enc.encode(text, "all") : enc.encode_ordinary(text));
      const rec = { name: c.name, encoding: name, mode, n_tokens: ids.length };
      if (ids.length <= 200) rec.ids = ids;
      else rec.ids_fnv = fnv1a64(ids.join(","));
      out.push(JSON.stringify(rec));
    }
  }
  enc.free();
}
fs.writeFileSync(path.join(here, "tiktoken_adversarial.jsonl"), out.join("\n") + "\n");
console.log(`wrote ${out.length} records`);
