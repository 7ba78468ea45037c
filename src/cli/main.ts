// The `layerwise` command line: one file per command under commands/, dispatched by name.
// Every command returns an exit code; a LayerwiseError becomes a coded one-line message (and JSON with --json),
// never a stack trace.
import { LayerwiseError, formatLocation, toErrorData } from '../lib/errors';
import { resolveHubArgs } from './hub-model';

export interface CommandModule {
  /** One line for `layerwise help`. */
  summary: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  predict: () => import('./commands/predict'),
  step: () => import('./commands/step'),
  data: () => import('./commands/data'),
  vocab: () => import('./commands/vocab'),
  train: () => import('./commands/train'),
  pretrain: () => import('./commands/pretrain'),
  eval: () => import('./commands/eval'),
  gradcheck: () => import('./commands/gradcheck'),
  sweep: () => import('./commands/sweep'),
  bench: () => import('./commands/bench'),
  push: () => import('./commands/push'),
  export: () => import('./commands/export'),
};

function usage(): string {
  return [
    'usage: layerwise <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((name) => `  ${name}`),
    '',
    'Run `layerwise <command> --help` for the options of one command.',
    'Wherever a command takes --model DIR, --model hub:ORG/NAME[@REV] downloads that model from the Hugging Face Hub',
    '(cached in ~/.cache/layerwise/hub or $LAYERWISE_CACHE; endpoint: --hub-endpoint URL or $HF_ENDPOINT).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`layerwise: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const json = rest.includes('--json');
  try {
    const command = await load();
    // `--model hub:ORG/NAME[@REV]` becomes the model's cached folder before the command reads its flags.
    return await command.run(await resolveHubArgs(rest));
  } catch (err) {
    const data = toErrorData(err);
    const where = formatLocation(data.location);
    if (json) console.log(JSON.stringify({ error: data }));
    console.error(`layerwise ${name}: ${data.code}: ${data.message}${where ? ` (${where})` : ''}`);
    if (!(err instanceof LayerwiseError) && process.env.LAYERWISE_DEBUG) console.error(err);
    return 1;
  }
}
