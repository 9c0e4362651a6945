#!/usr/bin/python3
"""Reference for the GSM8K grading tests: lm-evaluation-harness v0.4.9.1's RegexFilter (strict-match and
flexible-extract) and exact_match with gsm8k's regexes_to_ignore and ignore_case, written afresh from
shared/reference/eval-protocols.md section 2.3 and run with Python's re. Writes gsm8k_filter_cases.json.

Usage: /usr/bin/python3 make_gsm8k_fixture.py ../../../../../shared/data/gsm8k/test.jsonl
"""
import json
import re
import sys

STRICT = (r"#### (\-?[0-9\.\,]+)", 0)
FLEXIBLE = (r"(-?[$0-9.,]{2,})|(-?[0-9]+)", -1)
IGNORE = [",", r"\$", "(?s).*#### ", r"\.$"]


def regex_filter(response, pattern, group_select, fallback="[invalid]"):
    matches = re.compile(pattern).findall(response)
    if not matches:
        return fallback
    match = matches[group_select]
    if isinstance(match, tuple):
        match = [m for m in match if m]
        match = match[0] if match else fallback
    return match.strip()


def exact_match(prediction, reference):
    for pattern in IGNORE:
        prediction = re.sub(pattern, "", prediction)
        reference = re.sub(pattern, "", reference)
    return prediction.lower() == reference.lower()


RESPONSES = [
    "She makes 9 * 2 = $18 every day.\n#### 18",
    "The answer is $1,080.",
    "#### 1,080\nThen again #### 7",
    "We get 3.5 hours, so 210 minutes.",
    "Total: -12 degrees.",
    "Answer: 18.",
    "no digits at all",
    "#### 18.00",
    "It costs $.50 each, 4 of them: $2.00",
    "The answer is: 72",
    "5 apples, then 10 more makes 15\n\n",
    "#### -3\n",
    "x = 7, y = 8, so x + y = 15.\nThe final answer is 15",
    "1. First, 2. Second",
]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        docs = [json.loads(line) for line in f][:40]
    cases = []
    for i, doc in enumerate(docs):
        reference = doc["answer"]
        final = reference.split("#### ")[-1].strip()
        for response in RESPONSES + [reference, "The answer is " + final + ".", "#### " + final]:
            strict = regex_filter(response, *STRICT)
            flexible = regex_filter(response, *FLEXIBLE)
            cases.append({"doc": i, "response": response, "strict": strict, "flexible": flexible,
                          "strict_correct": exact_match(strict, reference), "flexible_correct": exact_match(flexible, reference)})
    with open(__file__.rsplit("/", 1)[0] + "/gsm8k_filter_cases.json", "w", encoding="utf-8") as f:
        json.dump({"source": "test.jsonl", "cases": cases}, f, ensure_ascii=False, indent=0)
    print(len(cases), "cases;", sum(c["strict_correct"] for c in cases), "strict and",
          sum(c["flexible_correct"] for c in cases), "flexible correct")


if __name__ == "__main__":
    main()
