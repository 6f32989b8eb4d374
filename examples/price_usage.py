"""price_usage.py: prices what a provider billed, exactly, with tokwise's Python package.

    python3 price_usage.py [--model MODEL] [--batch] FILE

FILE holds one usage object or response (OpenAI, Anthropic or Gemini; {"usage": ...} is found
inside a response), a trace of one response per line (JSONL), or a SWE-agent trajectory
(.traj), whose info.model_stats record the tokens sent and received over the run and what the
run was billed. Prints each call's cost and the total, in exact dollars. The default model is
gpt-4o.
"""

from __future__ import annotations

import argparse
import json
import sys

import tokwise


def calls_in(text: str) -> tuple[list, dict]:
    """The usage of each call in the file, and a SWE-agent trajectory's model_stats if any."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        # A trace: one response per line.
        return [json.loads(line) for line in text.splitlines() if line.strip()], {}
    stats = doc.get("info", {}).get("model_stats") if isinstance(doc, dict) else None
    if stats:
        # The run's totals: every call re-sent its history, so tokens_sent is a sum over
        # calls. Pricing is linear, so the total prices the run.
        usage = tokwise.Usage(uncached_input=stats["tokens_sent"],
                              output=stats["tokens_received"])
        return [usage], stats
    return [doc], {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gpt-4o")
    parser.add_argument("--batch", action="store_true", help="Batch API prices")
    parser.add_argument("file")
    args = parser.parse_args()

    try:
        model = tokwise.lookup(args.model)  # Unknown models are an error, never priced at 0.
    except tokwise.NotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    with open(args.file, encoding="utf-8") as f:
        calls, stats = calls_in(f.read())

    total = input_tokens = output_tokens = 0  # Exact: integer pico-dollars.
    for i, call in enumerate(calls, 1):
        try:
            # normalize_usage reads each provider's convention (OpenAI's cached tokens are
            # inside the prompt count, Anthropic's cache tokens beside it).
            usage = tokwise.normalize_usage(call)
            cost = tokwise.price_usage(usage, model, batch=args.batch)
        except tokwise.TokwiseError as e:
            where = f"{args.file}:{i}" if len(calls) > 1 else args.file
            print(f"{where}: {e}", file=sys.stderr)
            return 2
        total += cost.total_pico
        input_tokens += usage.input_total
        output_tokens += usage.output
        cached = f" ({usage.cache_read} cached)" if usage.cache_read else ""
        written = usage.cache_write_5m + usage.cache_write_1h
        written_text = f" ({written} written to cache)" if written else ""
        print(f"call {i}: {usage.input_total} input{cached}{written_text} + {usage.output} "
              f"output tokens: {cost}")

    n_calls = stats.get("api_calls", len(calls))
    line = (f"{model.id}: {n_calls} call{'' if n_calls == 1 else 's'}, {input_tokens} input + "
            f"{output_tokens} output tokens, ${tokwise.format_usd(total)}")
    if stats:
        line += f" (the trajectory records ${stats['instance_cost']})"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
