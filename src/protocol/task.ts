// The tasks a model head can serve. Shared by TrainConfig, the loader, the worker protocol and the CLI.
export type Task = 'seq-cls' | 'token-cls' | 'mlm';

export const TASKS: readonly Task[] = ['seq-cls', 'token-cls', 'mlm'];
