#!/usr/bin/python3
"""Independent, deliberately naive reference tokenizer for the tokenizer.json files Retain's tests use.

It shares no code or data structures with the C# implementation and is written for clarity, not speed:
  * added tokens: at each position, every added token is tried with str.startswith; the longest wins
    (leftmost-longest), tokens with normalized=false on the raw text, normalized ones on normalized pieces;
  * normalizers: unicodedata.normalize for NFC, str.replace, string prepend;
  * regex pre-tokenization: the pattern from tokenizer.json (or GPT-2's) run through Python's backtracking `re`
    after rewriting \\p{L}, \\p{N}, \\s and \\S into explicit character classes built from unicodedata (Python's `re`
    knows no \\p{..}, and its \\s is not Unicode White_Space). Python strings are sequences of code points, so a
    supplementary-plane letter is one character, as in Rust;
  * BPE: the textbook loop on token *strings*: find the adjacent pair with the lowest merge rank (leftmost on ties),
    merge it, repeat; characters outside the vocabulary become <0xXX> byte tokens or the unknown token;
  * decoding: each decoder step re-implemented from its description in the Rust sources.

A second, fully separate cross-check covers stories260K: llama2.c's own encoder (run.c `encode`, score-driven merges
over tok512.bin), ported literally.

Usage: /usr/bin/python3 tests/reference/bpe_reference.py [--check]
Writes tests/Retain.Kernel.Tests/Fixtures/Tokenizers/expected_encodings.json (with --check: compares instead).
"""
import json
import os
import struct
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("RETAIN_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
OUT = os.path.join(REPO, "tests", "Retain.Kernel.Tests", "Fixtures", "Tokenizers", "expected_encodings.json")

TOKENIZERS = {
    "qwen3": "models/tokenizers/qwen3/tokenizer.json",
    "gemma3": "models/tokenizers/gemma3/tokenizer.json",
    "smollm2": "models/tokenizers/smollm2-135m-instruct/tokenizer.json",
    "stories260k": "models/stories260K/tokenizer.json",
}

GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"

# Unicode White_Space (what Oniguruma and Rust call \s), listed explicitly.
WHITE_SPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680] + list(range(0x2000, 0x200B)) + [
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000]

# ---------------------------------------------------------------------------------------------------------------
# Regex translation


def class_body(predicate):
    """A character-class body (without brackets) listing every code point satisfying predicate, as ranges."""
    parts, start, prev = [], None, None
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        if predicate(cp):
            if start is None:
                start = cp
            prev = cp
        elif start is not None:
            parts.append((start, prev))
            start = None
    if start is not None:
        parts.append((start, prev))

    def esc(cp):
        return "\\U%08x" % cp

    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in parts)


_CLASSES = {}


def unicode_class(name):
    if name not in _CLASSES:
        if name == "L":
            _CLASSES[name] = class_body(lambda cp: unicodedata.category(chr(cp)).startswith("L"))
        elif name == "N":
            _CLASSES[name] = class_body(lambda cp: unicodedata.category(chr(cp)).startswith("N"))
        elif name == "s":
            ws = set(WHITE_SPACE)
            _CLASSES[name] = class_body(lambda cp: cp in ws)
    return _CLASSES[name]


def translate(pattern):
    """Rewrites \\p{L}, \\p{N}, \\s, \\S (inside and outside [...]) into explicit classes for Python's re."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1]
            if nxt == "p" and pattern[i + 2] == "{":
                end = pattern.index("}", i)
                name = pattern[i + 3:end]
                body = unicode_class(name)
                out.append(body if in_class else "[" + body + "]")
                i = end + 1
                continue
            if nxt == "s":
                body = unicode_class("s")
                out.append(body if in_class else "[" + body + "]")
                i += 2
                continue
            if nxt == "S":
                assert not in_class, "\\S inside a class is not handled"
                out.append("[^" + unicode_class("s") + "]")
                i += 2
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


_COMPILED = {}


def regex_find_all(pattern, text):
    import re
    if pattern not in _COMPILED:
        _COMPILED[pattern] = re.compile(translate(pattern))
    return [(m.start(), m.end()) for m in _COMPILED[pattern].finditer(text)]


# ---------------------------------------------------------------------------------------------------------------
# Pipeline pieces


def split_with_behavior(text, matches, behavior):
    """Splits text at (start, end) matches the way the Rust tokenizers library does; drops empty parts."""
    parts, prev = [], 0
    for a, b in matches:
        if a > prev:
            parts.append((text[prev:a], False))
        parts.append((text[a:b], True))
        prev = b
    if prev < len(text):
        parts.append((text[prev:], False))
    if behavior == "Isolated":
        out = [p for p, _ in parts]
    elif behavior == "Removed":
        out = [p for p, m in parts if not m]
    elif behavior == "MergedWithPrevious":
        out = []
        for p, m in parts:
            if m and out:
                out[-1] += p
            else:
                out.append(p)
    elif behavior == "MergedWithNext":
        out = []
        for p, m in reversed(parts):
            if m and out:
                out[-1] = p + out[-1]
            else:
                out.append(p)
        out.reverse()
    else:
        raise ValueError(behavior)
    return [p for p in out if p]


def bytes_to_unicode():
    """GPT-2's encoder.py table, verbatim in spirit."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}


class Reference:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.spec = json.load(f)
        model = self.spec["model"]
        assert model["type"] == "BPE"
        self.vocab = model["vocab"]
        self.id_to_token = {v: k for k, v in self.vocab.items()}
        self.ranks = {}
        for rank, merge in enumerate(model["merges"]):
            pair = tuple(merge.split(" ")) if isinstance(merge, str) else tuple(merge)
            self.ranks[pair] = rank
        self.byte_fallback = model.get("byte_fallback", False)
        self.unk = model.get("unk_token")
        self.fuse_unk = model.get("fuse_unk", False)
        self.added = self.spec["added_tokens"]
        self.added_by_id = {a["id"]: a for a in self.added}

    # -- normalization ------------------------------------------------------------------------------------------
    def normalize(self, text, spec=None):
        spec = self.spec["normalizer"] if spec is None else spec
        if spec is None:
            return text
        kind = spec["type"]
        if kind == "NFC":
            return unicodedata.normalize("NFC", text)
        if kind == "Replace":
            return text.replace(spec["pattern"]["String"], spec["content"])
        if kind == "Prepend":
            return spec["prepend"] + text if text else text
        if kind == "Sequence":
            for s in spec["normalizers"]:
                text = self.normalize(text, s)
            return text
        raise ValueError(kind)

    # -- pre-tokenization ---------------------------------------------------------------------------------------
    def pre_tokenize(self, pieces, spec=None):
        spec = self.spec["pre_tokenizer"] if spec is None else spec
        if spec is None:
            return pieces, False
        kind = spec["type"]
        if kind == "Sequence":
            byte_level = False
            for s in spec["pretokenizers"]:
                pieces, bl = self.pre_tokenize(pieces, s)
                byte_level = byte_level or bl
            return pieces, byte_level
        out = []
        for piece in pieces:
            if kind == "Split":
                pattern = spec["pattern"]
                if "Regex" in pattern:
                    matches = regex_find_all(pattern["Regex"], piece)
                else:
                    lit, matches, start = pattern["String"], [], 0
                    while True:
                        k = piece.find(lit, start)
                        if k < 0:
                            break
                        matches.append((k, k + len(lit)))
                        start = k + len(lit)
                out.extend(split_with_behavior(piece, matches, spec["behavior"]))
            elif kind == "Digits":
                assert spec["individual_digits"]
                matches = [(i, i + 1) for i, ch in enumerate(piece) if unicodedata.category(ch).startswith("N")]
                out.extend(split_with_behavior(piece, matches, "Isolated"))
            elif kind == "ByteLevel":
                if spec.get("add_prefix_space") and not piece.startswith(" "):
                    piece = " " + piece
                if spec.get("use_regex", True):
                    out.extend(split_with_behavior(piece, regex_find_all(GPT2_PATTERN, piece), "Isolated"))
                else:
                    out.append(piece)
            else:
                raise ValueError(kind)
        return out, kind == "ByteLevel"

    # -- BPE ----------------------------------------------------------------------------------------------------
    def bpe(self, word):
        symbols, unk_run = [], False
        for ch in word:
            if ch in self.vocab:
                symbols.append(ch)
                unk_run = False
            elif self.byte_fallback and all("<0x%02X>" % b in self.vocab for b in ch.encode("utf-8")):
                symbols.extend("<0x%02X>" % b for b in ch.encode("utf-8"))
                unk_run = False
            else:
                assert self.unk is not None, "no unk token"
                if not (unk_run and self.fuse_unk):
                    symbols.append(self.unk)
                unk_run = True
        while len(symbols) > 1:
            best = None
            for i in range(len(symbols) - 1):
                rank = self.ranks.get((symbols[i], symbols[i + 1]))
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, i)
            if best is None:
                break
            i = best[1]
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        return [self.vocab[s] for s in symbols]

    # -- added tokens -------------------------------------------------------------------------------------------
    def split_added(self, text, normalized):
        tokens = [a for a in self.added if a["normalized"] == normalized and a["content"]]
        assert not any(a["lstrip"] or a["rstrip"] or a["single_word"] for a in tokens), "not needed for these files"
        out, pending, i = [], "", 0
        while i < len(text):
            best = None
            for a in tokens:
                if text.startswith(a["content"], i) and (best is None or len(a["content"]) > len(best["content"])):
                    best = a
            if best is None:
                pending += text[i]
                i += 1
                continue
            if pending:
                out.append(pending)
                pending = ""
            out.append(best)
            i += len(best["content"])
        if pending:
            out.append(pending)
        return out

    # -- encode / decode ----------------------------------------------------------------------------------------
    def encode(self, text, add_special_tokens):
        ids = []
        for part in self.split_added(text, normalized=False):
            if isinstance(part, dict):
                ids.append(part["id"])
                continue
            for sub in self.split_added(self.normalize(part), normalized=True):
                if isinstance(sub, dict):
                    ids.append(sub["id"])
                    continue
                pieces, byte_level = self.pre_tokenize([sub])
                for piece in pieces:
                    if byte_level:
                        piece = "".join(BYTE_ENCODER[b] for b in piece.encode("utf-8"))
                    ids.extend(self.bpe(piece))
        if add_special_tokens:
            ids = self.special_prefix() + ids
        return ids

    def special_prefix(self):
        post = self.spec["post_processor"]
        if post is None or post["type"] == "ByteLevel":
            return []
        assert post["type"] == "TemplateProcessing"
        prefix = []
        for item in post["single"]:
            if "Sequence" in item:
                break
            prefix.extend(post["special_tokens"][item["SpecialToken"]["id"]]["ids"])
        return prefix

    def decode(self, ids, skip_special_tokens):
        tokens = []
        for i in ids:
            a = self.added_by_id.get(i)
            if a is not None:
                if skip_special_tokens and a["special"]:
                    continue
                tokens.append(a["content"])
            else:
                tokens.append(self.id_to_token[i])
        return "".join(self.decode_chain(tokens, self.spec["decoder"]))

    def decode_chain(self, tokens, spec):
        kind = spec["type"]
        if kind == "Sequence":
            for s in spec["decoders"]:
                tokens = self.decode_chain(tokens, s)
            return tokens
        if kind == "ByteLevel":
            data = bytearray()
            for t in tokens:
                if all(c in BYTE_DECODER for c in t):
                    data.extend(BYTE_DECODER[c] for c in t)
                else:
                    data.extend(t.encode("utf-8"))
            return [data.decode("utf-8", errors="replace")]
        if kind == "Replace":
            return [t.replace(spec["pattern"]["String"], spec["content"]) for t in tokens]
        if kind == "ByteFallback":
            out, pending = [], bytearray()

            def flush():
                if pending:
                    try:
                        out.append(bytes(pending).decode("utf-8"))
                    except UnicodeDecodeError:
                        out.extend("\ufffd" for _ in pending)
                    pending.clear()
            for t in tokens:
                if len(t) == 6 and t.startswith("<0x") and t.endswith(">"):
                    pending.append(int(t[3:5], 16))
                else:
                    flush()
                    out.append(t)
            flush()
            return out
        if kind == "Fuse":
            return ["".join(tokens)]
        if kind == "Strip":
            out = []
            for t in tokens:
                start = 0
                while start < spec["start"] and start < len(t) and t[start] == spec["content"]:
                    start += 1
                end = len(t)
                while len(t) - end < spec["stop"] and end > start and t[end - 1] == spec["content"]:
                    end -= 1
                out.append(t[start:end])
            return out
        raise ValueError(kind)


# ---------------------------------------------------------------------------------------------------------------
# llama2.c cross-check for stories260K


def llama2c_encode(tok_path, text, bos):
    """run.c `encode`: dummy prefix, per-character lookup with byte fallback (+3), then repeatedly merge the adjacent
    pair whose concatenation has the highest score (first such pair on ties)."""
    with open(tok_path, "rb") as f:
        data = f.read()
    (max_len,) = struct.unpack_from("<i", data, 0)
    offset, vocab, scores = 4, [], []
    while offset < len(data):
        score, length = struct.unpack_from("<fi", data, offset)
        offset += 8
        vocab.append(data[offset:offset + length])
        offset += length
        scores.append(score)
    lookup = {v: i for i, v in enumerate(vocab)}
    tokens = [1] if bos else []
    if text:
        tokens.append(lookup[b" "])
    for ch in text:
        b = ch.encode("utf-8")
        if b in lookup:
            tokens.append(lookup[b])
        else:
            tokens.extend(x + 3 for x in b)
    while True:
        best = (-1e10, -1, -1)
        for i in range(len(tokens) - 1):
            merged = vocab[tokens[i]] + vocab[tokens[i + 1]]
            k = lookup.get(merged)
            if k is not None and scores[k] > best[0]:
                best = (scores[k], k, i)
        if best[2] < 0:
            break
        tokens[best[2]:best[2] + 2] = [best[1]]
    return tokens


# ---------------------------------------------------------------------------------------------------------------
# Cases

COMMON_CASES = [
    ("ascii", "Hello world! It's 2024."),
    ("whitespace_runs", "a  b   c    d\t\te  \t x"),
    ("leading_trailing_spaces", "   leading and trailing   "),
    ("newlines", "line1\nline2\n\nline3\r\nline4\r\n\r\n  indented\n"),
    ("digits", "12345 3.14159 1,000,000 x2y3 0042"),
    ("punctuation", "Wait... what?! (yes) [no] {maybe} -- \"quoted\" 'single' #hash @at $5.00 100% a/b\\c"),
    ("contractions", "It's we'll they're I'VE he'd she'S DON'T you're"),
    ("accents_nfc", "café naïve résumé Ångström"),
    ("accents_decomposed", "cafe\u0301 nai\u0308ve A\u030angstro\u0308m"),
    ("cjk", "日本語のテキスト。中文文本，한국어 텍스트"),
    ("emoji", "I \u2764\ufe0f \U0001F916 and \U0001F468\u200d\U0001F469\u200d\U0001F467 \U0001F600!"),
    ("supplementary_letters", "\U0001D400\U0001D401\U0001D402 bold, \U00020000\U00020001 ext-B, x\U0001D400y \U0001D400's"),
    ("code", "def f(x):\n    return x**2  # square\n\tif x>0: pass\n"),
    ("empty", ""),
    ("gsm8k_like", "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
                   "How many clips did Natalia sell altogether in April and May?\n"
                   "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72"),
]

SPECIAL_CASES = {
    "qwen3": [
        ("special_chatml", "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nOK<|im_end|><|endoftext|>"),
        ("special_adjacent_text", "x<|im_end|>y <|im_start|> z"),
    ],
    "gemma3": [
        ("special_turns", "<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n"),
        ("added_whitespace_tokens", "a\n\n\nb\t\tc  d\n"),
        ("byte_fallback", "rare \U00020000 char"),
    ],
    "smollm2": [
        ("special_chatml", "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"),
        ("digit_after_space", "Room 101 has 3 beds"),
    ],
    "stories260k": [
        ("special_eos", "Once upon a time</s><s>The end"),
        ("byte_fallback", "The café in Zürich \u2603 ok"),
    ],
}


def build():
    result = {}
    for name, rel in TOKENIZERS.items():
        ref = Reference(os.path.join(SHARED, rel))
        cases = []
        for case_name, text in COMMON_CASES + SPECIAL_CASES[name]:
            ids = ref.encode(text, add_special_tokens=False)
            with_special = ref.encode(text, add_special_tokens=True)
            cases.append({
                "name": case_name,
                "text": text,
                "ids": ids,
                "ids_with_special_tokens": with_special,
                "decoded": ref.decode(ids, skip_special_tokens=False),
                "decoded_with_special_tokens_skipped": ref.decode(with_special, skip_special_tokens=True),
            })
            if name == "stories260k" and "<" not in text:
                independent = llama2c_encode(os.path.join(SHARED, "models/stories260K/tok512.bin"), text, bos=True)
                if independent != with_special:
                    raise SystemExit(f"stories260K case {case_name}: llama2.c encoder disagrees\n{independent}\n{with_special}")
        result[name] = {"tokenizer": rel, "cases": cases}
        print(f"{name}: {len(cases)} cases", file=sys.stderr)
    return result


def main():
    result = build()
    text = json.dumps(result, ensure_ascii=True, indent=1) + "\n"
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                raise SystemExit(f"{OUT} is out of date")
        print("fixture up to date", file=sys.stderr)
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
