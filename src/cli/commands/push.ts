// `layerwise push`: uploads a model folder (weights, tokenizer, model card, metrics.json, optionally onnx/) to the
// Hugging Face Hub (formats/hub-push.ts): the repository is created if needed, then one commit. The token comes from
// $HF_TOKEN or one line on stdin (--token-stdin), never from a flag (flags stay in shell history); it is used for this
// push only and sent to the endpoint only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseModelConfig } from '../../engine/models/index';
import { pushToHub, validatePushRepo, type PushFile, type PushProgress } from '../../formats/hub-push';
import { readSafetensorsHeader } from '../../formats/safetensors';
import { LayerwiseError } from '../../lib/errors';
import { DEFAULT_HUB_ENDPOINT } from '../../protocol/hub';
import { parseOptions, required } from '../args';
import { nodeFile } from '../node-files';

export const summary = 'upload a model folder to the Hugging Face Hub (creates the repository if needed)';

const USAGE = `usage: layerwise push --model DIR --repo ORG/NAME [--private] [--with-onnx] [--message TEXT]
                      [--endpoint URL] [--token-stdin] [--json]

Uploads DIR's files (config.json, model.safetensors, tokenizer files, README.md, metrics.json; with --with-onnx
also onnx/*.onnx) to the model repository ORG/NAME, creating it (private with --private) when it does not exist.
The token: $HF_TOKEN, or one line on stdin with --token-stdin (a write token from your Hugging Face settings).
The endpoint: --endpoint URL, else $HF_ENDPOINT, else ${DEFAULT_HUB_ENDPOINT}.
Prints the repository's URL (with --json: {repo, url, commit, created, files: [{name, size}]}).`;

const MB = 1e6;

/** The files to push: the folder's regular files (hidden ones left out) and, when asked, its onnx/ folder. */
export function folderPushFiles(dir: string, withOnnx: boolean): PushFile[] {
  if (!existsSync(path.join(dir, 'config.json'))) {
    throw new LayerwiseError('CHECKPOINT_NO_CONFIG', `${dir} has no config.json: push a model folder`, { file: path.join(dir, 'config.json') });
  }
  const files: PushFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || !statSync(path.join(dir, name)).isFile()) continue;
    files.push({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) });
  }
  const onnx = path.join(dir, 'onnx');
  if (withOnnx) {
    const models = existsSync(onnx) ? readdirSync(onnx).filter((n) => n.endsWith('.onnx')).sort() : [];
    if (models.length === 0) throw new LayerwiseError('HUB_PUSH_NO_ONNX', `--with-onnx: ${dir} has no onnx/*.onnx (write them with layerwise export --format onnx)`, { file: onnx });
    for (const name of models) files.push({ name: `onnx/${name}`, bytes: new Uint8Array(readFileSync(path.join(onnx, name))) });
  }
  return files;
}

async function readToken(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0].trim();
  }
  const env = process.env.HF_TOKEN;
  if (env === undefined || env === '') {
    throw new LayerwiseError('HUB_PUSH_NO_TOKEN', 'No access token: set HF_TOKEN, or pass --token-stdin and give it on standard input.', { field: 'token' });
  }
  return env.trim();
}

function progressLine(): (p: PushProgress) => void {
  let last = 0;
  let phase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase === phase && now - last < 1000) return;
    last = now;
    phase = p.phase;
    console.error(`layerwise push: ${p.phase}${p.file ? ` ${p.file}` : ''} (${(p.done / MB).toFixed(1)} of ${(p.total / MB).toFixed(1)} MB hashed + uploaded)`);
  };
}

export async function run(argv: string[]): Promise<number> {
  const o = parseOptions(argv, {
    model: { type: 'string' },
    repo: { type: 'string' },
    private: { type: 'boolean' },
    'with-onnx': { type: 'boolean' },
    message: { type: 'string' },
    endpoint: { type: 'string' },
    'token-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = required(o.model, 'model');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new LayerwiseError('CLI_FILE_NOT_FOUND', `${dir} is not a folder`, { field: 'model' });
  const repo = validatePushRepo(required(o.repo, 'repo'));
  const files = folderPushFiles(dir, o['with-onnx'] === true);
  // The folder is a model this studio reads: its config names a supported family and its weights have a valid header.
  parseModelConfig(readFileSync(path.join(dir, 'config.json'), 'utf8'), 'config.json');
  if (existsSync(path.join(dir, 'model.safetensors'))) await readSafetensorsHeader(nodeFile(path.join(dir, 'model.safetensors')));
  else if (!existsSync(path.join(dir, 'model.safetensors.index.json'))) {
    throw new LayerwiseError('CHECKPOINT_NO_WEIGHTS', `${dir} has neither model.safetensors nor model.safetensors.index.json`, { file: path.join(dir, 'model.safetensors') });
  }
  if (!files.some((f) => f.name === 'README.md')) console.error('layerwise push: note: the folder has no README.md (model card); the repository will have none');
  const token = await readToken(o['token-stdin'] === true);
  const endpoint = o.endpoint || process.env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT;
  const result = await pushToHub({ repo, token, files, endpoint, private: o.private === true, commitTitle: o.message, onProgress: progressLine() });
  const sizes = files.map((f) => ({ name: f.name, size: f.bytes.byteLength }));
  if (o.json) console.log(JSON.stringify({ repo, url: result.url, commit: result.commitUrl, created: result.created, files: sizes }));
  else console.log(`${result.created ? 'created' : 'updated'} ${result.url} (${files.length} files, commit ${result.commitOid.slice(0, 10)})`);
  return 0;
}
