"""Official IFEval verdicts on a broad response set: the fixtures Retain's IFEval is compared with.

    /usr/bin/python3 tests/reference/ifeval/assemble_official.py LM_EVAL_GIT_DIR /tmp/official
    NLTK_DATA=DIR_WITH_tokenizers/punkt/PY3/english.pickle /usr/bin/python3 tests/reference/ifeval/official_verdicts.py /tmp/official [GPT4_RESPONSES]

GPT4_RESPONSES (optional): google-research's data/input_response_data_gpt4_20231107_145030.jsonl, real GPT-4
responses to the 541 prompts, matched by prompt (the copy used for the committed fixture: Podtech-AI/IFEval @76670a37,
data/input_response_data_gpt4_20231107_145030.jsonl, 540 responses, an earlier revision of google-research's file).

Needs Debian's python3-langdetect 1.0.9, python3-nltk 3.8, python3-absl, python3-immutabledict (CPython 3.11) and
nltk_data's English Punkt pickle (shared/reference/ifeval-deps/punkt). langdetect is seeded with
DetectorFactory.seed = 0; Python's global random with 0 before lm-eval's copy runs (its letter_frequency draws a
random letter for '#' and '!').

Writes tests/Retain.Benchmarks.Tests/Fixtures/ifeval/:
  verdicts.jsonl.gz  one row per (instruction list + kwargs, response): google-research strict/loose lists and
                     lm-eval v0.4.9.1's; "source": "gpt4" (the real responses, when given), "synthetic" (for each of the
                     541 prompts of shared/data/ifeval/input_data.jsonl, six responses built from its instructions,
                     right and wrong) or "crafted" (edge cases for every instruction type: short, long, other
                     languages, edge punctuation).
  punkt.jsonl.gz     nltk.sent_tokenize and nltk.word_tokenize of every distinct response and prompt.
"""
import gzip
import json
import os
import random
import sys

sys.path.insert(0, sys.argv[1])
import langdetect  # noqa: E402
import nltk  # noqa: E402
from langdetect import DetectorFactory  # noqa: E402

DetectorFactory.seed = 0
from instruction_following_eval import evaluation_lib as gr  # noqa: E402
from lm_eval.tasks.ifeval import utils as lm  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..", "..")
shared = os.environ.get("RETAIN_SHARED", os.path.join(root, "..", "shared"))
out_dir = os.path.join(root, "tests", "Retain.Benchmarks.Tests", "Fixtures", "ifeval")

ENGLISH = [
    "The committee met on Jan. 5 to discuss the budget. Mr. Smith, the chairman, opened the session at 9 a.m. sharp.",
    "Dr. J. R. R. Tolkien wrote many books. He lived in Oxford, England. His works include The Hobbit.",
    "Prices rose 3.5% in the U.S. last year. Analysts at Goldman Sachs Inc. expect more. Will they be right?",
    "Wait... what happened? I don't know... Maybe nothing! Or maybe everything.",
    "She said \"stop.\" Then he left. (It was late.) Nobody followed.",
    "Here is the plan: first, we buy the tickets; second, we pack; third, we go. That's it!",
    "The U.N. met in N.Y. yesterday. It's the third time this year. Delegates from 40 countries attended.",
    "This is item no. 5 in the list. See p. 12 for details. E.g. the appendix covers it, i.e. the long part.",
    "Call me at 555-1234. Or e-mail me. My address is 1600 Pennsylvania Ave. in Washington, D.C. and it's easy to find.",
    "In 1999 the company grew. In 2000 it shrank. By 2001, it had closed its doors forever.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.",
    "Gen. Patton led the Third Army. Lt. Col. Smith reported to him. Sgt. Brown, however, did not.",
    "Hello there o. Let's go. The initial o. should not end a sentence before Let's, says the issue.",
    "We need 2.5 kg of flour. Then 3 eggs. Mix well... and bake for 30 min. Enjoy!",
    "Is it true? Yes! It is. Really?! Absolutely.",
    "The ship sailed at 10 p.m. The crew was tired. Capt. Ahab stood on deck.",
]
CAPS_NAMES = ["Alice", "Bob", "Charlie", "David", "Emma", "Frank", "Grace"]
FOREIGN = {
    "it": "Sotto il cielo blu le foglie d'autunno cadono piano, e il silenzio d'oro copre la valle.",
    "de": "Der schnelle braune Fuchs springt über den faulen Hund, und niemand sieht ihn.",
    "fr": "Le renard brun rapide saute par-dessus le chien paresseux, puis il disparaît dans la forêt.",
    "es": "El rápido zorro marrón salta sobre el perro perezoso y luego corre hacia el bosque.",
    "pt": "A rápida raposa marrom pula sobre o cão preguiçoso e depois corre para a floresta.",
    "ru": "Быстрая коричневая лиса прыгает через ленивую собаку и убегает в лес.",
    "hi": "तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है और जंगल में भाग जाती है।",
    "ar": "الثعلب البني السريع يقفز فوق الكلب الكسول ثم يركض إلى الغابة.",
    "ko": "빠른 갈색 여우가 게으른 개를 뛰어넘고 숲으로 달려갑니다.",
    "ja": "素早い茶色の狐が怠惰な犬を飛び越えて森へ走っていく。",
    "fa": "روباه قهوه‌ای سریع از روی سگ تنبل می‌پرد و به جنگل می‌دود.",
    "bn": "দ্রুত বাদামী শিয়াল অলস কুকুরের উপর দিয়ে লাফ দেয় এবং বনে দৌড়ে যায়।",
    "th": "สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจแล้ววิ่งเข้าป่า",
    "sw": "Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu na kukimbia msituni.",
    "vi": "Con cáo nâu nhanh nhẹn nhảy qua con chó lười rồi chạy vào rừng.",
    "fi": "Nopea ruskea kettu hyppää laiskan koiran yli ja juoksee metsään.",
    "ta": "விரைவான பழுப்பு நரி சோம்பேறி நாயின் மேல் குதித்து காட்டுக்குள் ஓடுகிறது.",
    "te": "వేగవంతమైన గోధుమ నక్క సోమరి కుక్క మీదుగా దూకి అడవిలోకి పరుగెత్తుతుంది.",
    "kn": "ವೇಗದ ಕಂದು ನರಿ ಸೋಮಾರಿ ನಾಯಿಯ ಮೇಲೆ ಹಾರಿ ಕಾಡಿಗೆ ಓಡುತ್ತದೆ.",
    "mr": "वेगवान तपकिरी कोल्हा आळशी कुत्र्यावरून उडी मारतो आणि जंगलात पळतो. हे खरे आहे.",
    "ne": "छिटो खैरो स्याल अल्छी कुकुरमाथि उफ्रन्छ र जंगलतिर दौडन्छ। यो मेरो घर हो।",
    "pa": "ਤੇਜ਼ ਭੂਰੀ ਲੂੰਬੜੀ ਆਲਸੀ ਕੁੱਤੇ ਉੱਤੇ ਛਾਲ ਮਾਰਦੀ ਹੈ ਅਤੇ ਜੰਗਲ ਵੱਲ ਦੌੜਦੀ ਹੈ।",
    "gu": "ઝડપી ભૂરું શિયાળ આળસુ કૂતરા પર કૂદે છે અને જંગલ તરફ દોડે છે.",
    "ur": "تیز بھوری لومڑی سست کتے کے اوپر سے چھلانگ لگاتی ہے اور جنگل کی طرف بھاگتی ہے۔",
    "bg": "Бързата кафява лисица прескача мързеливото куче и бяга към гората.",
    "uk": "Швидка бура лисиця стрибає через ледачого пса і тікає до лісу.",
    "he": "השועל החום המהיר קופץ מעל הכלב העצלן ורץ אל היער.",
    "pl": "Szybki brązowy lis przeskakuje nad leniwym psem i biegnie do lasu.",
    "ml": "വേഗതയുള്ള തവിട്ട് കുറുക്കൻ മടിയനായ നായയുടെ മുകളിലൂടെ ചാടി കാട്ടിലേക്ക് ഓടുന്നു.",
}


def fragment(iid, kw, rng, right):
    """A piece of text meant to follow (right=True) or break (right=False) one instruction."""
    n = lambda k, d=1: int(kw.get(k) or d)  # noqa: E731
    rel = kw.get("relation") or kw.get("let_relation") or kw.get("capital_relation") or "at least"
    if iid == "detectable_format:title":
        return "<<A Title of Joy>>" if right else "<< >> no title"
    if iid == "detectable_format:number_highlighted_sections":
        k = n("num_highlights") + (0 if right else -1)
        return " ".join(f"*highlighted section {i}*" for i in range(max(k, 0)))
    if iid == "detectable_format:number_bullet_lists":
        k = n("num_bullets") + (0 if right else 1)
        return "\n".join(rng.choice(["* ", "- "]) + f"point {i}." for i in range(k))
    if iid == "detectable_content:number_placeholders":
        k = n("num_placeholders") + (0 if right else -1)
        return " ".join(f"[place{i}]" for i in range(max(k, 0)))
    if iid == "detectable_content:postscript":
        m = kw.get("postscript_marker", "P.S.")
        return f"\n{m} see you soon." if right else "\nPS see you."
    if iid == "detectable_format:multiple_sections":
        s = kw.get("section_spliter", "Section")
        k = n("num_sections") + (0 if right else -1)
        return "\n".join(f"{s} {i + 1}\ncontent of part {i + 1}." for i in range(max(k, 0)))
    if iid == "length_constraints:number_paragraphs":
        k = n("num_paragraphs") + (0 if right else 1)
        return "\n***\n".join(rng.choice(ENGLISH) for _ in range(k))
    if iid == "length_constraints:nth_paragraph_first_word":
        k, nth, w = n("num_paragraphs"), n("nth_paragraph"), kw.get("first_word", "the")
        paras = [rng.choice(ENGLISH) for _ in range(k if right else k + 1)]
        if nth <= len(paras):
            paras[nth - 1] = (w.capitalize() if rng.random() < 0.5 else f"\"{w}") + " " + paras[nth - 1]
        return "\n\n".join(paras)
    if iid == "length_constraints:number_sentences":
        k = n("num_sentences")
        k = (k - 1 if rel == "less than" else k) if right else (k + 1 if rel == "less than" else k - 1)
        return " ".join(rng.choice(ENGLISH) for _ in range(max(k, 0) // 2 + 1))
    if iid == "length_constraints:number_words":
        k = n("num_words")
        k = (k - 5 if rel == "less than" else k + 5) if right else (k + 5 if rel == "less than" else k - 5)
        return " ".join(rng.choice("alpha beta gamma delta it's state-of-the-art 3.14 naïve".split()) for _ in range(max(k, 0)))
    if iid == "keywords:existence":
        return " ".join(kw.get("keywords", [])[: None if right else -1])
    if iid == "keywords:frequency":
        k = n("frequency")
        k = (k - 1 if rel == "less than" else k) if right else (k if rel == "less than" else k - 1)
        return " ".join([kw.get("keyword", "x")] * max(k, 0))
    if iid == "keywords:forbidden_words":
        return "" if right else " ".join(kw.get("forbidden_words", []))
    if iid == "keywords:letter_frequency":
        k = n("let_frequency")
        k = (k - 1 if rel == "less than" else k) if right else (k if rel == "less than" else k - 1)
        return " ".join([kw.get("letter", "a")] * max(k, 0))
    if iid == "combination:repeat_prompt":
        p = kw.get("prompt_to_repeat", "")
        return p + "\n" if right else "Sure. " + p
    if iid == "combination:two_responses":
        return "first answer\n******\nsecond answer" if right else "one\n******\none"
    if iid == "startend:end_checker":
        return ("\n" + kw.get("end_phrase", "")) if right else "the end"
    if iid == "detectable_format:constrained_response":
        return rng.choice(["My answer is yes.", "My answer is no.", "My answer is maybe."]) if right else "My answer is Yes."
    if iid == "detectable_format:json_format":
        return ""
    if iid == "change_case:capital_word_frequency":
        k = n("capital_frequency")
        k = (k - 1 if rel == "less than" else k) if right else (k if rel == "less than" else k - 1)
        return " ".join(rng.choice(["USA", "NASA", "DON'T", "OK", "I"]) for _ in range(max(k, 0)))
    if iid == "language:response_language":
        lang = kw.get("language", "en")
        return FOREIGN.get(lang, "") if right else rng.choice(list(FOREIGN.values()))
    return ""


def synthesize(doc, rng, mode):
    ids, kws = doc["instruction_id_list"], doc["kwargs"]
    right = [rng.random() < 0.7 for _ in ids]
    parts = []
    if mode == "chatty":
        parts.append("Sure! Here is my **answer**:")
    for iid, kw, r in zip(ids, kws, right):
        parts.append(fragment(iid, kw, rng, r))
    if mode != "bare":
        parts.insert(len(parts) // 2, rng.choice(ENGLISH))
    text = "\n".join(p for p in parts if p)
    for iid, r in zip(ids, right):
        if iid == "change_case:english_lowercase":
            text = text.lower() if r else text
        elif iid == "change_case:english_capital":
            text = text.upper() if r else text
        elif iid == "punctuation:no_comma":
            text = text.replace(",", "") if r else text + ", yes"
        elif iid == "startend:quotation":
            text = f"\"{text}\"" if r else text
        elif iid == "detectable_format:json_format":
            payload = json.dumps({"answer": text}, ensure_ascii=False)
            text = f"```json\n{payload}\n```" if r else payload[:-1]
    return text


rows = [json.loads(l) for l in open(os.path.join(shared, "data", "ifeval", "input_data.jsonl"), encoding="utf-8")]
rng = random.Random(20261202)
items = []
sources = []
if len(sys.argv) > 2:
    by_prompt = {d["prompt"]: d for d in rows}
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                items.append((by_prompt[r["prompt"]], r["response"]))
                sources.append("gpt4")
for doc in rows:
    for mode in ("plain", "chatty", "bare", "plain", "chatty"):
        items.append((doc, synthesize(doc, rng, mode)))
    items.append((doc, rng.choice(["YES", "etchings", "A", "no", "OK.", "\n".join(CAPS_NAMES[: rng.randint(2, 7)]),
                                   "   ", "", "*", "...", "P.S.", "\"\"", rng.choice(ENGLISH), rng.choice(list(FOREIGN.values()))])))

# Crafted edge cases for every instruction type, on short and long, English and other-language text.
TEXTS = [
    "etchings", "YES", "A", "a", "yes i can", "Alice\nBob\nCharlie", "ALICE BOB CHARLIE", "alice, bob and charlie",
    "\"quoted\"", "\"", "My answer is yes.", "<<title>>\nbody", "*a* **b** *** c ***", "Section 1\nx\nSECTION 2\ny",
    "P.S. hi", "p.p.s hi", "{\"a\": 1}", "```json\n[1, 2]\n```", "[NaN]", "{'a': 1}", "one\n******\ntwo", "******",
    "first\n\nsecond\n\n\nthird", "***\nA\n***\nB\n***", "- a\n* b\n** c\n  - d", "[x] [y] [ ]", "#!#! ## !!",
    "THIS IS ALL CAPS AND ENGLISH.", "this is all lower case and english.", "Ça va très bien, merci.",
] + ENGLISH + list(FOREIGN.values()) + [e.upper() for e in ENGLISH[:6]] + [e.lower() for e in ENGLISH[6:12]] + [
    " ".join(ENGLISH), "\n\n".join(ENGLISH[:5]), "\n".join(FOREIGN.values()), ENGLISH[0] + "\n" + FOREIGN["de"],
]
CRAFTED = [
    ("keywords:existence", {"keywords": ["yes", "Bob"]}), ("keywords:existence", {"keywords": ["a.c", "[ab]"]}),
    ("keywords:frequency", {"keyword": "the", "frequency": 3, "relation": "at least"}),
    ("keywords:frequency", {"keyword": "a", "frequency": 2, "relation": "less than"}),
    ("keywords:forbidden_words", {"forbidden_words": ["yes", "the"]}), ("keywords:forbidden_words", {"forbidden_words": ["लोमड़ी", "ca"]}),
    ("keywords:letter_frequency", {"letter": "e", "let_frequency": 5, "let_relation": "at least"}),
    ("keywords:letter_frequency", {"letter": "#", "let_frequency": 2, "let_relation": "less than"}),
    ("keywords:letter_frequency", {"letter": "!", "let_frequency": 2, "let_relation": "at least"}),
    ("language:response_language", {"language": "en"}), ("language:response_language", {"language": "it"}),
    ("language:response_language", {"language": "de"}), ("language:response_language", {"language": "hi"}),
    ("language:response_language", {"language": "ru"}),
    ("length_constraints:number_sentences", {"num_sentences": 1, "relation": "less than"}),
    ("length_constraints:number_sentences", {"num_sentences": 2, "relation": "at least"}),
    ("length_constraints:number_sentences", {"num_sentences": 4, "relation": "at least"}),
    ("length_constraints:number_sentences", {"num_sentences": 8, "relation": "less than"}),
    ("length_constraints:number_paragraphs", {"num_paragraphs": 2}), ("length_constraints:number_paragraphs", {"num_paragraphs": 3}),
    ("length_constraints:number_words", {"num_words": 5, "relation": "at least"}),
    ("length_constraints:number_words", {"num_words": 12, "relation": "less than"}),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "second"}),
    ("length_constraints:nth_paragraph_first_word", {"num_paragraphs": 5, "nth_paragraph": 1, "first_word": "the"}),
    ("detectable_content:number_placeholders", {"num_placeholders": 2}),
    ("detectable_content:postscript", {"postscript_marker": "P.S."}), ("detectable_content:postscript", {"postscript_marker": "P.P.S"}),
    ("detectable_format:number_bullet_lists", {"num_bullets": 3}), ("detectable_format:number_bullet_lists", {"num_bullets": 0}),
    ("detectable_format:constrained_response", {}), ("detectable_format:number_highlighted_sections", {"num_highlights": 2}),
    ("detectable_format:multiple_sections", {"section_spliter": "Section", "num_sections": 2}),
    ("detectable_format:multiple_sections", {"section_spliter": "SECTION", "num_sections": 1}),
    ("detectable_format:json_format", {}), ("detectable_format:title", {}), ("combination:two_responses", {}),
    ("combination:repeat_prompt", {"prompt_to_repeat": "Alice"}), ("startend:end_checker", {"end_phrase": "charlie"}),
    ("startend:end_checker", {"end_phrase": "Is there anything else I can help with?"}), ("startend:quotation", {}),
    ("change_case:capital_word_frequency", {"capital_frequency": 3, "capital_relation": "at least"}),
    ("change_case:capital_word_frequency", {"capital_frequency": 2, "capital_relation": "less than"}),
    ("change_case:english_capital", {}), ("change_case:english_lowercase", {}), ("punctuation:no_comma", {}),
]
crafted_docs = []
for i, (iid, kw) in enumerate(CRAFTED):
    crafted_docs.append({"key": -1 - i, "prompt": f"crafted {i}", "instruction_id_list": [iid], "kwargs": [kw]})
for doc in crafted_docs:
    for t in TEXTS:
        items.append((doc, t))
sources += ["synthetic"] * (len(rows) * 6) + ["crafted"] * (len(crafted_docs) * len(TEXTS))
assert len(sources) == len(items)


def verdicts(module, doc, response):
    inp = module.InputExample(key=doc["key"], instruction_id_list=doc["instruction_id_list"], prompt=doc["prompt"], kwargs=doc["kwargs"])
    if module is gr:
        strict = gr.test_instruction_following_strict(inp, response)
        loose = gr.test_instruction_following_loose(inp, response)
    else:
        strict = lm.test_instruction_following_strict(inp, response)
        loose = lm.test_instruction_following_loose(inp, response)
    return strict.follow_instruction_list, loose.follow_instruction_list


out = []
for (doc, response), source in zip(items, sources):
    s, l = verdicts(gr, doc, response)
    out.append({"source": source, "key": doc["key"], "instruction_id_list": doc["instruction_id_list"], "kwargs": doc["kwargs"],
                "response": response, "strict": s, "loose": l})
random.seed(0)
for row, (doc, response) in zip(out, items):
    s, l = verdicts(lm, doc, response)
    row["lm_eval_strict"], row["lm_eval_loose"] = s, l

header = {
    "provenance": "google-research/google-research instruction_following_eval (instructions.py @3f357bde, instructions_util.py "
                  "@5b09c22d, instructions_registry.py @1d49f2c0, evaluation_lib.py @4c429948), assembled from "
                  "EleutherAI/lm-evaluation-harness v0.4.9.1 (d021bf84) by tests/reference/ifeval/assemble_official.py; "
                  "lm_eval_* = lm-eval v0.4.9.1's copy (global random seeded 0). langdetect 1.0.9 seed 0, nltk 3.8 with "
                  "nltk_data punkt/english.pickle, CPython 3.11 (Debian bookworm).",
    "generator": "tests/reference/ifeval/official_verdicts.py",
}
os.makedirs(out_dir, exist_ok=True)
with gzip.open(os.path.join(out_dir, "verdicts.jsonl.gz"), "wt", encoding="utf-8") as f:
    f.write(json.dumps(header) + "\n")
    for row in out:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")

texts = sorted({r for _, r in items} | {d["prompt"] for d in rows})
with gzip.open(os.path.join(out_dir, "punkt.jsonl.gz"), "wt", encoding="utf-8") as f:
    f.write(json.dumps({"provenance": "nltk 3.8 sent_tokenize / word_tokenize (english.pickle from nltk_data), RegexpTokenizer(r'\\w+') counts", "generator": "tests/reference/ifeval/official_verdicts.py"}) + "\n")
    for t in texts:
        f.write(json.dumps({"text": t, "sentences": nltk.sent_tokenize(t), "words": nltk.word_tokenize(t),
                            "count_words": len(nltk.tokenize.RegexpTokenizer(r"\w+").tokenize(t))}, ensure_ascii=False) + "\n")
n_inst = sum(len(r["strict"]) for r in out)
diff = sum(a != b for r in out for a, b in zip(r["strict"] + r["loose"], r["lm_eval_strict"] + r["lm_eval_loose"]))
print(f"{len(out)} responses, {n_inst} instruction verdicts each strict and loose; {len(texts)} texts; lm-eval differs on {diff}", file=sys.stderr)
