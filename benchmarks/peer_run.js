// peer_run.js: counts the concatenation of the given files with one peer tokenizer, repeating
// for at least a second, and prints one JSON line like bench_files. Run by peer_compare.sh
// with NODE_PATH pointing at a scratch folder where the peers are installed.
//
//   node peer_run.js PEER ENCODING GROUP [--first-pass] FILE...
//
// --first-pass times one count, the first after loading the peer (cold caches, as for new
// text; the peer's JIT warms up inside the timed run, as it would in an application).
"use strict";
const fs = require("fs");

const [peer, encoding, group, ...rest] = process.argv.slice(2);
const firstPass = rest[0] === "--first-pass";
const files = firstPass ? rest.slice(1) : rest;
const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
const text = new TextDecoder("utf-8").decode(bytes);  // Invalid UTF-8 -> U+FFFD, as tokwise.

async function makeCounter() {
  switch (peer) {
    case "tiktoken": {  // OpenAI's Rust core compiled to WebAssembly.
      const enc = require("tiktoken").get_encoding(encoding);
      return (t) => enc.encode_ordinary(t).length;
    }
    case "js-tiktoken": {
      const { getEncoding } = require("js-tiktoken");
      const enc = getEncoding(encoding);
      return (t) => enc.encode(t, [], []).length;
    }
    case "gpt-tokenizer": {
      const mod = require(`gpt-tokenizer/encoding/${encoding}`);
      return (t) => mod.countTokens(t, { disallowedSpecial: new Set() });
    }
    case "tiktoken-node": {  // Native (napi-rs) build of tiktoken-rs; cl100k_base and older.
      const enc = require("tiktoken-node").getEncoding(encoding);
      return (t) => enc.encode(t).length;
    }
    case "anysphere-tiktoken-node": {  // Native tiktoken fork; counts on a worker thread.
      const a = require("@anysphere/tiktoken-node");
      const which = { o200k_base: a.SupportedEncoding.O200k, cl100k_base: a.SupportedEncoding.Cl100k }[encoding];
      if (which === undefined) throw new Error("unsupported encoding");
      const tok = a.getTokenizer();
      return (t) => tok.exactNumTokensNoSpecialTokens(t, which);
    }
    default:
      throw new Error(`unknown peer ${peer}`);
  }
}

(async () => {
  let count;
  try {
    count = await makeCounter();
  } catch (e) {
    console.log(JSON.stringify({ impl: peer, group, error: String(e.message || e) }));
    return;
  }
  let best = Infinity, total = 0, reps = 0, tokens = 0;
  while (firstPass ? reps < 1 : reps < 3 || total < 1.0) {
    const t0 = process.hrtime.bigint();
    tokens = await count(text);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, s);
    total += s;
    reps++;
    if (total > 20) break;  // Slow peers: one or two runs are enough.
  }
  console.log(JSON.stringify({ impl: peer, group, bytes: bytes.length, tokens, mbps: bytes.length / best / 1e6 }));
})();
