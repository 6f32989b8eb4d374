"""Chat counting and tokenizers from Python, against published values: the OpenAI cookbook's
prompt counts (verified against the API in "How to count tokens with tiktoken"), Anthropic's
count_tokens example, and the shared data's golden ids from sentencepiece and Hugging Face
tokenizers."""

import bisect
import json
import threading
import time
from pathlib import Path

import pytest

import tokwise

DATA = Path(__file__).resolve().parent.parent / "data"
HELLO = {"messages": [{"role": "user", "content": "Hello world"}]}
# The first line of corpus/code_go_strings.go, with its golden counts (oracle/*.lines.jsonl).
GO_LINE = "// Copyright 2009 The Go Authors. All rights reserved."


def test_cookbook_six_messages():
    body = (DATA / "chat/cookbook_six_messages.json").read_text()
    # The body names gpt-4o: 124 (o200k_base); gpt-4 and gpt-3.5-turbo: 129 (cl100k_base).
    c = tokwise.count_chat(body)
    assert c.total == 124 and c.label == "exact" and c.model == "gpt-4o"
    assert c.encoding == "o200k_base" and c.provider == "openai"
    assert c.max_output_tokens == 1 and len(c.message_tokens) == 6
    assert sum(c.by_kind.values()) == c.total
    assert list(c.by_kind) == tokwise.count_kinds()
    assert c.by_kind["system"] > 0 and c.by_kind["user"] > 0 and c.by_kind["images"] == 0
    for model in ("gpt-4", "gpt-3.5-turbo", "openai/gpt-4-0613"):
        assert tokwise.count_chat(body, model=model).total == 129, model
    # The same request as a dict, as bytes.
    assert tokwise.count_chat(json.loads(body)).total == 124
    assert tokwise.count_chat(body.encode()).total == 124


def test_cookbook_weather_tool():
    body = (DATA / "chat/cookbook_weather_tool.json").read_text()
    assert tokwise.count_chat(body, model="gpt-4o").total == 101
    assert tokwise.count_chat(body, model="gpt-4").total == 105
    c = tokwise.count_chat(body, model="gpt-4o-mini")
    assert c.total == 101 and c.by_kind["tool_definitions"] > 0


def test_hello_world_is_nine_tokens():
    for model in ("gpt-4o", "gpt-4", "gpt-3.5-turbo"):
        c = tokwise.count_chat(HELLO, model=model)
        # 2 of text; 3 per message + 1 for the role + 3 priming the reply.
        assert (c.total, c.by_kind["user"], c.by_kind["framing"]) == (9, 2, 7), model
        assert int(c) == 9


def test_anthropic_counts_are_estimates():
    body = (DATA / "chat/anthropic_weather_tool.json").read_text()
    c = tokwise.count_chat(body)
    assert c.provider == "anthropic" and c.label == "estimate" and c.notes
    # Anthropic's API counted 403; with no public tokenizer tokwise promises only an estimate
    # (its own tests hold it within 10%).
    assert abs(c.total - 403) <= 40
    # The factor scales the text, not the framing.
    doubled = tokwise.count_chat(HELLO, model="claude-sonnet-4-5", anthropic_text_factor=2.0)
    plain = tokwise.count_chat(HELLO, model="claude-sonnet-4-5")
    assert doubled.by_kind["user"] == 2 * plain.by_kind["user"]
    assert doubled.by_kind["framing"] == plain.by_kind["framing"]


def test_chat_errors():
    with pytest.raises(tokwise.NotFoundError, match="gpt-9") as e:
        tokwise.count_chat(HELLO, model="gpt-9")
    assert isinstance(e.value, KeyError)
    with pytest.raises(tokwise.TokwiseError, match=r"messages\[0\]\.content\[0\]\.type"):
        tokwise.count_chat({"messages": [{"role": "user", "content": [{"type": 7}]}]},
                           model="gpt-4o")
    with pytest.raises(tokwise.TokwiseError, match="byte offset"):
        tokwise.count_chat('{"messages": [', model="gpt-4o")
    with pytest.raises(tokwise.TokwiseError):
        tokwise.count_chat(HELLO)  # No model anywhere.
    with pytest.raises(ValueError, match="format"):
        tokwise.count_chat(HELLO, model="gpt-4o", format="openai")


def test_chat_cache_reuses_message_tallies():
    cache = tokwise.ChatCache()
    history = [{"role": "user", "content": f"message {i} " * 50} for i in range(20)]
    first = tokwise.count_chat({"messages": history}, model="gpt-4o", cache=cache)
    assert cache.misses == 20 and cache.hits == 0
    history.append({"role": "assistant", "content": "one more"})
    second = tokwise.count_chat({"messages": history}, model="gpt-4o", cache=cache)
    assert cache.hits == 20 and cache.misses == 21
    # Cached tallies give the same counts as fresh ones.
    assert second.total == tokwise.count_chat({"messages": history}, model="gpt-4o").total
    assert second.message_tokens[:20] == first.message_tokens


def _assert_releases_gil(call):
    """While `call` runs on a worker thread, this thread keeps running Python code.

    The worker repeats the call for 0.2 s and notes when each call starts and ends; this
    thread stamps the time in a loop. Holding the GIL inside the calls would leave (almost) no
    stamps within them. Counting stamps, rather than timing gaps, keeps the test stable on a
    loaded machine, where the scheduler may pause either thread for milliseconds.
    """
    started, done = threading.Event(), threading.Event()
    spans = []

    def worker():
        started.set()
        first = time.perf_counter()
        while len(spans) < 3 or time.perf_counter() - first < 0.2:
            t0 = time.perf_counter()
            call()
            spans.append((t0, time.perf_counter()))
        done.set()

    stamps = []
    thread = threading.Thread(target=worker)
    thread.start()
    started.wait()
    while not done.is_set():
        stamps.append(time.perf_counter())
    thread.join()
    starts = [t0 for t0, _ in spans]
    inside = 0
    for s in stamps:
        k = bisect.bisect_right(starts, s) - 1  # The last call that started before s.
        inside += k >= 0 and s <= spans[k][1]
    assert inside > 1000, (inside, len(spans), len(stamps))


def test_gil_is_released_while_counting_a_large_request():
    text = "All human beings are born free and equal in dignity and rights. " * 500
    body = json.dumps({"model": "gpt-4o",
                       "messages": [{"role": "user", "content": text}] * 100})
    _assert_releases_gil(lambda: tokwise.count_chat(body))


def test_tokenizer_files_and_the_registry(shared_data):
    spm = tokwise.Tokenizer.from_file(shared_data / "vocab/spm/llama2_tokenizer.model")
    assert spm.count(GO_LINE) == tokwise.TokenCount(17, "exact", 17, 17)
    assert spm.encode(GO_LINE)[:4] == [849, 14187, 1266, 29871]
    assert spm.count(GO_LINE, add_special_tokens=True).tokens == 18  # Llama's BOS.
    assert spm.decode(spm.encode(GO_LINE)) == GO_LINE

    # Found by the registry under a search folder; a list or a ':'-separated string.
    llama3 = tokwise.tokenizer_for_model("meta-llama/Llama-3.1-8B-Instruct",
                                         search_path=["/nonexistent", shared_data / "vocab"])
    assert llama3.name.startswith("hf:") and llama3.exactness == "exact"
    assert llama3.count(GO_LINE).tokens == 13
    assert llama3.encode(GO_LINE)[:3] == [322, 3028, 220]
    again = tokwise.tokenizer_for_model("llama-2-7b", f"/nonexistent:{shared_data / 'vocab'}")
    assert again.count(GO_LINE).tokens == 17
    with pytest.raises(tokwise.NotFoundError, match="llama3/tokenizer.json"):
        tokwise.tokenizer_for_model("meta-llama/Llama-3.1-8B-Instruct")

    claude = tokwise.tokenizer_for_model("claude-3-5-sonnet-20241022")
    n = claude.count(GO_LINE)
    assert n.exactness == "estimate" and n.low <= n.tokens <= n.high and n.low < n.high
    with pytest.raises(tokwise.FailedPreconditionError):
        claude.encode(GO_LINE)
    with pytest.raises(OSError):
        tokwise.Tokenizer.from_file("/nonexistent/tokenizer.json")
    with pytest.raises(ValueError, match="special"):
        spm.count(GO_LINE, special="sometimes")  # type: ignore[arg-type]
