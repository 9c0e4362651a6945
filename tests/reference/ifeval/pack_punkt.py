"""Exports the parameters of nltk's trained English Punkt model into the IFEval plugin's Data folder.

/usr/bin/python3 tests/reference/ifeval/pack_punkt.py PATH/TO/punkt/english.pickle   (python3-nltk 3.8)
The pickle is the one nltk_data distributes (tokenizers/punkt/english.pickle, PY3 build; the shared reference copy is
in shared/reference/ifeval-deps/punkt/). Output, gzip-compressed UTF-8 lines, sorted:
  A<TAB>type            abbreviation types
  C<TAB>type<TAB>type   collocations
  S<TAB>type            frequent sentence starters
  O<TAB>type<TAB>flags  orthographic context (non-zero flags only)
"""
import gzip
import os
import pickle
import sys

with open(sys.argv[1], "rb") as f:
    params = pickle.load(f)._params
lines = [f"A\t{t}" for t in sorted(params.abbrev_types)]
lines += [f"C\t{a}\t{b}" for a, b in sorted(params.collocations)]
lines += [f"S\t{t}" for t in sorted(params.sent_starters)]
lines += [f"O\t{t}\t{v}" for t, v in sorted(params.ortho_context.items()) if v]
for line in lines:
    assert "\n" not in line and line.count("\t") <= 2, line
out = os.path.join(os.path.dirname(__file__), "..", "..", "..", "plugins", "Retain.Benchmarks.IFEval", "Data", "punkt-english.tsv.gz")
with gzip.GzipFile(out, "wb", mtime=0) as f:
    f.write(("\n".join(lines) + "\n").encode("utf-8"))
print(len(params.abbrev_types), len(params.collocations), len(params.sent_starters), len(params.ortho_context), file=sys.stderr)
