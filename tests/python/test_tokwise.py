"""tokwise's own Python surface: counting against golden files, input types, errors,
count_until, batches, the incremental counter, the GIL, the type stubs."""

import ast
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

import tokwise
from tokwise import _core

from conftest import load_golden


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_counts_match_golden_files(shared_data, encoding):
    enc = tokwise.get_encoding(encoding)
    docs = load_golden(shared_data, encoding)
    assert len(docs) > 50
    for doc in docs:
        data = (shared_data / doc["doc"]).read_bytes()
        errors = "replace" if doc["lossy_utf8"] else "strict"
        assert enc.count(data, errors=errors) == doc["n_tokens"], doc["doc"]
        text = data.decode("utf-8", errors="replace")
        assert enc.count(text) == doc["n_tokens"], doc["doc"]
    # Ids too, for a few documents in different scripts.
    for doc in docs:
        if doc["doc"] in ("corpus/udhr_hin.txt", "corpus/code_rust_str_mod.rs",
                          "corpus/ja_wagahaiwa_nekodearu_head.txt"):
            # read_bytes: read_text would turn the CRLF of the Japanese text into LF.
            text = (shared_data / doc["doc"]).read_bytes().decode("utf-8")
            assert enc.encode_ordinary(text) == doc["ids"], doc["doc"]


def test_input_types():
    enc = tokwise.get_encoding("cl100k_base")
    want = enc.count("hello world")
    assert enc.count(b"hello world") == want
    assert enc.count(bytearray(b"hello world")) == want
    assert enc.count(memoryview(b"xhello worldx")[1:-1]) == want
    assert enc.encode(b"hello world") == [15339, 1917]
    with pytest.raises(TypeError):
        enc.count(42)  # type: ignore[arg-type]
    with pytest.raises((TypeError, BufferError, ValueError)):
        enc.count(memoryview(b"hello world")[::2])  # Not contiguous.


def test_no_copy_of_ascii_str():
    enc = tokwise.get_encoding("o200k_base")
    text = "word " * 200_000  # 1 MB, ASCII: its UTF-8 form is the str's own storage.
    enc.count(text)
    tracemalloc.start()
    try:
        enc.count(text)
        enc.count(text.encode())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Apart from the bytes object built above (1 MB), the calls allocate no Python memory.
    assert peak < 1_000_000 + 64_000


def test_count_special_tokens_as_text_by_default():
    enc = tokwise.get_encoding("cl100k_base")
    text = "a<|endoftext|>b"
    assert enc.count(text) == len(enc.encode_ordinary(text))
    assert enc.count(text, allowed_special="all") == 3
    assert enc.count(text, allowed_special={"<|endoftext|>"}) == 3
    with pytest.raises(tokwise.DisallowedSpecialTokenError):
        enc.count(text, disallowed_special="all")


def test_invalid_utf8():
    enc = tokwise.get_encoding("o200k_base")
    with pytest.raises(tokwise.InvalidUtf8Error) as info:
        enc.count(b"ok \xff")
    assert info.value.byte_offset == 3
    assert isinstance(info.value, ValueError)
    assert enc.count(b"ok \xff", errors="replace") == enc.count("ok \ufffd")
    with pytest.raises(ValueError):
        enc.count(b"x", errors="ignore")  # type: ignore[arg-type]


def test_count_until():
    enc = tokwise.get_encoding("cl100k_base")
    r = enc.count_until("hello world", 1)
    assert r == tokwise.CountUntilResult(count=1, exceeded=True, byte_offset=5, cut=5)
    r = enc.count_until("hello world", 10)
    assert (r.count, r.exceeded, r.byte_offset, r.cut) == (2, False, 11, 11)
    # For str input the cut is in characters: "我非常" is 3 characters, 9 bytes.
    text = "我非常渴望与人工智能一起工作"
    ids = enc.encode(text)
    r = enc.count_until(text, 3)
    assert r.count == 3 and r.exceeded
    assert r.byte_offset == len(enc.decode_bytes(ids[:3]))
    rb = enc.count_until(text.encode(), 3)  # The same text as bytes: the cut is in bytes.
    assert rb.byte_offset == r.byte_offset
    assert rb.cut == len(text[: r.cut].encode())
    assert r.byte_offset - 3 < rb.cut <= r.byte_offset
    with pytest.raises(ValueError):
        enc.count_until("x", -1)


def test_count_until_is_bounded_by_the_limit():
    enc = tokwise.get_encoding("o200k_base")
    big = "lorem ipsum dolor sit amet " * 400_000  # 10.8 MB
    start = time.perf_counter()
    r = enc.count_until(big, 1000)
    elapsed = time.perf_counter() - start
    assert r.count == 1000 and r.exceeded
    # The first 1,000 tokens are 4 kB of the 10.8 MB: a tenth of a whole count is a bound that
    # work proportional to the text could not meet, with room for a loaded machine.
    start = time.perf_counter()
    enc.count(big)
    whole = time.perf_counter() - start
    assert elapsed < 0.1 * whole, (elapsed, whole)


def test_count_batch():
    enc = tokwise.get_encoding("cl100k_base")
    texts = ["hello world", "", "tiktoken is great!", b"2 + 2 = 4"] * 25
    assert enc.count_batch(texts) == [2, 0, 6, 7] * 25
    assert enc.count_batch(texts, num_threads=4) == [2, 0, 6, 7] * 25
    with pytest.raises(tokwise.InvalidUtf8Error) as info:
        enc.count_batch(["fine", b"bad \xff", b"\xff"], num_threads=2)
    assert info.value.index == 1 and info.value.byte_offset == 4


def test_worker_pool_batches():
    # A pool's threads serve batch after batch, with the counts tiktoken documents for these
    # texts; ids equal those of single calls (checked against goldens elsewhere).
    enc = tokwise.get_encoding("cl100k_base")
    texts = ["hello world", "", "tiktoken is great!", b"2 + 2 = 4"] * 40
    pool = tokwise.WorkerPool(2)
    assert pool.threads == 2
    for _ in range(3):
        assert enc.count_batch(texts, pool=pool) == [2, 0, 6, 7] * 40
    assert enc.encode_batch(texts, pool=pool) == [enc.encode(t) for t in texts]
    assert enc.encode_ordinary_batch(texts, pool=pool) == [enc.encode_ordinary(t) for t in texts]
    assert tokwise.WorkerPool(0).threads == 1
    with pytest.raises(tokwise.InvalidUtf8Error) as info:
        enc.count_batch(["fine", b"bad \xff", b"\xff"], pool=pool)
    assert info.value.index == 1 and info.value.byte_offset == 4


def test_encode_batch_error_index():
    enc = tokwise.get_encoding("cl100k_base")
    with pytest.raises(tokwise.DisallowedSpecialTokenError) as info:
        enc.encode_batch(["ok", "ok", "no <|endoftext|>"], num_threads=2)
    assert info.value.index == 2 and info.value.token == "<|endoftext|>"


def test_incremental_counter():
    enc = tokwise.get_encoding("o200k_base")
    text = "Streaming 中文 text, with émojis 👍 and numbers 12345.\n" * 20
    counter = tokwise.IncrementalCounter(enc)
    data = text.encode()
    for i in range(0, len(data), 7):  # Splits characters across appends.
        counter.append(data[i : i + 7])
        complete = data[: i + 7]
        while True:
            try:
                prefix = complete.decode()
                break
            except UnicodeDecodeError:
                complete = complete[:-1]
        assert counter.count == enc.count(prefix)
    assert counter.count == enc.count(text) and counter.bytes == len(data)
    assert counter.pending_bytes == 0
    with pytest.raises(tokwise.InvalidUtf8Error) as info:
        counter.append(b"\xff")
    assert info.value.byte_offset == len(data)  # Offsets are in the whole stream.
    assert counter.count == enc.count(text)  # Unchanged by the failed append.
    counter.reset()
    counter.append("hello world")
    assert counter.count == 2


def test_error_hierarchy():
    for cls in (tokwise.InvalidUtf8Error, tokwise.DisallowedSpecialTokenError,
                tokwise.NotFoundError, tokwise.UnknownTokenError, tokwise.InvalidDataError,
                tokwise.TokwiseOSError):
        assert issubclass(cls, tokwise.TokwiseError) and issubclass(cls, ValueError)
    assert issubclass(tokwise.NotFoundError, KeyError)
    assert issubclass(tokwise.UnknownTokenError, KeyError)
    assert issubclass(tokwise.TokwiseOSError, OSError)
    with pytest.raises(tokwise.UnknownTokenError) as info:
        tokwise.get_encoding("cl100k_base").decode([15339, 100261])
    assert info.value.index == 1
    assert str(info.value).startswith("token id 100261")  # Not quoted, as KeyError would be.


def test_rank_file_errors(tmp_path):
    with pytest.raises(tokwise.TokwiseOSError):
        tokwise.Encoding.from_tiktoken_file(tmp_path / "missing.tiktoken", "r50k_base")
    bad = tmp_path / "bad.tiktoken"
    bad.write_bytes(b"aGVsbG8= 0\n!!! 1\n")
    with pytest.raises(tokwise.InvalidDataError, match="line 2"):
        tokwise.Encoding.from_tiktoken_file(bad, "r50k_base", explicit_n_vocab=0)
    with pytest.raises(tokwise.NotFoundError):
        tokwise.Encoding.from_tiktoken_file(bad, "my_encoding")
    with pytest.raises(tokwise.NotFoundError, match="from_tiktoken_file"):
        tokwise.get_encoding("r50k_base")


def test_version():
    assert tokwise.__version__ == _core.__version__
    major, minor, patch = (int(x) for x in tokwise.__version__.split("."))
    assert _core.VERSION_NUMBER == major * 1_000_000 + minor * 1000 + patch


def test_gil_is_released_during_long_calls():
    enc = tokwise.get_encoding("o200k_base")
    big = ("All human beings are born free and equal in dignity and rights. " * 200_000).encode()
    started, done = threading.Event(), threading.Event()
    span = []

    def worker():
        started.set()
        t0 = time.perf_counter()
        enc.count(big)
        span.extend([t0, time.perf_counter()])
        done.set()

    stamps = []
    thread = threading.Thread(target=worker)
    thread.start()
    started.wait()
    while not done.is_set():
        stamps.append(time.perf_counter())
    thread.join()
    t0, t1 = span
    # While the worker counts (about 0.1 s), this thread keeps running Python code: holding
    # the GIL would stall it for the whole count, leaving (almost) no stamps inside the
    # window. Counting stamps rather than timing gaps keeps the test stable on a loaded
    # machine, where the scheduler may pause either thread for tens of milliseconds.
    inside = sum(1 for s in stamps if t0 <= s <= t1)
    assert inside > 1000, (inside, t1 - t0)


def _public(names):
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def test_type_stubs_match_the_extension():
    stub = ast.parse(Path(_core.__file__).with_name("_core.pyi").read_text())
    top, classes = set(), {}
    for node in stub.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef)
            } - {"__init__"}
    assert _public(top) == _public(dir(_core))
    for name, members in classes.items():
        assert members == _public(dir(getattr(_core, name))), name
    assert Path(tokwise.__file__).with_name("py.typed").exists()
