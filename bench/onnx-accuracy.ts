// ONNX export benchmark (not a test): accuracy of onnx/model.onnx and onnx/model_quantized.onnx of a folder written
// by `layerwise export --format onnx --quantize int8`, run by transformers.js (its tokenizer and its onnxruntime-node)
// on a labelled file read as the studio reads it, with both files' sizes and how often the two agree.
// Run: npx tsx bench/onnx-accuracy.ts ONNX_DIR DATA_FILE     (docs/PERFORMANCE.md "ONNX export" has the figures)
import { statSync } from 'node:fs';
import path from 'node:path';
import { AutoModelForSequenceClassification, AutoTokenizer, env, type Tensor } from '@huggingface/transformers';
import { nodeFile } from '../src/cli/node-files';
import { readDataset, type ExampleDataset } from '../src/formats/datasets/index';

const BATCH = 32;

const [dir, data] = process.argv.slice(2);
if (!dir || !data) {
  console.error('usage: npx tsx bench/onnx-accuracy.ts ONNX_DIR DATA_FILE');
  process.exit(2);
}
const read = await readDataset(nodeFile(data));
if (read.kind !== 'examples' || read.labelColumn === null || read.textColumns.length !== 1) throw new Error(`${data}: expected one text column and a label column`);
const ds: ExampleDataset = read;
const text = ds.columns.indexOf(ds.textColumns[0]);
const label = ds.columns.indexOf(read.labelColumn);

env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(dir));
const name = path.basename(path.resolve(dir));
const tokenizer = await AutoTokenizer.from_pretrained(name);

async function predictions(dtype: 'fp32' | 'q8'): Promise<{ predicted: string[]; seconds: number }> {
  const model = await AutoModelForSequenceClassification.from_pretrained(name, { dtype, device: 'cpu' });
  const id2label = (model.config as unknown as { id2label: Record<string, string> }).id2label;
  const predicted: string[] = [];
  const started = performance.now();
  for (let i = 0; i < ds.rows.length; i += BATCH) {
    const texts = ds.rows.slice(i, i + BATCH).map((r) => r[text]);
    const { logits } = (await model(tokenizer(texts, { padding: true, truncation: true }))) as { logits: Tensor };
    const [rows, classes] = logits.dims;
    const values = logits.data as Float32Array;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (values[r * classes + c] > values[r * classes + best]) best = c;
      predicted.push(id2label[best]);
    }
  }
  await model.dispose();
  return { predicted, seconds: (performance.now() - started) / 1000 };
}

const fp32 = await predictions('fp32');
const int8 = await predictions('q8');
const gold = ds.rows.map((r) => r[label]);
const accuracy = (p: string[]) => p.filter((x, i) => x === gold[i]).length / gold.length;
const bytes = (f: string) => statSync(path.join(dir, 'onnx', f)).size;
console.log(
  JSON.stringify({
    data: path.basename(data),
    examples: gold.length,
    fp32: { file: 'onnx/model.onnx', bytes: bytes('model.onnx'), accuracy: accuracy(fp32.predicted), seconds: fp32.seconds },
    int8: { file: 'onnx/model_quantized.onnx', bytes: bytes('model_quantized.onnx'), accuracy: accuracy(int8.predicted), seconds: int8.seconds },
    size_ratio: bytes('model_quantized.onnx') / bytes('model.onnx'),
    agreement: fp32.predicted.filter((x, i) => x === int8.predicted[i]).length / gold.length,
  }),
);
