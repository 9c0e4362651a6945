"""Regenerates data/boolq-mini from llm-foundry's BoolQ dev file (see README.md)."""
import json
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "../../shared/data/general_mc/boolq/boolq.jsonl"
rows = [json.loads(line) for line in open(source, encoding="utf-8")]
short = [(i, r) for i, r in enumerate(rows) if len(r["query"]) <= 420]
splits = {"train": short[:400], "validation": short[400:450], "test": short[450:600]}
for name, items in splits.items():
    with open(f"data/boolq-mini/{name}.jsonl", "w", encoding="utf-8") as f:
        for i, r in items:
            answer = r["choices"][r["gold"]]
            f.write(json.dumps({"id": f"boolq-dev-{i}", "prompt": r["query"] + "\nAnswer:", "completion": " " + answer, "reference": answer}) + "\n")
