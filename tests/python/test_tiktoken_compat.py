"""tokwise as a drop-in for tiktoken: values from tiktoken's public README and tests and from
the OpenAI Cookbook ("How to count tokens with tiktoken"), run through tokwise."""

import pickle

import pytest

import tokwise
import tokwise as tiktoken  # The one-line switch this suite checks.


def test_readme():
    enc = tiktoken.get_encoding("o200k_base")
    assert enc.decode(enc.encode("hello world")) == "hello world"
    enc = tiktoken.encoding_for_model("gpt-4o")
    assert enc.name == "o200k_base"
    assert repr(enc) == "<Encoding 'o200k_base'>"


def test_simple():
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.encode("hello world") == [15339, 1917]
    assert enc.decode([15339, 1917]) == "hello world"
    assert enc.encode("hello <|endoftext|>", allowed_special="all") == [15339, 220, 100257]
    assert enc.encode("") == []


def test_gpt2_and_p50k(gpt2, p50k):
    assert gpt2.encode("hello world") == [31373, 995]
    assert gpt2.decode([31373, 995]) == "hello world"
    assert gpt2.encode("hello <|endoftext|>", allowed_special="all") == [31373, 220, 50256]
    assert p50k.encode("hello world") == [31373, 995]


def test_simple_repeated(gpt2):
    want = {
        1: [15], 2: [405], 3: [830], 4: [2388], 5: [20483], 6: [10535], 7: [24598],
        8: [8269], 9: [10535, 830], 10: [8269, 405], 11: [8269, 830], 12: [8269, 2388],
        13: [8269, 20483], 14: [8269, 10535], 15: [8269, 24598], 16: [25645],
        17: [8269, 10535, 830],
    }
    for n, ids in want.items():
        assert gpt2.encode("0" * n) == ids, n


def test_simple_regex():
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.encode("rer") == [38149]
    assert enc.encode("'rer") == [2351, 81]
    assert enc.encode("today\n ") == [31213, 198, 220]
    assert enc.encode("today\n \n") == [31213, 27907]
    assert enc.encode("today\n  \n") == [31213, 14211]
    assert enc.encode(" \x850") == [220, 126, 227, 15]


def test_surrogates():
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.encode("👍") == [9468, 239, 235]
    # A surrogate pair becomes its character; a lone surrogate becomes U+FFFD.
    assert enc.encode("\ud83d\udc4d") == [9468, 239, 235]
    assert enc.encode("\ud83d") == enc.encode("�")
    assert enc.encode_ordinary("\ud83d\udc4d") == [9468, 239, 235]
    assert enc.count("\ud83d") == enc.count("�")


def test_cookbook():
    encoding = tiktoken.get_encoding("cl100k_base")
    assert encoding.encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert encoding.decode([83, 1609, 5963, 374, 2294, 0]) == "tiktoken is great!"
    assert [encoding.decode_single_token_bytes(t) for t in [83, 1609, 5963, 374, 2294, 0]] == [
        b"t", b"ik", b"token", b" is", b" great", b"!",
    ]
    assert tiktoken.encoding_for_model("gpt-3.5-turbo").name == "cl100k_base"

    # The Cookbook's helper, unchanged apart from the import.
    def num_tokens_from_string(string: str, encoding_name: str) -> int:
        encoding = tiktoken.get_encoding(encoding_name)
        return len(encoding.encode(string))

    assert num_tokens_from_string("tiktoken is great!", "cl100k_base") == 6


def test_cookbook_comparing_encodings(gpt2, p50k):
    cl100k = tiktoken.get_encoding("cl100k_base")
    cases = {
        "antidisestablishmentarianism": (
            [415, 29207, 44390, 3699, 1042],
            [519, 85342, 34500, 479, 8997, 2191],
        ),
        "2 + 2 = 4": ([17, 1343, 362, 796, 604], [17, 489, 220, 17, 284, 220, 19]),
        "お誕生日おめでとう": (
            [2515, 232, 45739, 243, 37955, 33768, 98, 2515, 232, 1792, 223, 30640, 30201, 29557],
            [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699],
        ),
    }
    for text, (old, new) in cases.items():
        assert gpt2.encode(text) == old
        assert p50k.encode(text) == old
        assert cl100k.encode(text) == new
    assert cl100k.decode_tokens_bytes([519, 85342, 34500, 479, 8997, 2191]) == [
        b"ant", b"idis", b"establish", b"ment", b"arian", b"ism",
    ]


def test_encoding_for_model():
    assert tiktoken.encoding_name_for_model("gpt2") == "gpt2"
    assert tiktoken.encoding_name_for_model("text-davinci-003") == "p50k_base"
    assert tiktoken.encoding_name_for_model("text-davinci-edit-001") == "p50k_edit"
    assert tiktoken.encoding_for_model("gpt-3.5-turbo-0301").name == "cl100k_base"
    assert tiktoken.encoding_for_model("gpt-4").name == "cl100k_base"
    assert tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
    assert tiktoken.encoding_for_model("gpt-oss-120b").name == "o200k_harmony"
    # tiktoken raises KeyError for an unknown model.
    with pytest.raises(KeyError):
        tiktoken.encoding_for_model("no-such-model")
    # Known but not built in: a clear error, not a download.
    with pytest.raises(tokwise.NotFoundError, match="from_tiktoken_file"):
        tiktoken.encoding_for_model("text-davinci-003")
    with pytest.raises(ValueError):
        tiktoken.get_encoding("no_such_encoding")


def test_single_token_roundtrip():
    for name in tiktoken.list_encoding_names():
        enc = tiktoken.get_encoding(name)
        for token in range(10_000):
            assert enc.encode_single_token(enc.decode_single_token_bytes(token)) == token
        with pytest.raises(KeyError):
            enc.decode_single_token_bytes(enc.max_token_value + 1)
        with pytest.raises(KeyError):
            enc.encode_single_token("hello world, not one token")


def test_special_token():
    enc = tiktoken.get_encoding("cl100k_base")
    eot = enc.encode_single_token("<|endoftext|>")
    assert eot == enc.eot_token
    fip = enc.encode_single_token("<|fim_prefix|>")
    fim = enc.encode_single_token("<|fim_middle|>")

    text = "<|endoftext|> hello <|fim_prefix|>"
    assert eot not in enc.encode(text, disallowed_special=())
    with pytest.raises(ValueError):
        enc.encode(text)
    with pytest.raises(ValueError):
        enc.encode(text, disallowed_special="all")
    with pytest.raises(ValueError):
        enc.encode(text, disallowed_special={"<|endoftext|>"})
    with pytest.raises(ValueError):
        enc.encode(text, disallowed_special={"<|fim_prefix|>"})
    with pytest.raises(ValueError):
        enc.encode(text, allowed_special={"<|endoftext|>"})

    text = "<|endoftext|> hello <|fim_prefix|> there <|fim_middle|>"
    ids = enc.encode(text, disallowed_special=())
    assert eot not in ids and fip not in ids and fim not in ids
    for disallowed in ((), "all"):
        ids = enc.encode(text, allowed_special="all", disallowed_special=disallowed)
        assert eot in ids and fip in ids and fim in ids
    for allowed, present in [
        ({"<|fim_prefix|>"}, fip),
        ({"<|endoftext|>"}, eot),
        ({"<|fim_middle|>"}, fim),
    ]:
        ids = enc.encode(text, allowed_special=allowed, disallowed_special=())
        assert [t for t in (eot, fip, fim) if t in ids] == [present]


def test_disallowed_error_names_the_token():
    enc = tiktoken.get_encoding("cl100k_base")
    with pytest.raises(tokwise.DisallowedSpecialTokenError) as info:
        enc.encode("hi <|endoftext|>")
    assert info.value.token == "<|endoftext|>"
    assert info.value.byte_offset == 3
    assert "<|endoftext|>" in str(info.value)
    assert isinstance(info.value, ValueError)
    # tiktoken also rejects a disallowed string that is not a special token of the encoding.
    with pytest.raises(ValueError, match="banana"):
        enc.encode("an apple and a banana", disallowed_special={"banana", "<|endoftext|>"})


def test_encode_ordinary_equals_disallowed_empty():
    enc = tiktoken.get_encoding("o200k_base")
    for text in ["", "plain", "a<|endoftext|>b", "<|endofprompt|><|endoftext|>", "x" * 100]:
        assert enc.encode_ordinary(text) == enc.encode(text, disallowed_special=())


def test_basic_roundtrip():
    for name in tiktoken.list_encoding_names():
        enc = tiktoken.get_encoding(name)
        for value in ("hello", "hello ", "hello  ", " hello", " hello ", " hello  ",
                      "hello world", "请考试我的软件！12345"):
            assert value == enc.decode(enc.encode(value))
            assert value == enc.decode(enc.encode_ordinary(value))


def test_catastrophically_repetitive():
    enc = tiktoken.get_encoding("cl100k_base")
    for c in ["^", "0", "a", "'s", " ", "\n"]:
        big = c * 10_000
        assert big == enc.decode(enc.encode(big))
        big = " " + big
        assert big == enc.decode(enc.encode(big))
        big = big + "\n"
        assert big == enc.decode(enc.encode(big))


def test_large_repeated():
    enc = tiktoken.get_encoding("o200k_base")
    assert enc.encode("x" * 1_000_000)


def test_batch_encode():
    for name in tiktoken.list_encoding_names():
        enc = tiktoken.get_encoding(name)
        a, b = "hello world", "goodbye world"
        assert enc.encode_batch([a]) == [enc.encode(a)]
        assert enc.encode_batch([a, b]) == [enc.encode(a), enc.encode(b)]
        assert enc.encode_ordinary_batch([a, b]) == [enc.encode_ordinary(a), enc.encode_ordinary(b)]
        batch = ["x<|endoftext|>", "", "plain"]
        encoded = enc.encode_batch(batch, allowed_special="all")
        assert encoded == [enc.encode(t, allowed_special="all") for t in batch]
        assert enc.decode_batch(encoded) == batch
        assert enc.decode_bytes_batch(encoded) == [t.encode() for t in batch]


def test_basic_offsets():
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.decode_with_offsets([]) == ("", [])
    prompt = "hello world"
    assert enc.decode_with_offsets(enc.encode(prompt)) == (prompt, [0, 5])
    assert enc.decode_with_offsets(t for t in enc.encode(prompt)) == (prompt, [0, 5])
    prompt = "hello world<|endoftext|> green cow"
    assert enc.decode_with_offsets(enc.encode(prompt, allowed_special="all")) == (
        prompt, [0, 5, 11, 24, 30])
    prompt = "我非常渴望与人工智能一起工作"
    assert enc.decode_with_offsets(enc.encode(prompt)) == (
        prompt, [0, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 13])
    prompt = "நடிகர் சூர்யா"
    assert enc.decode_with_offsets(enc.encode(prompt)) == (
        prompt, [0, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9, 9, 10, 11, 12, 12])
    prompt = " Ġ除"
    assert enc.decode_with_offsets(enc.encode(prompt)) == (prompt, [0, 1])
    with pytest.raises(KeyError):
        enc.decode_with_offsets([enc.max_token_value + 1])


def test_decode_is_lossy_by_default():
    enc = tiktoken.get_encoding("cl100k_base")
    # Token 126 is the byte 0xC2, the first half of U+0085 (see test_simple_regex).
    assert enc.decode([126]) == "\ufffd"
    with pytest.raises(UnicodeDecodeError):
        enc.decode([126], errors="strict")


def test_properties():
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.n_vocab == 100277 and enc.max_token_value == 100276
    assert enc.eot_token == 100257
    assert enc.special_tokens_set == {
        "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"}
    assert enc.is_special_token(100257) and not enc.is_special_token(15339)
    o200k = tiktoken.get_encoding("o200k_base")
    assert o200k.n_vocab == 200019 and o200k.eot_token == 199999
    assert tiktoken.get_encoding("cl100k_base") is enc


def test_extending_tiktoken():
    # tiktoken's README, "Extending tiktoken".
    cl100k_base = tiktoken.get_encoding("cl100k_base")
    enc = tiktoken.Encoding(
        name="cl100k_im",
        pat_str=cl100k_base._pat_str,
        mergeable_ranks=cl100k_base._mergeable_ranks,
        special_tokens={
            **cl100k_base._special_tokens,
            "<|im_start|>": 100264,
            "<|im_end|>": 100265,
        },
    )
    assert enc.name == "cl100k_im"
    assert enc.encode("<|im_start|>hello<|im_end|>", allowed_special="all") == [
        100264, 15339, 100265]
    assert enc.encode("hello world") == [15339, 1917]
    assert len(cl100k_base._mergeable_ranks) == 100256
    values = enc.token_byte_values()
    assert len(values) == 100256 and values == sorted(values) and b"hello" in values


def test_pickle(gpt2):
    enc = tiktoken.get_encoding("cl100k_base")
    data = pickle.dumps(enc)
    assert len(data) < 200  # Built-in encodings pickle by name.
    again = pickle.loads(data)
    assert again.name == "cl100k_base" and again.encode("hello world") == [15339, 1917]
    again = pickle.loads(pickle.dumps(gpt2))
    assert again.name == "gpt2" and again.encode("hello world") == [31373, 995]


def test_encode_to_numpy():
    np = pytest.importorskip("numpy")
    enc = tiktoken.get_encoding("cl100k_base")
    arr = enc.encode_to_numpy("hello world")
    assert arr.dtype == np.uint32 and arr.tolist() == [15339, 1917]


def test_special_arguments_must_be_all_or_collections():
    # tiktoken raises TypeError for a bare string other than "all" (it cannot subtract a str
    # from a set); reading "x" as the set {"x"} of characters would hide the mistake.
    enc = tokwise.get_encoding("cl100k_base")
    with pytest.raises(TypeError):
        enc.encode("hello", allowed_special="<|endoftext|>")
    with pytest.raises(TypeError):
        enc.encode("hello", disallowed_special="<|endoftext|>")
