// Reads the third-party Parquet fixtures (../third-party/**) with hyparquet 1.31.5 (a JavaScript Parquet reader, not
// the reader under test) and writes ../third-party/expected.json: per file, the writer (created_by), the row count of
// the footer, and the rows as JSON (int64 as numbers, UTF-8 byte arrays as strings, nulls kept), or the error hyparquet
// gives. Retain's tests compare Parquet.Net's reading of the same files with these.
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "third-party");
const files = fs.readdirSync(root, { recursive: true }).filter(f => f.endsWith(".parquet")).map(f => f.replace(/\\/g, "/")).sort();
const decoder = new TextDecoder("utf-8", { fatal: true });
const plain = v => {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Uint8Array) { try { return decoder.decode(v); } catch { return Buffer.from(v).toString("base64"); } }
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object" && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};
const expected = {};
for (const file of files) {
  const buffer = fs.readFileSync(path.join(root, file));
  const ab = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length);
  const metadata = parquetMetadata(ab);
  const entry = { createdBy: metadata.created_by ?? null, rows: Number(metadata.num_rows) };
  try {
    entry.data = (await parquetReadObjects({ file: ab, compressors, utf8: true })).map(plain);
  } catch (e) {
    entry.error = e.message;
  }
  expected[file] = entry;
}
fs.writeFileSync(path.join(root, "expected.json"), JSON.stringify(expected) + "\n");
console.log(Object.fromEntries(Object.entries(expected).map(([f, e]) => [f, e.error ?? e.rows])));
