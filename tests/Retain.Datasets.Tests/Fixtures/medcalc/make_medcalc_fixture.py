#!/usr/bin/python3
"""Reference grading for the medcalc dataset tests, run with real Python semantics (eval, round, str(float),
datetime.strptime, json.dumps).

Written afresh from the rules in shared/reference/eval-protocols.md section 6 (MedCalc-Bench run.py extract_answer and
evaluate.py check_correctness); it is the independent reference the C# port is compared with. Writes
medcalc_grading_cases.json next to this file:

  targets: per row of test_data.csv, the sha256 of the zero-shot SFT target json.dumps({"step_by_step_thinking":
           explanation, "answer": ground truth}, ensure_ascii=False) and its grading as a response;
  prompts: for a few rows, the sha256 of the system and user messages of the zero_shot, one_shot and direct_answer
           prompts (protocol 6.1; one-shot exemplars from one_shot_finalized_explanation.json beside test_data.csv);
  cases:   perturbed responses for the first 4 rows of every calculator (by "row") and hand-made responses (with their
           own ground truth and limits), each with the answer run.py extracts and whether evaluate.py counts it correct.

Usage: /usr/bin/python3 make_medcalc_fixture.py ../../../../../shared/data/medcalc_bench/test_data.csv
"""
import csv
import hashlib
import json
import math
import re
import sys
from datetime import datetime

import numpy as np

DATE_IDS = {13, 68}
WEEKS_DAYS_IDS = {69}
INTEGER_IDS = {4, 15, 16, 17, 18, 20, 21, 25, 27, 28, 29, 32, 33, 36, 43, 45, 48, 51, 69}
DECIMAL_IDS = {2, 3, 5, 6, 7, 8, 9, 10, 11, 19, 22, 23, 24, 26, 30, 31, 38, 39, 40, 44, 46, 49,
               56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67}
PAIR = r"\(?[\"\']?(\d+)\s*(weeks?)?[\"\']?,?\s*[\"\']?(\d+)\s*(days?)?[\"\']?\s*\)?"
PLACEHOLDERS = {"str(short_and_direct_answer_of_the_question)", "str(value which is the answer to the question)", "X.XX"}


def extract(response, calid):
    """Protocol 6.2; raises where run.py raises."""
    text = re.sub(r"\s+", " ", response)
    found = re.findall(r'[Aa]nswer":\s*(.*?)\}', text)
    value = found[-1].strip().strip('"') if found else "Not Found"
    if value in PLACEHOLDERS:
        value = "Not Found"
    if calid in DATE_IDS:
        m = re.search(r"^(0?[1-9]|1[0-2])\/(0?[1-9]|[12][0-9]|3[01])\/(\d{4})", value)
        return "%02d/%02d/%s" % (int(m.group(1)), int(m.group(2)), m.group(3)) if m else "N/A"
    if calid in WEEKS_DAYS_IDS:
        re.search(PAIR, value).group(1)  # AttributeError when there is no pair, as in run.py
        cleaned = value.replace("[", "(").replace("]", ")").replace("'", "").replace('"', "")
        m = re.search(PAIR, cleaned)
        return "(%s, %s)" % (m.group(1), m.group(3)) if m else "N/A"
    if calid in INTEGER_IDS:
        m = re.search(r"(\d+) out of", value)
        if m:
            return m.group(1)
        m = re.search(r"-?\d+(, ?-?\d+)+", value)
        if m:
            return str(len(m.group(0).split(",")))
        numbers = re.findall(r"(-?\d+(\.\d+)?)", value)
        return numbers[-1][0] if numbers else "N/A"
    if calid in DECIMAL_IDS:
        m = re.search(r"str\((.*)\)", value)
        if m:
            expr = m.group(1)
            for old, new in [("^", "**"), ("is odd", "% 2 == 1"), ("is even", "% 2 == 0"), ("sqrt", "math.sqrt"),
                             (".math", ""), ("weight", ""), ("height", ""), ("mg/dl", ""), ("g/dl", ""),
                             ("mmol/L", ""), ("kg", ""), ("g", ""), ("mEq/L", "")]:
                expr = expr.replace(old, new)
            expr = expr.split("#")[0]
            opened, closed = expr.count("("), expr.count(")")
            if opened > closed:
                expr += ")" * (opened - closed)
            elif closed > opened:
                expr = "(" * (closed - opened) + expr
            try:
                result = eval(expr, {"__builtins__": None},
                              {"min": min, "pow": pow, "round": round, "abs": abs, "int": int, "float": float,
                               "math": math, "np": np, "numpy": np})
            except Exception:
                result = "N/A"
        else:
            m = re.search(r"(-?\d+(\.\d+)?)\s*mL/min/1.73", value)
            if m:
                result = eval(m.group(1))
            else:
                percents = re.findall(r"(-?\d+(\.\d+)?)\%", value)
                if percents:
                    result = eval(percents[-1][0]) / 100
                else:
                    numbers = re.findall(r"(-?\d+(\.\d+)?)", value)
                    result = eval(numbers[-1][0]) if numbers else "N/A"
        return result if result == "N/A" else str(result)
    raise ValueError("unknown calculator %d" % calid)


def correct(answer, truth, calid, upper, lower):
    """Protocol 6.3; raises where evaluate.py raises."""
    if calid in DATE_IDS:
        fmt = lambda s: datetime.strptime(s, "%m/%d/%Y").strftime("%-m/%-d/%Y")
        return fmt(answer) == fmt(truth)
    if calid in WEEKS_DAYS_IDS:
        t = re.search(PAIR, truth)
        truth_pair = "(%s, %s)" % (t.group(1), t.group(3))
        a = re.search(PAIR, answer)
        if not a:
            return False
        return eval("(%s, %s)" % (a.group(1), a.group(3))) == eval(truth_pair)
    if calid in INTEGER_IDS:
        return round(eval(answer)) == eval(truth)
    if calid in DECIMAL_IDS:
        value = eval(answer)
        return eval(lower) <= value <= eval(upper)
    raise ValueError("unknown calculator %d" % calid)


def grade(response, row):
    calid = int(row["Calculator ID"])
    try:
        answer = extract(response, calid)
    except Exception:
        return None, False
    try:
        ok = bool(correct(answer, row["Ground Truth Answer"], calid, row["Upper Limit"], row["Lower Limit"]))
    except Exception:
        ok = False
    return answer, ok


def answer_json(value):
    return '{"answer": "%s"}' % value


def variants(row):
    """Responses around the ground truth that probe each rule."""
    calid = int(row["Calculator ID"])
    gt, lo, hi = row["Ground Truth Answer"], row["Lower Limit"], row["Upper Limit"]
    out = []
    if calid in DATE_IDS:
        m, d, y = gt.split("/")
        out += [answer_json("%d/%d/%s" % (int(m), int(d), y)), answer_json(gt + " (estimated)"),
                answer_json("The date is " + gt), answer_json("%s/%s/%s" % (d, m, y)), answer_json(y + "-" + m + "-" + d)]
    elif calid in WEEKS_DAYS_IDS:
        w, d = re.search(PAIR, gt).group(1, 3)
        out += ['{"answer": ["%s weeks", "%s days"]}' % (w, d), answer_json("(%s, %s)" % (w, d)),
                answer_json("%s weeks and %s days" % (w, d)), answer_json("%s weeks" % w),
                answer_json("(%s, %d)" % (w, int(d) + 1)), answer_json("0%s weeks, %s days" % (w, d))]
    elif calid in INTEGER_IDS:
        n = int(gt)
        out += ['{"answer": %d}' % n, answer_json("%d out of 10" % n), answer_json("%d.5" % n), answer_json("%d.5" % (n - 1)),
                answer_json("%d.49" % n), answer_json("score: %d" % (n + 1)), answer_json("0%d" % n),
                answer_json("1, 2, 3"), answer_json("no number")]
    else:
        g, l, h = float(gt), float(lo), float(hi)
        out += ['{"answer": %s}' % gt, answer_json(lo), answer_json(hi), answer_json(repr(l - abs(g) * 0.001 - 1e-9)),
                answer_json(repr(h + abs(g) * 0.001 + 1e-9)), answer_json("%s%%" % repr(g * 100)),
                answer_json("str(%s)" % gt), answer_json("str(round(%s, 1))" % gt), answer_json("-" + gt.lstrip("-")),
                answer_json("%s mL/min/1.73 m2" % gt), answer_json("0%d" % abs(int(g)) if abs(g) >= 1 else "07")]
    return out


HANDMADE = [
    # (calculator id, ground truth, lower, upper, response)
    (2, "25.238", "23.9761", "26.4999", 'Reasoning... {"step_by_step_thinking": "x", "answer": "25.1 mL/min"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(round((140 - 87) * 48.0 / (1.4 * 72), 2))"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(((140 - 87) * 48 * 1) / (1.4 * 72)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(max(25, 26))"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(sqrt(640))"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(5 ^ 2) # squared"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(np.sqrt(640))"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(2524 // 100 + 0.2)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(1/0)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(weight * 2)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "str(25 is odd)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "about 24 to 26, say 25.5"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "2.5e1"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "X.XX"}'),
    (2, "25.238", "23.9761", "26.4999", 'no json here 25.238'),
    (2, "25.238", "23.9761", "26.4999", '{"answer": "25.238"} then {"answer": "str(short_and_direct_answer_of_the_question)"}'),
    (2, "25.238", "23.9761", "26.4999", '{"answer":\n   "25.5"\n}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "-0.8"}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "-0.87"}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "0.828"}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "-82.8%"}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "-0.8694"}'),
    (38, "-0.828", "-0.8694", "-0.7866", '{"answer": "str(-0.828 * 1.0)"}'),
    (38, "0", "0", "0", '{"answer": "0"}'),
    (38, "0", "0", "0", '{"answer": "0.0"}'),
    (38, "0", "0", "0", '{"answer": "-0.0"}'),
    (38, "0", "0", "0", '{"answer": "0.001"}'),
    (38, "0", "0", "0", '{"answer": "00"}'),
    (4, "3", "3", "3", '{"answer": "2.5"}'),
    (4, "3", "3", "3", '{"answer": "3.5"}'),
    (4, "4", "4", "4", '{"answer": "3.5"}'),
    (4, "4", "4", "4", '{"answer": "4.5"}'),
    (4, "0", "0", "0", '{"answer": "-0.4"}'),
    (4, "0", "0", "0", '{"answer": "0"}'),
    (4, "3", "3", "3", '{"answer": "-3"}'),
    (4, "2", "2", "2", '{"answer": "2, 3"}'),
    (4, "3", "3", "3", '{"answer": "3 out of 5 criteria"}'),
    (4, "3", "3", "3", '{"answer": "03"}'),
    (4, "3", "3", "3", '{"answer": "Not Found"}'),
    (4, "3", "3", "3", '{"answer": 3}'),
    (13, "09/23/2014", "09/23/2014", "09/23/2014", '{"answer": "9/23/2014"}'),
    (13, "09/23/2014", "09/23/2014", "09/23/2014", '{"answer": "09/23/2014"}'),
    (13, "09/23/2014", "09/23/2014", "09/23/2014", '{"answer": "09/24/2014"}'),
    (13, "09/23/2014", "09/23/2014", "09/23/2014", '{"answer": "2014-09-23"}'),
    (13, "02/28/2021", "02/28/2021", "02/28/2021", '{"answer": "02/30/2021"}'),
    (13, "02/28/2021", "02/28/2021", "02/28/2021", '{"answer": "02/28/20211"}'),
    (68, "12/31/2009", "12/31/2009", "12/31/2009", '{"answer": "12/31/2009 is the date"}'),
    (69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", '{"answer": "(14, 1)"}'),
    (69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", '{"answer": "14 weeks, 1 day"}'),
    (69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", '{"answer": ["14 weeks", "1 days"]}'),
    (69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", '{"answer": "14 weeks"}'),
    (69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", '{"answer": "fourteen weeks"}'),
    (69, "('0 weeks', '6 days')", "('0 weeks', '6 days')", "('0 weeks', '6 days')", '{"answer": "(0, 6)"}'),
    (69, "('0 weeks', '6 days')", "('0 weeks', '6 days')", "('0 weeks', '6 days')", '{"answer": "(00, 6)"}'),
    (69, "('8 weeks', '6 days')", "('8 weeks', '6 days')", "('8 weeks', '6 days')", '{"answer": "(08, 6)"}'),
    (69, "('1 weeks', '6 days')", "('1 weeks', '6 days')", "('1 weeks', '6 days')", '{"answer": "(16)"}'),
]


THINK = ('{"step_by_step_thinking": str(your_step_by_step_thinking_procress_to_solve_the_question), '
         '"answer": str(short_and_direct_answer_of_the_question)}')


def prompts(row, exemplars):
    note, question = row["Patient Note"], row["Question"]
    zero_system = ("You are a helpful assistant for calculating a score for a given patient note. Please think "
                   "step-by-step to solve the question and then generate the required score. Your output should only "
                   "contain a JSON dict formatted as " + THINK + ".")
    zero_user = ("Here is the patient note:\n" + note + "\n\nHere is the task:\n" + question
                 + "\n\nPlease directly output the JSON dict formatted as " + THINK + ":")
    direct = '{"answer": str(value which is the answer to the question)}'
    direct_system = ("You are a helpful assistant for calculating a score for a given patient note. Please output answer "
                     "only without any other text. Your output should only contain a JSON dict formatted as " + direct + ".")
    direct_user = ("Here is the patient note:\n" + note + "\n\nHere is the task:\n" + question
                   + "\n\nPlease directly output the JSON dict formatted as " + direct + ":")
    example = exemplars[row["Calculator ID"]]
    output = {"step_by_step_thinking": example["Response"]["step_by_step_thinking"], "answer": example["Response"]["answer"]}
    one_system = (zero_system.replace('{"step', '{{"step').replace("question)}.", "question)}}.")
                  + "Here is an example patient note:\n\n" + example["Patient Note"]
                  + "\n\nHere is an example task:\n\n" + question
                  + '\n\nPlease directly output the JSON dict formatted as {"step_by_step_thinking": '
                  + 'str(your_step_by_step_thinking_procress_to_solve_the_question), "answer": str(value which is the '
                  + 'answer to the question)}:\n\n' + json.dumps(output))
    one_user = ("Here is the patient note:\n\n" + note + "\n\nHere is the task:\n\n" + question
                + "\n\nPlease directly output the JSON dict formatted as " + THINK + ":")
    sha = lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()
    return {"row": row["Row Number"],
            "ZeroShot": [sha(zero_system), sha(zero_user)],
            "DirectAnswer": [sha(direct_system), sha(direct_user)],
            "OneShot": [sha(one_system), sha(one_user)]}


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    targets, cases = [], []
    seen = {}
    for row in rows:
        target = json.dumps({"step_by_step_thinking": row["Ground Truth Explanation"], "answer": row["Ground Truth Answer"]},
                            ensure_ascii=False)
        answer, ok = grade(target, row)
        targets.append({"row": row["Row Number"], "sha256": hashlib.sha256(target.encode("utf-8")).hexdigest(),
                        "extracted": answer, "correct": ok})
        seen[row["Calculator ID"]] = seen.get(row["Calculator ID"], 0) + 1
        if seen[row["Calculator ID"]] > 4:
            continue
        for response in variants(row):
            answer, ok = grade(response, row)
            cases.append({"row": row["Row Number"], "response": response, "extracted": answer, "correct": ok})
    for calid, gt, lo, hi, response in HANDMADE:
        row = {"Calculator ID": str(calid), "Ground Truth Answer": gt, "Lower Limit": lo, "Upper Limit": hi}
        answer, ok = grade(response, row)
        cases.append({"calculator": calid, "truth": gt, "lower": lo, "upper": hi, "response": response,
                      "extracted": answer, "correct": ok})
    with open(path.rsplit("/", 1)[0] + "/one_shot_finalized_explanation.json", encoding="utf-8") as f:
        exemplars = json.load(f)
    prompt_rows = [r for r in rows if r["Row Number"] in ("1", "2")] + [next(r for r in rows if r["Calculator ID"] == c) for c in ("69", "13", "24")]
    out = {"source": "test_data.csv", "rows": len(rows), "targets": targets,
           "prompts": [prompts(r, exemplars) for r in prompt_rows], "cases": cases}
    with open(__file__.rsplit("/", 1)[0] + "/medcalc_grading_cases.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    print("rows", len(rows), "targets correct", sum(t["correct"] for t in targets), "cases", len(cases),
          "cases correct", sum(c["correct"] for c in cases))


if __name__ == "__main__":
    main()
