// `--model hub:ORG/NAME[@REV]` for every command that takes `--model DIR`: before the command parses its flags,
// the model is downloaded into the CLI's Hub cache (cli/hub-cache.ts) and the flag is rewritten to that folder.
// The endpoint is `--hub-endpoint URL`, else $HF_ENDPOINT (as huggingface_hub reads it), else https://huggingface.co.
import { resolveHubFiles } from '../formats/hub';
import { parseHubSpec } from '../formats/hub-ids';
import { LayerwiseError } from '../lib/errors';
import { DEFAULT_HUB_ENDPOINT, type HubProgress } from '../protocol/hub';
import { defaultHubCacheDir, dirHubCache, type DirHubCache } from './hub-cache';

const MB = 1e6;
const PROGRESS_EVERY_MS = 1000;

/** The value of `--name V` / `--name=V` at index i, or undefined when argv[i] is another argument. */
function flagValue(argv: readonly string[], i: number, name: string): { value: string; width: number } | undefined {
  const arg = argv[i];
  if (arg === `--${name}` && i + 1 < argv.length) return { value: argv[i + 1], width: 2 };
  if (arg.startsWith(`--${name}=`)) return { value: arg.slice(name.length + 3), width: 1 };
  return undefined;
}

/** One stderr line per finished file and at most one a second in between, so stdout stays machine-readable. */
function progressPrinter(label: string): (p: HubProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (!p.fileDone && now - last < PROGRESS_EVERY_MS) return;
    last = now;
    const of = p.total === null ? '' : ` of ${(p.total / MB).toFixed(1)} MB`;
    const what = p.fileDone ? `${p.file} ${p.fromCache ? 'from the cache' : 'done'}` : `${p.file} ${(p.fileLoaded / MB).toFixed(1)} MB`;
    console.error(`layerwise: ${label}: ${what} (${p.filesDone}/${p.filesTotal} files, ${(p.loaded / MB).toFixed(1)} MB${of})`);
  };
}

/**
 * argv with `--model hub:...` replaced by the cached folder of that model revision (downloaded or refreshed now)
 * and `--hub-endpoint` removed; argv unchanged when it names no Hub model.
 */
export async function resolveHubArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cache: DirHubCache = dirHubCache(defaultHubCacheDir(env)),
): Promise<string[]> {
  const out: string[] = [];
  let endpoint: string | undefined;
  let model: { at: number; spec: string } | undefined;
  for (let i = 0; i < argv.length; ) {
    const hubEndpoint = flagValue(argv, i, 'hub-endpoint');
    if (hubEndpoint) {
      endpoint = hubEndpoint.value;
      i += hubEndpoint.width;
      continue;
    }
    const modelFlag = flagValue(argv, i, 'model');
    if (modelFlag && parseHubSpec(modelFlag.value) !== null) {
      model = { at: out.length, spec: modelFlag.value };
      out.push('--model', modelFlag.value);
      i += modelFlag.width;
      continue;
    }
    out.push(argv[i]);
    i++;
  }
  if (!model) {
    if (endpoint !== undefined) {
      throw new LayerwiseError('CLI_BAD_ARGUMENT', '--hub-endpoint is only used with --model hub:ORG/NAME[@REV]', { field: 'hub-endpoint' });
    }
    return out;
  }
  if (out.includes('--help') || out.includes('-h')) return out;
  out[model.at + 1] = await downloadToCache(model.spec, endpoint ?? (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT), cache);
  return out;
}

async function downloadToCache(spec: string, endpoint: string, cache: DirHubCache): Promise<string> {
  const { id, revision } = parseHubSpec(spec) as { id: string; revision: string };
  const model = await resolveHubFiles(id, revision, { endpoint, cache, onProgress: progressPrinter(`${id}@${revision}`) });
  for (const note of model.notes) {
    if (note.code === 'HUB_NOT_CACHED') {
      throw new LayerwiseError('HUB_CACHE_FAILED', `${note.message} The command line reads Hub models from its cache folder: free space, or set LAYERWISE_CACHE.`, {
        file: cache.folderOf(model),
      });
    }
    console.error(`layerwise: ${note.level}: ${note.code}: ${note.message}`);
  }
  return cache.folderOf(model);
}
