#!/usr/bin/python3
"""Writes small ESCI fixtures in the Shopping Queries schema (amazon-science/esci-data), in the two export formats
the esci dataset reads, emulating pandas' writers (pandas is not installed here):

  examples.csv   examples.to_csv(index=False): columns example_id, query, query_id, product_id, product_locale,
                 esci_label, small_version, large_version, split; minimal quoting, "\\n" line ends;
  products.csv   products.to_csv(index=False): product_id, product_title, product_description,
                 product_bullet_point, product_brand, product_color, product_locale; quoted commas, quotes, newlines;
  joined.jsonl   examples.merge(products, on=["product_locale", "product_id"]).to_json(orient="records",
                 lines=True) plus a "rationale" column: compact separators, ASCII escapes, "/" written as "\\/", null
                 for missing values, integers as numbers.

Also bad rows (unknown label, empty query, unknown split, bad version flag) and an example whose product is missing.
Usage: /usr/bin/python3 make_esci_fixture.py
"""
import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["E", "S", "C", "I"]
EXAMPLE_COLUMNS = ["example_id", "query", "query_id", "product_id", "product_locale", "esci_label", "small_version", "large_version", "split"]
PRODUCT_COLUMNS = ["product_id", "product_title", "product_description", "product_bullet_point", "product_brand", "product_color", "product_locale"]


def main():
    examples, products = [], []
    example_id = 0
    queries = [("us", "usb c charger 65w"), ("us", "running shoes men, size 10"), ("us", "\"organic\" green tea"),
               ("us", "4k monitor"), ("es", "cargador usb"), ("jp", "\u30b3\u30fc\u30d2\u30fc"), ("us", "desk lamp"), ("us", "yoga mat")]
    for query_id, (locale, query) in enumerate(queries):
        split = "test" if query_id >= 6 else "train"
        for k in range(4):
            product_id = "B%03d%d%s" % (query_id, k, locale.upper())
            examples.append({"example_id": example_id, "query": query, "query_id": query_id, "product_id": product_id,
                             "product_locale": locale, "esci_label": LABELS[(query_id + k) % 4],
                             "small_version": 1 if k < 3 else 0, "large_version": 1, "split": split})
            products.append({"product_id": product_id, "product_title": "Product %d-%d for %s" % (query_id, k, query),
                             "product_description": ("Line one, with comma.\nLine \"two\"." if k == 0 else None),
                             "product_bullet_point": ("Fast/safe" if k == 1 else None),
                             "product_brand": "Brand%d" % k, "product_color": (None if k == 2 else "black"),
                             "product_locale": locale})
            example_id += 1
    # One product id in two locales with different titles: the join must use the locale too.
    examples.append({"example_id": 1000, "query": "shared id", "query_id": 100, "product_id": "BSHARED", "product_locale": "us",
                     "esci_label": "E", "small_version": 1, "large_version": 1, "split": "train"})
    examples.append({"example_id": 1001, "query": "id compartido", "query_id": 101, "product_id": "BSHARED", "product_locale": "es",
                     "esci_label": "S", "small_version": 1, "large_version": 1, "split": "train"})
    products.append({"product_id": "BSHARED", "product_title": "Shared US title", "product_description": None, "product_bullet_point": None,
                     "product_brand": None, "product_color": None, "product_locale": "us"})
    products.append({"product_id": "BSHARED", "product_title": "Titulo compartido ES", "product_description": None, "product_bullet_point": None,
                     "product_brand": None, "product_color": None, "product_locale": "es"})
    # A product that does not exist in the products file.
    examples.append({"example_id": 1002, "query": "missing product", "query_id": 102, "product_id": "BMISSING", "product_locale": "us",
                     "esci_label": "C", "small_version": 1, "large_version": 1, "split": "train"})
    good = list(examples)
    bad = [
        {"example_id": 2000, "query": "bad label", "query_id": 200, "product_id": "B0000US", "product_locale": "us", "esci_label": "X", "small_version": 1, "large_version": 1, "split": "train"},
        {"example_id": 2001, "query": "", "query_id": 201, "product_id": "B0000US", "product_locale": "us", "esci_label": "E", "small_version": 1, "large_version": 1, "split": "train"},
        {"example_id": 2002, "query": "bad split", "query_id": 202, "product_id": "B0000US", "product_locale": "us", "esci_label": "E", "small_version": 1, "large_version": 1, "split": "dev"},
        {"example_id": 2003, "query": "bad flag", "query_id": 203, "product_id": "B0000US", "product_locale": "us", "esci_label": "E", "small_version": 2, "large_version": "yes", "split": "train"},
    ]
    write_csv("examples.csv", EXAMPLE_COLUMNS, good)
    write_csv("examples_bad.csv", EXAMPLE_COLUMNS, good[:4] + bad)
    write_csv("products.csv", PRODUCT_COLUMNS, products)

    by_key = {(p["product_locale"], p["product_id"]): p for p in products}
    with open(os.path.join(HERE, "joined.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for e in good:
            product = by_key.get((e["product_locale"], e["product_id"]))
            if product is None:
                continue  # an inner merge drops it
            row = dict(e)
            row.update({c: product[c] for c in PRODUCT_COLUMNS if c not in ("product_id", "product_locale")})
            row["rationale"] = ("The product matches the query \"%s\"." % e["query"]) if e["example_id"] % 2 == 0 else None
            f.write(json.dumps(row, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/") + "\n")


def write_csv(name, columns, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


if __name__ == "__main__":
    main()
