// The PyTorch reference of `layerwise bench` (bench/torch_reference.py) run as a subprocess in the same run, and
// the facts about this machine that a benchmark line carries (cores, CPU model, load average).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { BenchModelName } from '../engine/bench/train-bench';

/** What torch_reference.py prints (snake_case, as written there). */
export interface TorchResult {
  model: string;
  device: 'cpu' | 'cuda';
  torch: string;
  threads: number;
  parameters: number;
  ms_per_step: number;
  tokens_per_s: number;
  first_loss: number;
  last_loss: number;
  infer_ms_b1: number;
  infer_ms_b8: number;
  peak_rss_bytes: number;
  trainable_parameters?: number;
  micro?: number;
  peak_cuda_bytes?: number;
  gpu?: string;
}

/** Beside this file in the checkout, or (in the GPU payload's bundle, bench/gpu/) under the working directory. */
function torchScript(): string {
  const candidates = [resolve(import.meta.dirname, '..', '..', 'bench', 'torch_reference.py'), resolve(process.cwd(), 'bench', 'torch_reference.py')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** The first Python that imports torch: $LAYERWISE_PYTHON, Debian's /usr/bin/python3 (DESIGN.md), then python3. */
export function findTorchPython(): { python: string | null; why: string } {
  const candidates = [process.env.LAYERWISE_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    if (python.startsWith('/') && !existsSync(python)) continue;
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 });
    if (probe.status === 0) return { python, why: '' };
  }
  return { python: null, why: `no Python that imports torch (tried ${candidates.join(', ')})` };
}

export interface TorchRunOptions {
  model: BenchModelName;
  device: 'cpu' | 'cuda';
  steps: number;
  warmup: number;
  threads?: number;
  /** Examples per optimizer step and per forward/backward pass; the model's own by default. */
  batch?: number;
  micro?: number;
  checkpointing?: boolean;
  /** LoRA on query and value: rank and alpha. */
  lora?: { r: number; alpha: number } | null;
}

/** Runs torch_reference.py; rejects with its stderr when it fails. */
export function runTorchReference(python: string, o: TorchRunOptions): Promise<TorchResult> {
  const args = [torchScript(), '--model', o.model, '--device', o.device, '--steps', String(o.steps), '--warmup', String(o.warmup)];
  if (o.threads !== undefined) args.push('--threads', String(o.threads));
  if (o.batch !== undefined) args.push('--batch', String(o.batch));
  if (o.micro !== undefined) args.push('--micro', String(o.micro));
  if (o.checkpointing) args.push('--checkpointing');
  if (o.lora) args.push('--lora-r', String(o.lora.r), '--lora-alpha', String(o.lora.alpha));
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) done(JSON.parse(line) as TorchResult);
      else fail(new Error(`torch_reference.py exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * runTorchReference, and on the CPU with more than one thread also with one thread: under load, OpenMP's threads can
 * run torch far below its one-thread speed, so a benchmark line carries both figures.
 */
export async function runTorchWithOneThread(python: string, o: TorchRunOptions): Promise<TorchResult & { tokens_per_s_1_thread?: number }> {
  const main = await runTorchReference(python, o);
  if (o.device !== 'cpu' || main.threads <= 1) return main;
  const single = await runTorchReference(python, { ...o, threads: 1 });
  return { ...main, tokens_per_s_1_thread: single.tokens_per_s };
}

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  /** os.loadavg(): 1, 5 and 15 minutes. */
  load_avg: number[];
}

export function machineInfo(): MachineInfo {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {
    // Not Linux: os.cpus() named it already.
  }
  return { cpus: cpus().length, cpu_model: model, load_avg: loadavg().map((l) => Math.round(l * 100) / 100) };
}
