// The studio's A/B checkpoint slots (src/worker/checkpoint-slots.ts) against an in-memory SlotStorage: saves
// alternate between the slots, a reopened store continues the alternation, a truncated or edited slot is skipped for
// the other one (RELIABILITY F13), and a write that fails — a full quota, a write cut off — leaves the previous
// checkpoint readable and says what was needed (F11). Checkpoints are small hand-made states, compared value by value.
import { describe, expect, it } from 'vitest';
import { encodeCheckpoint, type RunCheckpoint } from '../../src/engine/train/run-checkpoint';
import { LayerwiseError } from '../../src/lib/errors';
import type { RunCheckpointInfo } from '../../src/protocol/run-checkpoint';
import { parseTrainConfig } from '../../src/protocol/train-config';
import { CheckpointSlots, SLOT_FILES } from '../../src/worker/checkpoint-slots';
import { MemoryStorage } from './memory-storage';

const CONFIG = parseTrainConfig({ batchSize: 4, epochs: 2 });

/** A state whose weight value is the step, so that a decoded checkpoint tells which save it came from. */
function state(step: number): RunCheckpoint {
  const w = new Float32Array([step, step + 0.5, -step, 0.25]);
  return {
    config: CONFIG,
    task: 'seq-cls',
    data: { examples: 40, hash: 1234 },
    progress: { step, epoch: 0, window: step, skippedInARow: 0, tokens: 100 * step },
    weights: new Map([['classifier.weight', { shape: [2, 2], data: w }]]),
    optimizer: { steps: step, params: new Map([['classifier.weight', { step, exp_avg: new Float32Array(4).fill(0.1), exp_avg_sq: new Float32Array(4).fill(0.01) }]]) },
    plateau: null,
    earlyStopping: { best: null, bestStep: null, badEvaluations: 0 },
    best: null,
    history: [],
  };
}

function info(step: number): RunCheckpointInfo {
  const file = { name: 'reviews.csv', size: 100, hash: 7 };
  return {
    runId: 'run-1',
    name: 'reviews.csv on tiny',
    step,
    totalSteps: 20,
    savedAt: 1_000 + step,
    startedAt: 1_000,
    config: CONFIG,
    model: { source: 'tiny', fromSite: true, adapted: false, files: [file] },
    dataset: { train: file, validation: null },
  };
}

const noEstimate = async () => null;

async function save(slots: CheckpointSlots, step: number) {
  return slots.save(encodeCheckpoint(state(step)), { info: info(step), steps: [] });
}

async function rejection(p: Promise<unknown>): Promise<LayerwiseError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerwiseError);
  return err as LayerwiseError;
}

describe('CheckpointSlots', () => {
  it('alternates A, B, A, writes the manifest last, and a reopened store reads the newest and goes on alternating', async () => {
    const storage = new MemoryStorage();
    const slots = new CheckpointSlots(storage, noEstimate);
    expect((await save(slots, 2)).slot).toBe('A');
    expect((await save(slots, 4)).slot).toBe('B');
    expect((await save(slots, 6)).slot).toBe('A');
    expect(storage.writes.slice(-3)).toEqual([`A/${SLOT_FILES.tensors}`, `A/${SLOT_FILES.run}`, `A/${SLOT_FILES.manifest}`]);

    const reopened = new CheckpointSlots(storage, noEstimate);
    const latest = await reopened.latest();
    expect(latest?.slot).toBe('A');
    expect(latest?.info.step).toBe(6);
    expect(latest?.notes).toEqual([]);
    expect([...latest!.checkpoint.weights.get('classifier.weight')!.data]).toEqual([6, 6.5, -6, 0.25]);
    expect(latest?.checkpoint.progress).toEqual({ step: 6, epoch: 0, window: 6, skippedInARow: 0, tokens: 600 });
    expect((await save(reopened, 8)).slot).toBe('B');
  });

  it('falls back to the other slot when the newest one is truncated or edited, and never overwrites the good one', async () => {
    for (const damage of ['truncate', 'flip'] as const) {
      const storage = new MemoryStorage();
      const slots = new CheckpointSlots(storage, noEstimate);
      await save(slots, 2);
      await save(slots, 4);
      const key = `B/${SLOT_FILES.tensors}`;
      const bytes = storage.files.get(key)!;
      if (damage === 'truncate') storage.files.set(key, bytes.slice(0, bytes.byteLength - 10));
      else bytes[bytes.byteLength - 3] ^= 0xff;

      const latest = await new CheckpointSlots(storage, noEstimate).latest();
      expect(latest?.slot).toBe('A');
      expect(latest?.info.step).toBe(2);
      expect([...latest!.checkpoint.weights.get('classifier.weight')!.data]).toEqual([2, 2.5, -2, 0.25]);
      expect(latest?.notes).toHaveLength(1);
      expect(latest?.notes[0]).toMatch(damage === 'truncate' ? /^Slot B was skipped: .*incomplete/ : /^Slot B was skipped: .*checksum/);

      // The next save replaces the damaged slot, not the good one.
      const again = new CheckpointSlots(storage, noEstimate);
      expect((await save(again, 6)).slot).toBe('B');
      expect((await again.latest())?.info.step).toBe(6);
    }
  });

  it('a full quota is CHECKPOINT_QUOTA_EXCEEDED with the bytes needed and available; the previous checkpoint stays', async () => {
    const storage = new MemoryStorage();
    const estimate = async () => ({ usage: 9 * 1024 * 1024, quota: 10 * 1024 * 1024 });
    const slots = new CheckpointSlots(storage, estimate);
    await save(slots, 2);
    storage.failOn = { key: `B/${SLOT_FILES.tensors}`, name: 'QuotaExceededError' };
    const files = encodeCheckpoint(state(4));
    const runBytes = new TextEncoder().encode(`${JSON.stringify({ info: info(4), steps: [] })}\n`).byteLength;
    const needed = files.tensors.byteLength + new TextEncoder().encode(files.manifest).byteLength + runBytes;
    const err = await rejection(slots.save(files, { info: info(4), steps: [] }));
    expect(err.code).toBe('CHECKPOINT_QUOTA_EXCEEDED');
    expect(err.message).toContain(`step 4 needs ${Math.ceil(needed / 1024)} KB`);
    expect(err.message).toContain('1.0 MB more (9.0 MB used of 10.0 MB)');
    expect(err.message).toContain('slot A is still there');
    expect(err.message).toContain('Download the checkpoint now');

    const latest = await new CheckpointSlots(storage, noEstimate).latest();
    expect(latest?.slot).toBe('A');
    expect(latest?.info.step).toBe(2);
    expect(latest?.notes).toEqual([]);
    // Space freed: the same slot is tried again.
    expect((await save(slots, 6)).slot).toBe('B');
  });

  it('a write cut off before the manifest is CHECKPOINT_WRITE_FAILED and the slot reads as empty', async () => {
    const storage = new MemoryStorage();
    const slots = new CheckpointSlots(storage, noEstimate);
    await save(slots, 2);
    await save(slots, 4);
    storage.failOn = { key: `A/${SLOT_FILES.manifest}`, name: 'AbortError' };
    const err = await rejection(save(slots, 6));
    expect(err.code).toBe('CHECKPOINT_WRITE_FAILED');
    expect(err.message).toContain('slot B is still there');
    const latest = await new CheckpointSlots(storage, noEstimate).latest();
    expect(latest?.slot).toBe('B');
    expect(latest?.info.step).toBe(4);
    expect(latest?.notes).toEqual([expect.stringMatching(/^Slot A was skipped: checkpoint\.json is not JSON/)]);
  });

  it('clear() empties both slots', async () => {
    const storage = new MemoryStorage();
    const slots = new CheckpointSlots(storage, noEstimate);
    await save(slots, 2);
    await save(slots, 4);
    await slots.clear();
    expect(storage.files.size).toBe(0);
    expect(await slots.latest()).toBeNull();
    expect((await save(slots, 6)).slot).toBe('A');
  });
});
