"""preflight_chat.py: pre-flights a chat request against budgets with tokwise's Python package.

    python3 preflight_chat.py [--budgets FILE] [--scope KIND:NAME]... [--calls N] BODY.json

Sends the request N times (default 1) the way an app would: before each call, ask the ledger
whether it fits (context window, budgets of every scope, rate limits); if it does, "make the
call" and commit what it cost; if not, say why. The provider is not called: each admitted
call is committed as if the provider billed the prompt as counted and the whole reserved
output. Prints one line per step and what the first scope spent today.
"""

import argparse
import json
import sys

import tokwise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", help="budgets as JSON ({\"budgets\": [...]})")
    parser.add_argument("--scope", action="append", default=[], help="kind:name, repeatable")
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("body", help="a chat request body (OpenAI or Anthropic) as JSON")
    args = parser.parse_args()

    budgets = None
    if args.budgets:
        with open(args.budgets, encoding="utf-8") as f:
            budgets = json.load(f)
    with open(args.body, "rb") as f:
        body = f.read()

    try:
        # An in-memory ledger (BudgetLedger(budgets, dir) would make it durable).
        ledger = tokwise.BudgetLedger(budgets)
        for call in range(1, args.calls + 1):
            # The body's prompt is counted as the provider bills it; its model and max_tokens
            # apply.
            d = ledger.preflight(body, scopes=args.scope)
            if not d:
                print(f"call {call}: denied ({d.code}): {d.message}")
                continue
            print(f"call {call}: allowed: {d.input_tokens} input tokens ({d.input_label}), "
                  f"{d.reserved_output_tokens} output reserved, "
                  f"${tokwise.format_usd(d.projected_cost_pico)} projected")
            # ... call the provider with max_tokens=d.reserved_output_tokens, then
            # ledger.commit(d, response["usage"]). Here: what was reserved.
            record = ledger.commit(d, tokwise.Usage(uncached_input=d.input_tokens,
                                                    output=d.reserved_output_tokens))
            print(f"call {call}: committed ${tokwise.format_usd(record.cost_pico or 0)}")
        if args.scope:
            used, _ = ledger.usage(args.scope[0], window="day", metric="usd")
            print(f"spent today by {args.scope[0]}: ${tokwise.format_usd(used)}")
    except tokwise.TokwiseError as e:
        print(f"{args.body}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
