#!/usr/bin/python3
"""Expected NFC / NFD forms for Retain's own Unicode normalization (the runtime's string.Normalize is a no-op in
invariant-globalization mode). Random strings over a pool of bases, Hangul jamo/syllables and combining marks of
varied classes exercise decomposition, canonical reordering, composition and blocking; Python's unicodedata is the
reference.

Usage: /usr/bin/python3 tests/reference/normalization_reference.py
Writes tests/Retain.Kernel.Tests/Fixtures/Tokenizers/normalization_cases.json.
"""
import json
import os
import random
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Retain.Kernel.Tests", "Fixtures", "Tokenizers", "normalization_cases.json")

BASES = list("aeouAECcnsSzZ") + ["\u03b1", "\u03c9", "\u03b9", "\u03a9", "\u1ff3", "\u0915", "\u0928", "\u00e9", "\u00c5",
                                  "\u212b", "\u2126", "\u0344", "\u1100", "\u1161", "\u11a8", "\uac00", "\uac01", "\ud7a3",
                                  "\u3131", "\u0627", "\u05d0", "\U0001d15e", "\U0001d400", "x", " "]
MARKS = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030a", "\u030c", "\u0323", "\u0327", "\u0328",
         "\u031b", "\u0338", "\u0345", "\u0313", "\u0314", "\u0342", "\u05b0", "\u05bc", "\u093c", "\u094d",
         "\u0f71", "\u0f72", "\u1dce", "\u302a", "\u0653", "\u0654", "\U0001d165", "\U0001d16e"]
# Long texts: runs of plain text (ASCII, CJK, kana that compose with the voiced sound marks U+3099/U+309A) around the
# pool above, so NFC's work is split over many stretches between composition boundaries.
RUNS = ["the quick fox ", "\u732b\u3067\u3042\u308b", "\u304b", "\u30cf", "\u3099", "\u309a", "\n", "12,5 ",
        "\U00020000", "\U0001f600", "\u00e9t\u00e9 "]


def main():
    rng = random.Random(20240601)
    cases = []
    seen = set()
    while len(cases) < 600:
        length = rng.randint(1, 6)
        text = "".join(rng.choice(BASES if rng.random() < 0.45 else MARKS) for _ in range(length))
        if text in seen:
            continue
        seen.add(text)
        cases.append({"text": text, "nfc": unicodedata.normalize("NFC", text), "nfd": unicodedata.normalize("NFD", text)})
    long_rng = random.Random(22)  # a second stream, so the short cases above stay as they were
    while len(cases) < 640:
        pools = [BASES, MARKS, RUNS]
        text = "".join(long_rng.choice(long_rng.choices(pools, weights=[3, 3, 4])[0]) for _ in range(long_rng.randint(100, 400)))
        cases.append({"text": text, "nfc": unicodedata.normalize("NFC", text), "nfd": unicodedata.normalize("NFD", text)})
    payload = {"unicode_version": unicodedata.unidata_version, "cases": cases}
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"unicode_version": %s, "cases": [\n' % json.dumps(payload["unicode_version"]))
        f.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in cases))
        f.write("\n]}\n")
    changed = sum(1 for c in cases if c["nfc"] != c["text"])
    print(f"wrote {OUT}: {len(cases)} cases, {changed} change under NFC")


if __name__ == "__main__":
    main()
