// Writes the Parquet and Arrow IPC fixtures of Retain.Datasets.Tests with implementations other than the readers
// under test (Retain reads Parquet with Parquet.Net and Arrow IPC with Apache.Arrow for .NET):
//   Parquet: parquet-wasm 0.8.0, the Rust `parquet`/`arrow` crates (arrow-rs) compiled to WebAssembly;
//   Arrow IPC streams and files: apache-arrow 21.2.0, the JavaScript Arrow implementation.
// Run with `npm ci && node make_fixtures.mjs` in this folder; it rewrites Fixtures/parquet/*, Fixtures/arrow/* and
// Fixtures/parquet/expected_counts.json, where
// the row counts are read back from each written file by parquet-wasm / apache-arrow themselves.
import * as arrow from "apache-arrow";
import { Table as WasmTable, writeParquet, readParquet, WriterPropertiesBuilder, Compression } from "parquet-wasm";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "..", "..");
const counts = {};

const utf8 = (name, nullable = true) => new arrow.Field(name, new arrow.Utf8(), nullable);
const int64 = (name, nullable = true) => new arrow.Field(name, new arrow.Int64(), nullable);
const listOf = (name, item) => new arrow.Field(name, new arrow.List(new arrow.Field("item", item, true)), true);
const struct = (...fields) => new arrow.Struct(fields);
const message = (role = "role", content = "content") => struct(utf8(role), utf8(content));

function table(fields, rows) {
  const schema = new arrow.Schema(fields);
  const builders = fields.map(f => arrow.makeBuilder({ type: f.type, nullValues: [null, undefined] }));
  for (const row of rows) fields.forEach((f, i) => builders[i].append(row[f.name]));
  const data = arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, nullCount: 0, children: builders.map(b => b.finish().flush()) });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
}

function write(relative, bytes, rows) {
  const file = path.join(out, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  counts[relative] = rows;
}

function parquet(relative, t, { compression = Compression.SNAPPY, rowGroup = 1024 * 1024, dictionary = true } = {}) {
  const props = new WriterPropertiesBuilder().setCompression(compression).setMaxRowGroupSize(rowGroup)
    .setDictionaryEnabled(dictionary).setCreatedBy("parquet-wasm 0.8.0 (arrow-rs) for Retain fixtures").build();
  const bytes = writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(t, "stream")), props);
  write(relative, bytes, arrow.tableFromIPC(readParquet(bytes).intoIPCStream()).numRows);
}

function arrowIpc(relative, t, format = "stream") {
  const bytes = arrow.tableToIPC(t, format);
  write(relative, bytes, arrow.tableFromIPC(bytes).numRows);
}

/** A minimal RFC 4180 reader for the CSV fixtures converted below (quoted fields may hold commas, quotes, newlines). */
function readCsv(file) {
  const text = fs.readFileSync(file, "utf8");
  const records = []; let record = []; let field = ""; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { record.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field); field = "";
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
    } else field += c;
  }
  if (field !== "" || record.length > 0) { record.push(field); records.push(record); }
  const [header, ...rows] = records;
  return rows.map(r => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

// 1. Chat rows (jsonl dataset): messages as list<struct<role, content>>, nullable id and reference, two row groups,
//    snappy, dictionary-encoded strings (roles repeat).
const chat = [
  { id: "c1", messages: [{ role: "user", content: "What is 2+2?" }, { role: "assistant", content: "4" }], reference: "4" },
  { id: null, messages: [{ role: "system", content: "Answer briefly." }, { role: "user", content: "Capital of France?" }, { role: "assistant", content: "Paris" }], reference: null },
  { id: "c3", messages: [{ role: "user", content: "Say hi." }, { role: "assistant", content: "Hi!" }, { role: "user", content: "Again." }, { role: "assistant", content: "Hi again!" }], reference: null },
  { id: "c4", messages: [{ role: "user", content: "3*3?" }, { role: "assistant", content: "9" }], reference: "9" },
  { id: "c5", messages: [{ role: "user", content: "Color of the sky?" }, { role: "assistant", content: "Blue" }], reference: null },
  { id: "c6", messages: [{ role: "user", content: "Opposite of up?" }, { role: "assistant", content: "Down" }], reference: null },
  { id: "c7", messages: [{ role: "user", content: "Spell cat." }, { role: "assistant", content: "C-A-T" }], reference: null },
];
parquet("parquet/chat/messages.snappy.parquet", table([utf8("id"), listOf("messages", message()), utf8("reference")], chat), { rowGroup: 4 });

// 2. ShareGPT rows: conversations of {from, value} with human/gpt roles, zstd.
const sharegpt = [
  { conversations: [{ from: "human", value: "Name a fruit." }, { from: "gpt", value: "Apple" }] },
  { conversations: [{ from: "system", value: "Be terse." }, { from: "human", value: "Hello" }, { from: "gpt", value: "Hi" }, { from: "human", value: "Bye" }, { from: "gpt", value: "Bye" }] },
  { conversations: [{ from: "human", value: "1+1?" }, { from: "gpt", value: "2" }] },
];
parquet("parquet/chat/sharegpt.zstd.parquet", table([listOf("conversations", message("from", "value"))], sharegpt), { compression: Compression.ZSTD });

// 3. Alpaca rows with a nullable input and LLaMA-Factory's history (list<list<string>>), gzip, plain encoding.
const alpaca = [
  { instruction: "Translate to French.", input: "cat", output: "chat", history: null },
  { instruction: "Add the numbers.", input: null, output: "5", history: [["What is 1+1?", "2"]] },
  { instruction: "Reverse the word.", input: "abc", output: "cba", history: [] },
  { instruction: "Name a prime.", input: "", output: "7", history: null },
  { instruction: "Uppercase it.", input: "dog", output: "DOG", history: [["Lowercase CAT.", "cat"], ["Now DOG?", "dog"]] },
];
parquet("parquet/alpaca/alpaca.gzip.parquet",
  table([utf8("instruction"), utf8("input"), utf8("output"), listOf("history", new arrow.List(new arrow.Field("item", new arrow.Utf8(), true)))], alpaca),
  { compression: Compression.GZIP, dictionary: false });

// 4. A Hub dataset repository's parquet layout: data/{split}-XXXXX-of-YYYYY.parquet, prompt/completion strings.
const pc = (split, n, from = 0) => Array.from({ length: n }, (_, i) => ({ prompt: `${split} question ${from + i}?`, completion: `${split} answer ${from + i}` }));
const pcFields = () => [utf8("prompt"), utf8("completion")];
parquet("parquet/hub/data/train-00000-of-00002.parquet", table(pcFields(), pc("train", 6)));
parquet("parquet/hub/data/train-00001-of-00002.parquet", table(pcFields(), pc("train", 5, 6)));
parquet("parquet/hub/data/validation-00000-of-00001.parquet", table(pcFields(), pc("validation", 3)));
parquet("parquet/hub/data/test-00000-of-00001.parquet", table(pcFields(), pc("test", 4)));

// 5. datasets' save_to_disk layout: {split}/data-00000-of-00001.arrow, Arrow IPC *streams*, GSM8K columns; the train
//    stream has two record batches. Plus one Arrow IPC *file* (Feather v2, ARROW1 magic).
const gsm = (n, from) => Array.from({ length: n }, (_, i) => ({ question: `Tom has ${from + i} apples and buys 2 more. How many?`, answer: `${from + i} + 2 = <<${from + i}+2=${from + i + 2}>>${from + i + 2}\n#### ${from + i + 2}` }));
const gsmFields = () => [utf8("question"), utf8("answer")];
{
  const a = table(gsmFields(), gsm(4, 1)), b = table(gsmFields(), gsm(3, 10));
  arrowIpc("arrow/saved/train/data-00000-of-00001.arrow", new arrow.Table([...a.batches, ...b.batches]));
  arrowIpc("arrow/saved/test/data-00000-of-00001.arrow", table(gsmFields(), gsm(3, 20)));
  arrowIpc("arrow/feather/train.arrow", table(gsmFields(), gsm(2, 30)), "file");
  // The metadata save_to_disk writes beside the data (the readers must skip it).
  fs.writeFileSync(path.join(out, "arrow/saved/dataset_dict.json"), JSON.stringify({ splits: ["train", "test"] }) + "\n");
  for (const split of ["train", "test"]) {
    fs.writeFileSync(path.join(out, `arrow/saved/${split}/state.json`), JSON.stringify({ _data_files: [{ filename: "data-00000-of-00001.arrow" }], _split: split }, null, 2) + "\n");
    fs.writeFileSync(path.join(out, `arrow/saved/${split}/dataset_info.json`), JSON.stringify({ features: { question: { dtype: "string", _type: "Value" }, answer: { dtype: "string", _type: "Value" } } }, null, 2) + "\n");
  }
}

// 6. ESCI's published schema (shopping_queries_dataset_examples / _products.parquet), from the CSV fixtures:
//    example_id, query_id, small_version, large_version int64; product columns nullable strings; snappy (pandas' default).
{
  const examples = readCsv(path.join(out, "esci", "examples.csv")).map(r => ({
    ...r, example_id: BigInt(r.example_id), query_id: BigInt(r.query_id), small_version: BigInt(r.small_version), large_version: BigInt(r.large_version),
  }));
  parquet("parquet/esci/shopping_queries_dataset_examples.parquet", table([
    int64("example_id"), utf8("query"), int64("query_id"), utf8("product_id"), utf8("product_locale"), utf8("esci_label"),
    int64("small_version"), int64("large_version"), utf8("split")], examples), { rowGroup: 16 });
  const empty = v => (v === "" ? null : v);
  const products = readCsv(path.join(out, "esci", "products.csv")).map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, empty(v)])));
  parquet("parquet/esci/shopping_queries_dataset_products.parquet", table([
    utf8("product_id"), utf8("product_title"), utf8("product_description"), utf8("product_bullet_point"), utf8("product_brand"),
    utf8("product_color"), utf8("product_locale")], products));
}

// 7. MedCalc-Bench's Hub layout (data/{split}-00000-of-00001.parquet) from the CSV fixture; Row Number and
//    Calculator ID int64, the rest strings, as the CSV's columns.
{
  const rows = readCsv(path.join(out, "medcalc", "train_small.csv"));
  const columns = Object.keys(rows[0]);
  const typed = rows.map(r => ({ ...r, "Row Number": BigInt(r["Row Number"]), "Calculator ID": BigInt(r["Calculator ID"]) }));
  const fields = columns.map(c => (c === "Row Number" || c === "Calculator ID" ? int64(c) : utf8(c)));
  parquet("parquet/medcalc/data/train-00000-of-00001.parquet", table(fields, typed.slice(0, 3)), { compression: Compression.ZSTD });
  parquet("parquet/medcalc/data/test-00000-of-00001.parquet", table(fields, typed.slice(3)), { compression: Compression.ZSTD });
}

// 8. Value types: nullable int, double, bool, date, list<string>, struct, uncompressed.
{
  const fields = [int64("n"), new arrow.Field("x", new arrow.Float64(), true), new arrow.Field("flag", new arrow.Bool(), true),
    new arrow.Field("day", new arrow.DateDay(), true), listOf("tags", new arrow.Utf8()), new arrow.Field("pair", struct(utf8("a"), int64("b")), true), utf8("s")];
  const rows = [
    { n: 1n, x: 0.5, flag: true, day: new Date(Date.UTC(2024, 0, 31)), tags: ["a", "b"], pair: { a: "p", b: 2n }, s: "one" },
    { n: null, x: 160, flag: false, day: null, tags: null, pair: null, s: "one" },
    { n: -7n, x: 1e-5, flag: null, day: new Date(Date.UTC(1999, 11, 1)), tags: [], pair: { a: null, b: null }, s: null },
  ];
  parquet("parquet/types/types.parquet", table(fields, rows), { compression: Compression.UNCOMPRESSED });
  // The Arrow file adds a dictionary-encoded string column (an Arrow DictionaryArray of int32 indices).
  const dictionary = new arrow.Field("label", new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true);
  arrowIpc("arrow/types/types.arrow", table([...fields, dictionary], rows.map((r, i) => ({ ...r, label: ["yes", null, "yes"][i] }))));
}

fs.writeFileSync(path.join(out, "parquet", "expected_counts.json"), JSON.stringify(counts, null, 2) + "\n");
console.log(counts);
