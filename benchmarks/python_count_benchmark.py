"""Python counting speed against the C++ library.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python_count_benchmark.py \
        [--build build] [--data ../shared/data] [--encoding o200k_base]

Prints, for the targets of the Python bindings:
  - the cost of Encoding.count() on short strings (target: <= 1 us per call);
  - counting 10 MB from Python (bytes, str) against the C++ Encoding::Count on the same text
    (target: within 10 %), using build/benchmarks/count_file_timing.

The 10 MB text is the shared corpus's valid UTF-8 documents, concatenated and repeated. Best of
several runs everywhere, so the figures are the machine's quiet-time speed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path


def best_of(fn, runs: int) -> float:
    return min(timeit.repeat(fn, number=1, repeat=runs))


def per_call_us(stmt: str, env: dict, number: int = 200_000) -> float:
    return min(timeit.repeat(stmt, globals=env, number=number, repeat=5)) / number * 1e6


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(root / "build"))
    parser.add_argument("--data", default=str(root.parent / "shared" / "data"))
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(args.build) / "python"))
    import tokwise

    enc = tokwise.get_encoding(args.encoding)
    print(f"tokwise {tokwise.__version__}, {args.encoding}, Python {sys.version.split()[0]}")

    # Short strings: the per-call cost.
    print("\nshort strings (us per call, best of 5 x 200k calls)")
    short = {
        "hello world": "hello world",
        "sentence (57 B)": "The quick brown fox jumps over the lazy dog, twice today.",
        "non-ASCII (24 B)": "Grüße aus Köln, 你好!",
    }
    for label, text in short.items():
        env = {"enc": enc, "s": text, "core": enc._core}
        print(f"  {label:18} count {per_call_us('enc.count(s)', env):6.3f}   "
              f"len(encode) {per_call_us('len(enc.encode(s))', env):6.3f}   "
              f"(core.count {per_call_us('core.count(s)', env):6.3f})")

    # 10 MB: Python against C++.
    corpus = Path(args.data) / "corpus"
    parts = []
    for path in sorted(corpus.iterdir()):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # The UTF-8 stress test: invalid on purpose.
        parts.append(data)
    chunk = b"\n".join(parts)
    size = int(args.megabytes * 1_000_000)
    big = (chunk * (size // len(chunk) + 1))[:size]
    big = big[: len(big.decode("utf-8", "ignore").encode())]  # End on a character boundary.
    text = big.decode("utf-8")

    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as f:
        f.write(big)
        path = f.name
    try:
        timing = Path(args.build) / "benchmarks" / "count_file_timing"
        out = subprocess.run([str(timing), args.encoding, path, str(args.runs)],
                             check=True, capture_output=True, text=True).stdout.split()
        cpp_tokens, cpp_s = int(out[0]), float(out[1])
    finally:
        os.unlink(path)

    assert enc.count(big) == cpp_tokens == enc.count(text)
    py_bytes = best_of(lambda: enc.count(big), args.runs)
    py_str = best_of(lambda: enc.count(text), args.runs)  # UTF-8 form cached in the str.
    fresh = [big.decode("utf-8") for _ in range(args.runs)]
    py_fresh = min(timeit.repeat(lambda: enc.count(fresh.pop()), number=1, repeat=args.runs))
    mb = len(big) / 1e6
    print(f"\n{mb:.1f} MB, {cpp_tokens} tokens (seconds, best of {args.runs}; MB/s)")
    print(f"  C++ Encoding::Count          {cpp_s:8.4f}  {mb / cpp_s:7.1f}")
    for label, t in [("Python count(bytes)", py_bytes), ("Python count(str)", py_str),
                     ("Python count(new str)", py_fresh)]:
        print(f"  {label:28} {t:8.4f}  {mb / t:7.1f}   x{t / cpp_s:.3f} of C++")
    print("  (new str: the first call on a str object also builds its UTF-8 form)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
