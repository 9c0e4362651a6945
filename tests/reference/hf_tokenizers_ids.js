// Ids of the Hugging Face `tokenizers` library (its Rust core, through the official Node binding, npm `tokenizers`)
// for tests/fixtures/Text/tokenizer-text-1mb.txt with the shared Qwen3, Gemma 3 and SmolLM2 tokenizers: count and
// sha256 of the id sequence as little-endian int32, for the whole text and for each "=== section: NAME ===" part
// encoded on its own. Writes tests/Retain.Kernel.Tests/Fixtures/Tokenizers/text_1mb_ids.json.
//
//   (cd /tmp/hf && npm install tokenizers@0.23.2) && NODE_PATH=/tmp/hf/node_modules node tests/reference/hf_tokenizers_ids.js
//
// The shared folder is ../shared beside the repository unless RETAIN_SHARED is set.
const { Tokenizer } = require('tokenizers');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const shared = process.env.RETAIN_SHARED || path.join(path.dirname(repo), 'shared');
const textPath = path.join(repo, 'tests', 'fixtures', 'Text', 'tokenizer-text-1mb.txt');
const outPath = path.join(repo, 'tests', 'Retain.Kernel.Tests', 'Fixtures', 'Tokenizers', 'text_1mb_ids.json');
const tokenizers = { qwen3: 'qwen3', gemma3: 'gemma3', smollm2: 'smollm2-135m-instruct' };

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const idsDigest = (ids) => {
  const buffer = Buffer.alloc(ids.length * 4);
  ids.forEach((id, i) => buffer.writeInt32LE(id, i * 4));
  return { count: ids.length, sha256: sha256(buffer) };
};

// Sections start at lines "=== section: NAME ===" (see tests/fixtures/Text/build_tokenizer_text.py).
const sections = (text) => {
  const starts = [...text.matchAll(/^=== section: (\w+) ===\n/gm)];
  return starts.map((m, i) => ({ name: m[1], text: text.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : text.length) }));
};

(async () => {
  const bytes = fs.readFileSync(textPath);
  const text = bytes.toString('utf8');
  const version = require('tokenizers/package.json').version;
  const result = {
    generator: 'tests/reference/hf_tokenizers_ids.js',
    reference: `Hugging Face tokenizers (npm tokenizers ${version}, the Rust library's Node binding), encode(text, addSpecialTokens: false)`,
    text: { path: 'tests/fixtures/Text/tokenizer-text-1mb.txt', bytes: bytes.length, sha256: sha256(bytes) },
    tokenizers: {},
  };
  for (const [name, folder] of Object.entries(tokenizers)) {
    const file = path.join(shared, 'models', 'tokenizers', folder, 'tokenizer.json');
    const tokenizer = Tokenizer.fromFile(file);
    const encode = async (t) => (await tokenizer.encode(t, null, { addSpecialTokens: false })).getIds();
    const entry = { tokenizer_json_sha256: sha256(fs.readFileSync(file)), whole: idsDigest(await encode(text)), sections: {} };
    for (const s of sections(text)) entry.sections[s.name] = idsDigest(await encode(s.text));
    result.tokenizers[name] = entry;
  }
  fs.writeFileSync(outPath, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${outPath}`);
})();
