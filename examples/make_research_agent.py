#!/usr/bin/env python3
"""Writes examples/research_agent.jsonl: a 5-call research agent as an OpenAI request log.

The run plays the 5-step research agent of the cost-model reference example (a ~200-token
system prompt, a ~21-token question, three search/fetch tool exchanges growing 311 -> 627 ->
870 tokens, a ~1,200-token draft and a ~1,500-token final brief), with real text. Each line is
one call: the request body as the client sent it (the whole history so far), the reply, and
who made it. No usage: this log was written by hand, so nothing here was billed.

Run: /usr/bin/python3 examples/make_research_agent.py > examples/research_agent.jsonl
"""
import json

MODEL = "gpt-4o-2024-08-06"

SYSTEM = (
    "You are Atlas, a research assistant for an engineering team that runs LLM agents in "
    "production. You answer questions about model pricing, latency and cost with figures you "
    "have checked against primary sources: provider documentation and pricing pages first, "
    "then engineering blogs, never forum posts alone.\n\n"
    "Work in steps. Search before you answer; open the most authoritative pages and read them. "
    "Quote prices per million tokens with the date you read them, and say when a figure is an "
    "estimate. When the question needs arithmetic, show the formula, then the numbers.\n\n"
    "Write for engineers who will act on the answer: lead with the conclusion, then the "
    "reasoning, then caveats. Prefer tables for comparisons. Keep drafts under 900 words unless "
    "asked otherwise, and end every brief with a short list of the sources you used.\n\n"
    "If sources disagree, say so and give both figures with their dates. Cite only pages you "
    "actually fetched; never invent a URL, a price or a benchmark result."
)

QUESTION = "How much does prompt caching save a 10-step agent loop, and when does a 1-hour cache pay off?"

TOOLS = [
    {"type": "function", "function": {
        "name": "web_search",
        "description": "Search the web. Returns titles, URLs and snippets of the top results.",
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string", "description": "The search query."},
            "max_results": {"type": "integer", "description": "How many results to return."}},
            "required": ["query"]}}},
    {"type": "function", "function": {
        "name": "fetch_page",
        "description": "Fetch a web page and return its main text.",
        "parameters": {"type": "object", "properties": {
            "url": {"type": "string", "description": "The page to fetch."}},
            "required": ["url"]}}},
]

CALL1 = ("web_search", {"query": "prompt caching pricing cache write read LLM API agent",
                        "max_results": 5})

RESULT1 = """1. Prompt caching - OpenAI API documentation
   https://platform.openai.com/docs/guides/prompt-caching
   Prompts of 1,024 tokens or more are cached automatically. Cache hits are billed at a discount on input tokens; there is no charge for writing to the cache. Keep static content at the start of the prompt.
2. Prompt caching - Anthropic documentation
   https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
   Mark cache breakpoints with cache_control. Writes cost 1.25x the base input price for a 5-minute lifetime or 2x for 1 hour; reads cost 0.1x. Minimum cacheable length depends on the model.
3. Pricing - OpenAI
   https://openai.com/api/pricing/
   Per-model prices for input, cached input and output tokens, and Batch API discounts.
4. Pricing - Anthropic
   https://www.anthropic.com/pricing#api
   Input, output, cache write and cache hit prices per million tokens for each Claude model.
5. Why agent loops get expensive: context accumulation explained
   https://example-engineering.blog/agent-context-costs
   Every call re-sends the system prompt, tool definitions and the whole history, so input grows with the square of the number of steps.
6. Context caching - Gemini API documentation
   https://ai.google.dev/gemini-api/docs/caching
   Implicit caching applies discounts automatically; explicit caches are created with a TTL and billed for storage per hour."""

CALL2 = ("fetch_page", {"url": "https://platform.openai.com/docs/guides/prompt-caching"})

RESULT2 = """Prompt caching (OpenAI API guide, read 2025-06-02)

What it does
Requests that start with the same long prefix as a recent request can reuse the computation for that prefix. This lowers latency for long prompts and makes the reused input tokens cheaper. Caching is automatic: there is no parameter to set and no separate charge for storing a prefix.

Which requests are cached
- Only prompts of 1,024 tokens or more are eligible.
- A hit covers the longest previously seen prefix, counted in steps of 128 tokens beyond the first 1,024. A prompt of 1,300 tokens whose first 1,200 tokens were seen before gets 1,152 cached tokens.
- The prefix must match exactly, byte for byte: messages, images, tool definitions and the order they come in. Changing one character near the start breaks the hit for everything after it.
- The response reports the cached part in usage.prompt_tokens_details.cached_tokens. Those tokens are still counted in prompt_tokens.
- Example: a 2,300-token prompt that shares its first 2,000 tokens with an earlier request reports 1,920 cached tokens (1,024 plus seven steps of 128).

How long entries live
Cached prefixes are usually evicted after five to ten minutes without use, and always within an hour. Traffic from one organization can be routed to different machines, so requests sent far apart or at very high rates may miss.

Pricing
Cached input is billed at a discount that depends on the model: for gpt-4o the cached rate is $1.25 per million tokens against $2.50 for ordinary input (50% off); newer model families discount cached input by 75% or 90%. Output tokens are never discounted. There is no cache-write surcharge, so caching can only lower a bill.

How to structure prompts
Put content that does not change (instructions, tool definitions, examples, long reference documents) at the beginning and content that varies (the user's question, the latest tool result) at the end. In an agent loop the growing history is itself a prefix: each call repeats the previous call's prompt and appends to it, so every call after the first can hit the cache for everything the previous call sent, provided the calls come close enough together.

Latency
Reusing a prefix skips the work of reading it again, so time to first token falls for long prompts; the effect grows with the length of the cached part. Short prompts see no difference.

Scope and privacy
Caches are not shared between organizations. A cached prefix is only reused for requests that carry exactly the same prefix, so one customer's data cannot appear in another customer's response through the cache. Caching does not change how requests are retained or used.

Batch requests
Prompts sent through the Batch API may also hit the cache, but batch processing makes no promise about timing, so plan batch costs without counting on hits.

Monitoring
Log cached_tokens next to prompt_tokens for every call. A hit rate that drops suddenly usually means something near the start of the prompt started to vary, such as a timestamp in the system prompt or tools listed in a different order."""

CALL3 = ("fetch_page",
         {"url": "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching"})

RESULT3 = """Prompt caching with Claude (Anthropic documentation, read 2025-06-02)

Overview
Claude can reuse a prompt prefix from a recent request. Unlike automatic caching, you decide what is cached: add a cache_control block, {"type": "ephemeral"}, to the last block of the prefix you want stored. The cached prefix covers, in this order, the tool definitions, the system prompt and the messages up to and including the marked block. A request may carry up to four breakpoints.

Lifetimes
The default lifetime is five minutes. Every hit resets the clock, so a prefix used at least once every five minutes stays cached indefinitely. A one-hour lifetime is available by writing {"type": "ephemeral", "ttl": "1h"}; it suits sessions where calls are minutes apart, such as agents waiting on long tool runs or on a person.

Minimum length
A prefix shorter than the model's minimum is not cached even if marked: 1,024 tokens for Claude Opus and Sonnet models, 2,048 tokens for the Haiku 3 and 3.5 models, 4,096 for Haiku 4.5 and Opus 4.5.

Pricing
Cache traffic is priced against the model's base input price:
| operation | multiplier | Claude Sonnet 4.5, per million tokens |
| base input | 1x | $3.00 |
| 5-minute cache write | 1.25x | $3.75 |
| 1-hour cache write | 2x | $6.00 |
| cache hit (read) | 0.1x | $0.30 |
| output | - | $15.00 |
A write costs more than sending the tokens uncached, so caching pays only when the prefix is read again. With the multipliers above a 5-minute write pays for itself on the first read (1.25 + 0.1 = 1.35 base prices against 2 without caching) and a 1-hour write on the second (2 + 0.1 + 0.1 = 2.2 against 3).

Usage fields
The response reports cache_creation_input_tokens (written), cache_read_input_tokens (read) and input_tokens (neither). Unlike some other APIs, input_tokens does not include the cached tokens: the three fields add up to the prompt. A call that reads 12,000 cached tokens, writes 1,500 and sends 40 more reports input_tokens 40, cache_read_input_tokens 12,000 and cache_creation_input_tokens 1,500: a 13,540-token prompt.

Structuring agent prompts
Put a breakpoint after the tools and system prompt, which never change, and another at the end of the conversation so far. Each call then reads everything the previous call wrote and writes only what it added. Content that changes on every call, such as a timestamp, must come after the last breakpoint or it invalidates the cache.

Worked example
A 10,000-token contract is marked as cached and five questions are asked about it within five minutes on Claude Sonnet 4.5. Without caching the document is billed five times: 50,000 tokens at $3.00 per million, $0.150. With caching the first request writes it (10,000 at $3.75, $0.0375) and the four later requests read it (40,000 at $0.30, $0.012): $0.0495 in all, a third of the cost. The questions themselves and the answers are billed as usual.

What invalidates a cache
The cached prefix is checked block by block in order. Changing a tool definition invalidates everything, since tools come first; changing the system prompt invalidates the system prompt and the messages; adding or removing images or changing the tool_choice setting can invalidate the cached messages. Keep these settings stable across the calls of one session.

Troubleshooting
If cache_read_input_tokens stays at zero, check that the marked prefix is above the minimum length, that nothing before the breakpoint changed between calls, and that the calls come within the lifetime."""

DRAFT = """**Draft: what prompt caching does to the cost of a 10-step agent loop**

**Conclusion first.** In a 10-step loop that re-sends its whole history on every call, prompt caching cuts the input bill by about 40% on gpt-4o (automatic caching, cached input at half price) and by about 70% on Claude Sonnet 4.5 (5-minute cache writes at 1.25x, reads at 0.1x). A 1-hour write costs twice the base price; it pays off from the second read and is worth it only when calls are more than five minutes apart.

**Why the loop is expensive.** A model keeps no state between calls, so call k re-sends the system prompt, the tool definitions and everything that happened in calls 1 to k-1. With a fixed prefix P and d new tokens per step, call k sends P + (k-1)d input tokens, and n calls send

  total input = nP + d * n(n-1)/2

For the example below, P = 3,000 tokens (system prompt plus tools) and d = 1,500 tokens (a tool call, its result and the model's note). Over n = 10 calls:

  total input = 10 x 3,000 + 1,500 x 45 = 97,500 tokens

Only 16,500 of those tokens are new; the other 81,000 (83%) are the same text sent again.

**gpt-4o, automatic caching.** Every call after the first can hit the cache for the previous call's whole prompt, since that prompt is a prefix of the next one and is longer than 1,024 tokens. The cached part of call k is P + (k-2)d for k >= 2:

  cached = 9 x 3,000 + 1,500 x 36 = 81,000 tokens; uncached = 16,500 tokens

| | tokens | price per M | cost |
| no caching | 97,500 | $2.50 | $0.2438 |
| uncached with caching | 16,500 | $2.50 | $0.0413 |
| cached reads | 81,000 | $1.25 | $0.1013 |
| with caching | | | $0.1425 |

Saving: 41.5% of the input bill. (Hits are counted in 128-token steps, so the real figure is a little lower.)

**Claude Sonnet 4.5, 5-minute breakpoints.** With a breakpoint after the system prompt and one at the end of each call's history, call 1 writes its 3,000 tokens, and every later call reads the previous prompt and writes its 1,500 new tokens:

  writes = 3,000 + 9 x 1,500 = 16,500 tokens at $3.75 = $0.0619
  reads = 81,000 tokens at $0.30 = $0.0243
  with caching = $0.0862 against 97,500 x $3.00 = $0.2925 without: a 70.5% saving.

**When the 1-hour write pays.** The same run with 1-hour writes pays $6.00 per million written: 16,500 x $6.00 = $0.0990, plus the same $0.0243 of reads, $0.1233 in all (57.8% saved). It is worse than the 5-minute cache whenever calls come less than five minutes apart, because every hit renews a 5-minute entry anyway. It wins when the gaps are longer: an agent that waits 10 minutes on a test suite would miss a 5-minute cache on every call and pay full price for all 97,500 tokens ($0.2925), while the 1-hour cache still reads. A 1-hour write needs two reads to beat no caching (2 + 0.1 + 0.1 = 2.2 base prices against 3), a 5-minute write only one.

**The longer the loop, the bigger the share.** At 20 calls the same agent sends 20 x 3,000 + 1,500 x 190 = 345,000 input tokens, of which only 31,500 are new. gpt-4o with caching pays $0.4706 instead of $0.8625 (45.4% saved); Sonnet 4.5 with 5-minute breakpoints pays $0.2122 instead of $1.0350 (79.5% saved). Caching grows more valuable exactly where the loop grows expensive, but it never removes the quadratic growth: with caching on, the 20-call run still costs 3.3 times the 10-call run on gpt-4o.

**Caveats.** Output tokens are never discounted and are not included above. The prefix must stay byte-identical: a timestamp in the system prompt or tools in a different order turns every read into a write. Both providers evict entries under load, so measured hit rates run below these ideal figures; log the cached and written token counts on every call. Batch requests are discounted 50% by both providers but promise no cache hits, so do not plan on combining the two discounts. Caching also shortens time to first token on long prompts, which matters for interactive agents; we have not measured by how much.

Sources: OpenAI prompt caching guide; Anthropic prompt caching documentation (both read 2025-06-02)."""

NUDGE = "Good. Tighten it into the final brief for the team, and add what we should change in our own agent."

FINAL = """# Prompt caching for our agent loops: final brief

**Bottom line.** Our agents re-send their entire history on every call, so most of what we pay for is text the model has already seen. Turning on prompt caching the right way cuts the input bill of a typical 10-step run by 42% on gpt-4o and by 70% on Claude Sonnet 4.5. Use the 5-minute cache by default; switch to the 1-hour cache only for runs whose calls are more than five minutes apart.

## 1. Where the money goes

A model keeps nothing between calls. Call k of a loop sends the fixed prefix P (system prompt and tool definitions) plus everything produced in the k-1 earlier steps. If each step adds d tokens, n calls send

    total input = n*P + d*n(n-1)/2

so input grows with the square of the number of steps. For our research agent, P is about 3,000 tokens and d about 1,500 tokens:

| calls | total input | of which re-sent |
| 5 | 30,000 | 70% |
| 10 | 97,500 | 83% |
| 20 | 345,000 | 91% |

The re-sent share is the part caching can discount. On a 20-call run caching saves 45.4% on gpt-4o ($0.8625 down to $0.4706) and 79.5% on Sonnet 4.5 ($1.0350 down to $0.2122), but the run still costs 3.3 times the 10-call run on gpt-4o: caching lowers the price of each re-sent token, it does not stop the re-sending.

## 2. What caching saves on a 10-step run

| | gpt-4o (automatic) | Sonnet 4.5, 5-minute | Sonnet 4.5, 1-hour |
| input without caching | $0.2438 | $0.2925 | $0.2925 |
| tokens written to cache | no charge | 16,500 at $3.75/M | 16,500 at $6.00/M |
| tokens read from cache | 81,000 at $1.25/M | 81,000 at $0.30/M | 81,000 at $0.30/M |
| input with caching | $0.1425 | $0.0862 | $0.1233 |
| saving | 41.5% | 70.5% | 57.8% |

Notes on the table:
- gpt-4o caches automatically once a prompt passes 1,024 tokens and counts hits in 128-token steps, so real savings land a point or two below 41.5%. There is no write surcharge: caching can only lower the bill.
- Claude caches only where we put cache_control breakpoints. We need two: one after the tools and system prompt, one at the end of the history of each call. Each call then reads everything the previous call wrote and writes only its own 1,500 new tokens.
- Output tokens are not discounted by either provider and are left out.

## 3. 5-minute or 1-hour cache

A 5-minute write costs 1.25x the base input price and pays for itself on the first read (1.25 + 0.1 = 1.35 against 2). A 1-hour write costs 2x and needs a second read (2.2 against 3). Every read renews the 5-minute lifetime, so in a loop whose calls are less than five minutes apart the 5-minute cache never expires and is strictly cheaper.

The 1-hour cache earns its price only when gaps are long. If our agent waits 10 minutes for the integration tests between calls, a 5-minute cache expires before every call: we pay the write surcharge on each call and never read, which is worse than no caching at all. With a 1-hour cache the same run still reads the history on every call and keeps most of the 58% saving.

Rule: 5-minute cache for interactive and tool-fast loops; 1-hour cache for loops that wait on CI, on long jobs or on a person.

## 4. What we should change in our agent

1. **Freeze the prefix.** Our system prompt includes the current time and the user's name. Move both into the first user message. Any byte that changes before a breakpoint turns every read into a write.
2. **Keep tools in a fixed order.** We build the tool list from a dictionary; sort it by name so the definitions are byte-identical between calls.
3. **Add the two breakpoints** for Claude calls: after the system prompt and at the end of the history.
4. **Log the cache fields on every call**: cached_tokens for OpenAI; cache_creation_input_tokens and cache_read_input_tokens for Anthropic. Alert when the read share of a run falls below half of its input.
5. **Trim what we re-send.** Caching discounts re-sent tokens; it does not remove them. Large tool results (whole files, full search pages) are re-sent on every later call. Summarize them once they have been used, or keep only the last few steps verbatim.
6. **Use the 1-hour cache for the CI-fixing agent only**, whose calls are 8 to 15 minutes apart.

## 5. How we will know it worked

- For every run, record input tokens, cached (read) tokens, written tokens and output tokens, and the cost computed from them at the provider's prices.
- Compare a week of runs before and after the change. The read share of input should rise above 75% for runs of ten calls or more; if it does not, look for a changing prefix first.
- Watch the write share on Claude: if writes stay high while reads stay low, calls are coming too far apart for the 5-minute lifetime and that workload belongs on the 1-hour cache.
- Check the bill itself at the end of the month: the provider's invoice, not our estimate, is the figure the team is held to.

## 6. Caveats

Providers evict cached entries under load, so measured hit rates will be lower than these ideal figures. Prices were read on 2025-06-02 and change often; the multipliers (1.25x, 2x, 0.1x for Anthropic; 50% off for gpt-4o) matter more than the absolute prices. We have not measured latency, which caching also improves for long prompts.

## Sources

- OpenAI API guide, Prompt caching: https://platform.openai.com/docs/guides/prompt-caching
- Anthropic documentation, Prompt caching: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
- OpenAI and Anthropic pricing pages (read 2025-06-02)"""


def tool_call(call_id, name, args):
    return {"role": "assistant", "content": None, "tool_calls": [
        {"id": call_id, "type": "function",
         "function": {"name": name, "arguments": json.dumps(args)}}]}


def main():
    history = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]
    steps = [
        (tool_call("call_kq2v7Rw1", *CALL1), {"role": "tool", "tool_call_id": "call_kq2v7Rw1",
                                              "content": RESULT1}),
        (tool_call("call_N8d3xTqa", *CALL2), {"role": "tool", "tool_call_id": "call_N8d3xTqa",
                                              "content": RESULT2}),
        (tool_call("call_pW4m9ZcE", *CALL3), {"role": "tool", "tool_call_id": "call_pW4m9ZcE",
                                              "content": RESULT3}),
        ({"role": "assistant", "content": DRAFT}, {"role": "user", "content": NUDGE}),
        ({"role": "assistant", "content": FINAL}, None),
    ]
    created = 1748870400  # 2025-06-02 13:20:00 UTC
    gaps = [0, 6, 9, 11, 52]  # Seconds: model time plus tool time; the draft takes longest.
    for i, (reply, follow_up) in enumerate(steps):
        created += gaps[i]
        line = {
            "request": {"model": MODEL, "messages": list(history), "tools": TOOLS,
                        "max_tokens": 2048},
            "response": {"id": "chatcmpl-example%d" % (i + 1), "object": "chat.completion",
                         "created": created, "model": MODEL,
                         "choices": [{"index": 0, "message": reply,
                                      "finish_reason": "tool_calls" if reply["content"] is None
                                      else "stop"}]},
            "metadata": {"agent": "research-agent", "workflow": "prompt-caching-brief",
                         "user": "analyst-7"},
        }
        print(json.dumps(line, ensure_ascii=False))
        history.append(reply)
        if follow_up is not None:
            history.append(follow_up)


if __name__ == "__main__":
    main()
