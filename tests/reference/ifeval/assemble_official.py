"""Assembles google-research's instruction_following_eval checker code (and lm-eval v0.4.9.1's copy) for
official_verdicts.py, from a local clone of EleutherAI/lm-evaluation-harness.

    /usr/bin/python3 tests/reference/ifeval/assemble_official.py LM_EVAL_GIT_DIR OUT_DIR

Why assembled: google-research/google-research is a 1.1 GB repository and could not be cloned here; its
instruction_following_eval files were read file by file (instructions.py @3f357bde, instructions_util.py @5b09c22d,
instructions_registry.py @1d49f2c0, evaluation_lib.py @4c429948). lm-eval v0.4.9.1 (d021bf84) copies them. Compared
function by function, every check_following body, the 25 registered ids and the strict/loose evaluation are
identical; the copies differ only in:
  1. LetterFrequencyChecker.build_description: google-research keeps any one-character letter ("if not letter or
     len(letter) > 1"); lm-eval also replaces a letter outside a-z by random.choice(string.ascii_letters).
  2. evaluation: google-research passes kwargs as given; lm-eval drops falsy values first (no effect on
     input_data.jsonl, which has none).
  3. instructions_util: lm-eval asserts nltk >= 3.9.1 and downloads punkt_tab at import (removed here: Debian's
     nltk is 3.8, and the model is loaded from english.pickle by both copies' count_sentences).
  4. logging (absl vs. the standard module), import paths, docstrings, formatting.
This script writes OUT_DIR/instruction_following_eval (google-research semantics: lm-eval's files with 1-3 undone)
and OUT_DIR/lm_eval/tasks/ifeval (lm-eval's files, only 3 undone).
"""
import os
import subprocess
import sys

git_dir, out = sys.argv[1], sys.argv[2]
REV = "v0.4.9.1"


def show(name):
    return subprocess.check_output(["git", "-C", git_dir, "show", f"{REV}:lm_eval/tasks/ifeval/{name}"], text=True)


def replace(text, old, new):
    assert old in text, old
    return text.replace(old, new)


def without_download(util):
    start = util.index("# Downloading 'punkt'")
    end = util.index("download_nltk_resources()\n", util.index("def download_nltk_resources")) + len("download_nltk_resources()\n")
    util = util[:start] + util[end:]
    util = util.replace("from packaging.version import parse as parse_version\n", "")
    return util.replace("from importlib.metadata import version\n", "")


files = {name: show(name) for name in ("instructions.py", "instructions_registry.py", "instructions_util.py", "utils.py")}
files["instructions_util.py"] = without_download(files["instructions_util.py"])

lm = os.path.join(out, "lm_eval", "tasks", "ifeval")
os.makedirs(lm, exist_ok=True)
for pkg in ("lm_eval", "lm_eval/tasks", "lm_eval/tasks/ifeval"):
    open(os.path.join(out, pkg, "__init__.py"), "w").close()
for name, text in files.items():
    with open(os.path.join(lm, name), "w") as f:
        f.write(text)

gr = os.path.join(out, "instruction_following_eval")
os.makedirs(gr, exist_ok=True)
open(os.path.join(gr, "__init__.py"), "w").close()
for name, text in files.items():
    text = text.replace("from lm_eval.tasks.ifeval import", "from instruction_following_eval import")
    if name == "instructions.py":
        text = replace(text, """            or len(letter) > 1
            or ord(letter.lower()) < 97
            or ord(letter.lower()) > 122
""", """            or len(letter) > 1
""")
    if name == "utils.py":
        name = "evaluation_lib.py"
        text = text.replace("kwargs = {k: v for k, v in inp.kwargs[index].items() if v}", "kwargs = inp.kwargs[index]")
        assert "if v}" not in text
    with open(os.path.join(gr, name), "w") as f:
        f.write(text)
print("wrote", gr, "and", lm)
