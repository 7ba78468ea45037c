// `layerwise export`: bad flags end in a coded one-line message before any work (the real bin in a child process
// for two of them, `run` in this process for the rest); --format hf writes the folder re-read by the engine's
// loader, keeping the source's model card and metrics; nothing is written when --out is refused.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/export';
import { ROOT, layerwise } from './run-cli';

const GOLDEN = path.join(ROOT, 'tests', 'golden', 'hf-tiny');
const work = mkdtempSync(path.join(tmpdir(), 'layerwise-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function quiet<T>(f: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return { value: await f(), stdout: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('layerwise export: bad input', () => {
  it('an unknown --format is CLI_BAD_ARGUMENT naming the formats, as one line with a non-zero exit', async () => {
    const r = await layerwise('export', '--model', path.join(GOLDEN, 'bert-seq-cls'), '--format', 'tflite', '--out', path.join(work, 'x'));
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('layerwise export: CLI_BAD_ARGUMENT: --format must be one of hf, onnx, recipe, got "tflite" (field format)');
    expect(existsSync(path.join(work, 'x'))).toBe(false);
  });

  it('--quantize int8 with --format hf is EXPORT_QUANTIZE_NEEDS_ONNX (JSON error with --json)', async () => {
    const r = await layerwise('export', '--model', path.join(GOLDEN, 'bert-seq-cls'), '--format', 'hf', '--quantize', 'int8', '--out', path.join(work, 'y'), '--json');
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'EXPORT_QUANTIZE_NEEDS_ONNX', location: { field: 'quantize' } });
  });

  it('--quantize other than int8, a missing --format, --out inside the model folder, --out holding files: coded, nothing written', async () => {
    const model = path.join(GOLDEN, 'bert-seq-cls');
    await expect(run(['--model', model, '--format', 'onnx', '--quantize', 'int4', '--out', path.join(work, 'q')])).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT', location: { field: 'quantize' } });
    await expect(run(['--model', model, '--out', path.join(work, 'q')])).rejects.toMatchObject({ code: 'CLI_MISSING_ARGUMENT', location: { field: 'format' } });
    await expect(run(['--model', model, '--format', 'onnx', '--out', path.join(model, 'onnx-here')])).rejects.toMatchObject({ code: 'CLI_OUT_IS_INPUT' });
    const busy = path.join(work, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    await expect(run(['--model', model, '--format', 'onnx', '--out', busy])).rejects.toMatchObject({ code: 'CLI_OUT_NOT_EMPTY' });
    expect(readdirSync(busy)).toEqual(['notes.txt']);
    expect(existsSync(path.join(work, 'q'))).toBe(false);
  });
});

describe('layerwise export --format hf', () => {
  it('writes config, weights and tokenizer, checked by the engine loader; the source folder\'s README.md and metrics.json travel with the weights', async () => {
    const source = path.join(work, 'trained');
    cpSync(path.join(GOLDEN, 'bert-token-cls'), source, { recursive: true });
    for (const f of readdirSync(source)) if (f.startsWith('reference')) rmSync(path.join(source, f));
    writeFileSync(path.join(source, 'README.md'), '# card of these weights\n');
    writeFileSync(path.join(source, 'metrics.json'), '{"accuracy": 0.5}\n');
    const out = path.join(work, 'hf-out');
    const { value, stdout } = await quiet(() => run(['--model', source, '--format', 'hf', '--out', out, '--backend', 'cpu', '--json']));
    expect(value).toBe(0);
    const report = JSON.parse(stdout) as { files: { name: string; size: number }[]; verification: { source: string; checks: { file: string; reader: string; maxAbsDiff: number; passed: boolean }[] } };
    expect(report.files.map((f) => f.name)).toEqual(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'README.md', 'metrics.json']);
    expect(report.verification.source).toBe('generated');
    expect(report.verification.checks).toEqual([expect.objectContaining({ file: 'model.safetensors', reader: 'Layerwise loader', maxAbsDiff: 0, passed: true })]);
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toBe('# card of these weights\n');
    expect(readdirSync(out).sort()).toEqual(report.files.map((f) => f.name).sort());
  });
});
