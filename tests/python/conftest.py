"""Shared fixtures of the Python tests. ctest runs them with PYTHONPATH pointing at the build's
package (build/python) and TOKWISE_SHARED_DATA at the shared test data; the wheel test runs them
against the wheel installed in a fresh virtual environment."""

import json
import os
from pathlib import Path

import pytest

import tokwise


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = os.environ.get("TOKWISE_SHARED_DATA")
    if not path or not Path(path, "corpus").is_dir():
        pytest.fail("set TOKWISE_SHARED_DATA to the shared test data folder")
    return Path(path)


@pytest.fixture(scope="session")
def gpt2(shared_data: Path) -> tokwise.Encoding:
    # tiktoken's "gpt2" is r50k_base's ranks under another name.
    return tokwise.Encoding.from_tiktoken_file(shared_data / "vocab/r50k_base.tiktoken", "gpt2")


@pytest.fixture(scope="session")
def p50k(shared_data: Path) -> tokwise.Encoding:
    return tokwise.Encoding.from_tiktoken_file(
        shared_data / "vocab/p50k_base.tiktoken", "p50k_base"
    )


def load_golden(shared_data: Path, encoding: str) -> list[dict]:
    """The golden token ids of every corpus document (see the shared data README)."""
    with open(shared_data / "oracle" / f"{encoding}.docs.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
