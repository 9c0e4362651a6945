"""Packs langdetect's 55 language profiles and its messages.properties into the IFEval plugin's Data folder.

Run with Debian's python3-langdetect 1.0.9 installed:  /usr/bin/python3 tests/reference/ifeval/pack_langdetect.py
The profiles are written verbatim, one JSON object per line, in the order `os.listdir` gives on the machine that
runs this (langdetect's own load order, which decides ties between languages), then gzip-compressed.
"""
import gzip
import os
import shutil
import sys

import langdetect

root = os.path.dirname(langdetect.__file__)
out = os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins", "Retain.Benchmarks.IFEval", "Data")
profiles = os.path.join(root, "profiles")
names = [n for n in os.listdir(profiles) if not n.startswith(".") and os.path.isfile(os.path.join(profiles, n))]
with gzip.GzipFile(os.path.join(out, "langdetect-profiles.jsonl.gz"), "wb", mtime=0) as f:
    for name in names:
        with open(os.path.join(profiles, name), "rb") as p:
            f.write(p.read().strip() + b"\n")
shutil.copyfile(os.path.join(root, "utils", "messages.properties"), os.path.join(out, "langdetect-messages.properties"))
print("profiles in load order:", " ".join(names), file=sys.stderr)
