// The exported model.safetensors read by two readers that share no code with ours (RELIABILITY X1): the header by
// @huggingface/hub's parseSafetensorsMetadata, fetching the folder from the stand-in Hub (e2e/support/hub-server.ts)
// as it would from the real one, and every tensor's bytes by numpy (safetensors_numpy.py beside this file, written
// from the format's specification with the reference parser's checks). Each must give every tensor's name, dtype,
// shape and values equal to the model's. Neither is the Python `safetensors` library (not installed here).
// The numpy half needs `python3` with numpy; it is skipped with that message where it is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSafetensorsMetadata } from '@huggingface/hub';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../../e2e/support/hub-server';
import { nodeFolder } from '../../../src/cli/node-files';
import { writeModelFolder } from '../../../src/engine/export/model-folder';
import { loadModelFolder } from '../../../src/engine/load';
import { createRng } from '../../../src/lib/random';

const PYTHON = 'python3';
const READER = path.join(import.meta.dirname, 'safetensors_numpy.py');
const FIXTURE = path.resolve(import.meta.dirname, '..', '..', 'golden', 'hf-tiny', 'bert-seq-cls');

function numpyMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `python3 with numpy is needed: ${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}`;
}

interface NumpyTensor {
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
}
interface NumpyResult {
  problems: string[];
  header_size: number;
  metadata: Record<string, string> | null;
  tensors: NumpyTensor[];
}

const work = mkdtempSync(path.join(tmpdir(), 'layerwise-safetensors-readers-'));
/** The model's parameters as the export was made from them: name -> shape and values. */
const model = new Map<string, { shape: number[]; values: Float32Array }>();
let exported: Uint8Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const loaded = await loadModelFolder(nodeFolder(FIXTURE), { labels: ['neg', 'neu', 'pos'], seed: 3 });
  try {
    // Seeded noise on every weight: the export carries these values, not a copy of the fixture's bytes.
    const rng = createRng(41, 7);
    for (const name of loaded.params.names()) {
      const shape = loaded.params.shape(name);
      const noise = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5);
      tf.tidy(() => loaded.params.assign(name, tf.add(loaded.params.get(name), tf.tensor(noise, shape))));
    }
    const values = await loaded.params.snapshot();
    for (const name of loaded.params.names()) model.set(name, { shape: loaded.params.shape(name), values: values.get(name) as Float32Array });
    const files = await writeModelFolder({ model: loaded, source: nodeFolder(FIXTURE) });
    exported = files.find((f) => f.name === 'model.safetensors')!.bytes;
  } finally {
    loaded.params.dispose();
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("an exported model.safetensors read by readers that are not ours (X1)", () => {
  let hub: FakeHub;
  beforeAll(async () => {
    hub = await startFakeHub([{ id: 'layerwise/export', revisions: { main: new Map([['model.safetensors', exported]]) } }]);
  });
  afterAll(() => hub.close());

  it("@huggingface/hub's parseSafetensorsMetadata, fetching it from a Hub: every tensor's name, dtype and shape are the model's, offsets contiguous", async () => {
    const parsed = await parseSafetensorsMetadata({ repo: 'layerwise/export', path: 'model.safetensors', hubUrl: hub.url });
    if (parsed.sharded) throw new Error('expected a single file');
    const { __metadata__: metadata, ...tensors } = parsed.header;
    expect(Object.keys(tensors).sort()).toEqual([...model.keys()].sort());
    for (const [name, info] of Object.entries(tensors)) {
      expect({ name, dtype: info.dtype, shape: info.shape }).toEqual({ name, dtype: 'F32', shape: model.get(name)!.shape });
    }
    // In offset order each tensor starts where the previous ended, from 0 to the end of the file.
    const spans = Object.values(tensors).map((t) => t.data_offsets).sort((a, b) => a[0] - b[0]);
    spans.forEach(([begin], i) => expect(begin).toBe(i === 0 ? 0 : spans[i - 1][1]));
    const headerSize = Number(new DataView(exported.buffer, exported.byteOffset, 8).getBigUint64(0, true));
    expect(8 + headerSize + spans.at(-1)![1]).toBe(exported.byteLength);
    expect(headerSize % 8).toBe(0);
    expect(Object.values(metadata ?? {}).every((v) => typeof v === 'string')).toBe(true);
    expect(metadata?.format).toBe('pt');
  });

  const missing = numpyMissing();
  it.skipIf(missing !== null)(`numpy: every tensor's name, dtype, shape and values equal the model's, with no problem found${missing ? ` (${missing})` : ''}`, () => {
    const file = path.join(work, 'model.safetensors');
    writeFileSync(file, exported);
    // The same bytes with trailing data: the reader must see that (its checks are not vacuous).
    const trailing = path.join(work, 'trailing.safetensors');
    writeFileSync(trailing, Buffer.concat([exported, Buffer.from('extra_bogus_data')]));
    const run = spawnSync(PYTHON, [READER, file, trailing], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (run.status !== 0) throw new Error(`safetensors_numpy.py failed: ${run.stderr}`);
    const [read, bad] = JSON.parse(run.stdout) as NumpyResult[];
    expect(read.problems).toEqual([]);
    expect(read.header_size % 8).toBe(0);
    expect(read.tensors.map((t) => t.name).sort()).toEqual([...model.keys()].sort());
    for (const t of read.tensors) {
      const ours = model.get(t.name)!;
      expect({ name: t.name, dtype: t.dtype, shape: t.shape }).toEqual({ name: t.name, dtype: 'F32', shape: ours.shape });
      // float32 -> float64 is exact and JSON carries float64 exactly: equal means bit for bit.
      expect(t.values).toEqual(Array.from(ours.values));
    }
    expect(bad.problems).toEqual([`the tensors end at byte ${exported.byteLength}, the file has ${exported.byteLength + 16}`]);
  });
});
