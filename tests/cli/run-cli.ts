// Runs bin/layerwise.mjs in a child process as outside checks do, and collects its exit code and output; reads back
// the tensors a command wrote.
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { nodeFile } from '../../src/cli/node-files';
import { readSafetensorsHeader, readTensorFloat32 } from '../../src/formats/safetensors';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'layerwise.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function layerwise(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the command and sends SIGINT (Ctrl-C) once a line of stderr matches `when`. */
export function layerwiseInterrupted(when: RegExp, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every tensor of a safetensors file, as float32, by name. */
export async function readTensors(file: string): Promise<Map<string, Float32Array>> {
  const source = nodeFile(file);
  const header = await readSafetensorsHeader(source);
  const out = new Map<string, Float32Array>();
  for (const name of header.tensors.keys()) out.set(name, await readTensorFloat32(source, header, name));
  return out;
}
