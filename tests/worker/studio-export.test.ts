// The studio's export (Studio.exportModel with a fake post, onnxruntime-web's Node build as the runtime): the ONNX
// folder is checked on the run's own validation split before it is sent, a runtime that computes something else
// blocks it with EXPORT_VERIFY_MISMATCH (nothing sent), the Hugging Face folder is checked by the engine's loader,
// and the rows come from the training file or generated ids when that is all there is. While a run trains the export
// is refused (RELIABILITY X3); a paused run exports the weights it holds at its step.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { ortRunner } from '../../src/engine/export/onnx-runner';
import type { OnnxRunner } from '../../src/engine/export/verify';
import type { BackendProbe } from '../../src/protocol/messages';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/protocol/train-config';
import { recordedStudio } from './studio-harness';

const FIXTURE = path.resolve(import.meta.dirname, '..', 'golden', 'hf-tiny', 'bert-seq-cls');
const PROBE: BackendProbe = { webgpuApi: false, crossOriginIsolated: false, hardwareConcurrency: 2, deviceMemoryGb: null, adapter: null };
const files = () => readdirSync(FIXTURE).map((name) => new File([readFileSync(path.join(FIXTURE, name))], name));
const csv = new File([['text,label', ...Array.from({ length: 24 }, (_, i) => `"text number ${i} of the set",${['good', 'bad'][i % 2]}`)].join('\n')], 'two.csv');
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: 4, maxLength: 16, epochs: 1, learningRate: 1e-3, validationSplit: 0.25 };

let ort: OnnxRunner;

/** onnxRunner null: a host without ONNX Runtime. */
function studio(onnxRunner: (() => Promise<OnnxRunner>) | null = async () => ort) {
  return recordedStudio({ onnxRunner: onnxRunner ?? undefined });
}

async function opened(t: ReturnType<typeof studio>, withData: boolean) {
  await t.s.start({ ...PROBE });
  await t.s.setBackend('cpu');
  await t.s.loadModel({ type: 'loadModel', loadId: 1, source: 'bert-seq-cls', files: files() });
  if (withData) await t.s.readDataset({ type: 'readDataset', requestId: 1, role: 'train', file: csv, choices: {} });
}

beforeAll(async () => {
  ort = ortRunner(await import('onnxruntime-web'));
});

describe('Studio.exportModel', () => {
  it('ONNX after a run: fp32 and int8 checked on the run\'s 6 held-out rows, then sent zipped in one -onnx folder', async () => {
    const t = studio();
    await opened(t, true);
    await t.s.startTraining({ type: 'startTraining', runId: 'r', config });
    await t.ended();
    expect(t.of('trainingFinished')).toHaveLength(1);
    await t.s.exportModel({ type: 'exportModel', requestId: 7, format: 'onnx', quantize: true, allowNonFinite: false });
    expect(t.of('exportFailed')).toEqual([]);
    expect(t.of('exportProgressed').map((e) => e.phase)).toEqual(['writing', 'verifying']);
    const [{ exported }] = t.of('modelExported');
    expect(exported.fileName).toBe('bert-seq-cls-finetuned-onnx.zip');
    // 24 rows with validationSplit 0.25: the run held 6 out, and the check ran on those.
    expect(exported.verification).toMatchObject({ examples: 6, source: 'validation' });
    expect(exported.verification.checks.map((c) => [c.file, c.passed, c.compared])).toEqual([
      ['onnx/model.onnx', true, 6],
      ['onnx/model_quantized.onnx', true, 6],
    ]);
    expect(exported.verification.checks[0].maxAbsDiff).toBeLessThan(1e-5);
    const zip = unzipSync(new Uint8Array(exported.zip));
    expect(Object.keys(zip).sort()).toEqual(exported.files.map((f) => `bert-seq-cls-finetuned-onnx/${f.name}`).sort());
    expect(exported.files.map((f) => f.name)).toContain('onnx/model_quantized.onnx');
    expect(JSON.parse(new TextDecoder().decode(zip['bert-seq-cls-finetuned-onnx/config.json'])).id2label).toEqual({ 0: 'bad', 1: 'good' });
  }, 120_000);

  it('a runtime whose logits differ by 1e-3 blocks the export: EXPORT_VERIFY_MISMATCH naming the file, nothing sent', async () => {
    const off: OnnxRunner = {
      name: 'a runtime that adds 1e-3',
      run: async (model, feeds) => {
        const out = await ort.run(model, feeds);
        return { ...out, data: out.data.map((x) => x + 1e-3) };
      },
    };
    const t = studio(async () => off);
    await opened(t, false);
    await t.s.exportModel({ type: 'exportModel', requestId: 1, format: 'onnx', quantize: false, allowNonFinite: false });
    expect(t.of('modelExported')).toEqual([]);
    const [failed] = t.of('exportFailed');
    expect(failed.error).toMatchObject({ code: 'EXPORT_VERIFY_MISMATCH', location: { file: 'onnx/model.onnx' } });
    expect(failed.error.message).toContain('a runtime that adds 1e-3');
  });

  it('the Hugging Face folder is re-read by the engine loader (no difference); with a training file open its rows are used', async () => {
    const t = studio();
    await opened(t, true);
    await t.s.exportModel({ type: 'exportModel', requestId: 2, format: 'hf', quantize: false, allowNonFinite: false });
    const [{ exported }] = t.of('modelExported');
    expect(exported.fileName).toBe('bert-seq-cls-finetuned.zip');
    expect(exported.verification).toMatchObject({ examples: 8, source: 'training' });
    expect(exported.verification.checks).toEqual([expect.objectContaining({ file: 'model.safetensors', reader: 'Layerwise loader', maxAbsDiff: 0, passed: true })]);
  });

  it('without data the rows are generated ids; quantize with hf and an ONNX export without a runtime are refused', async () => {
    const t = studio(null);
    await opened(t, false);
    await t.s.exportModel({ type: 'exportModel', requestId: 3, format: 'hf', quantize: false, allowNonFinite: false });
    expect(t.of('modelExported')[0].exported.verification).toMatchObject({ examples: 4, source: 'generated' });
    await t.s.exportModel({ type: 'exportModel', requestId: 4, format: 'hf', quantize: true, allowNonFinite: false });
    await t.s.exportModel({ type: 'exportModel', requestId: 5, format: 'onnx', quantize: true, allowNonFinite: false });
    expect(t.of('exportFailed').map((e) => [e.requestId, e.error.code])).toEqual([
      [4, 'EXPORT_QUANTIZE_NEEDS_ONNX'],
      [5, 'EXPORT_VERIFY_RUNTIME'],
    ]);
  });

  it('while a run trains the export is refused with EXPORT_DURING_TRAINING; paused, the weights of its step are exported', async () => {
    const t = studio();
    await opened(t, true);
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((r) => setTimeout(r, 20));
    };
    // 200 epochs of 5 steps: still training when the export is asked for.
    await t.s.startTraining({ type: 'startTraining', runId: 'r', config: { ...config, epochs: 200 } });
    await until(() => t.of('trainingProgressed').length > 0 || t.of('trainingFailed').length > 0);
    await t.s.exportModel({ type: 'exportModel', requestId: 8, format: 'hf', quantize: false, allowNonFinite: false });
    expect(t.of('modelExported')).toEqual([]);
    expect(t.of('exportFailed').map((e) => e.error)).toEqual([expect.objectContaining({ code: 'EXPORT_DURING_TRAINING', message: 'The weights change with every step: pause or stop training, then export.' })]);

    t.s.pauseTraining('r');
    await until(() => t.of('trainingPaused').length > 0);
    await t.s.exportModel({ type: 'exportModel', requestId: 9, format: 'hf', quantize: false, allowNonFinite: false });
    const [paused] = t.of('modelExported');
    // The engine's loader reads the folder back and computes what the paused model computes, to the last bit.
    expect(paused.exported.verification.checks).toEqual([expect.objectContaining({ file: 'model.safetensors', maxAbsDiff: 0, passed: true })]);
    const query = 'bert.encoder.layer.0.attention.self.query.weight';
    const base = tensorOf(readFileSync(path.join(FIXTURE, 'model.safetensors')), query);
    const atPause = tensorOf(unzipSync(new Uint8Array(paused.exported.zip))['bert-seq-cls-finetuned/model.safetensors'], query);
    expect(atPause).not.toEqual(base);

    // The run goes on after the export: the weights it ends with are not the ones exported at the pause.
    const pausedAt = t.of('trainingPaused')[0].step;
    t.s.resumeTraining('r');
    await until(() => t.of('trainingProgressed').some((e) => e.steps.some((s) => s.step > pausedAt + 2)) || t.of('trainingFailed').length > 0);
    t.s.stopTraining('r');
    await until(() => t.of('trainingFinished').length > 0 || t.of('trainingFailed').length > 0);
    expect(t.of('trainingFinished')).toHaveLength(1);
    await t.s.exportModel({ type: 'exportModel', requestId: 10, format: 'hf', quantize: false, allowNonFinite: false });
    const last = t.of('modelExported')[1];
    expect(tensorOf(unzipSync(new Uint8Array(last.exported.zip))['bert-seq-cls-finetuned/model.safetensors'], query)).not.toEqual(atPause);
  }, 120_000);
});

/** One F32 tensor of a safetensors file, read from its header (the format's own layout, not the engine's reader). */
function tensorOf(bytes: Uint8Array, name: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, { data_offsets: [number, number] }>;
  const [begin, end] = header[name].data_offsets;
  const data = bytes.slice(8 + length + begin, 8 + length + end);
  return [...new Float32Array(data.buffer)];
}
