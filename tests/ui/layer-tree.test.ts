// The layer tree as a screen reader meets it (issue 16 item 12): each item says whether it trains — aria-checked
// true / false / mixed and "trains" / "frozen" / "partly frozen …" as its description — besides its name and level;
// and the run pill, the run seen from every panel (item 7). Rendered with react-dom/server.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ParameterInfo } from '../../src/protocol/messages';
import { effectiveLr, planParameterGroups } from '../../src/protocol/param-groups';
import { DEFAULT_TRAIN_CONFIG } from '../../src/protocol/train-config';
import { layerTree, nodeStates } from '../../src/ui/features/layers/layer-plan';
import { LayerTree } from '../../src/ui/features/layers/layer-tree';
import { progressKey, runProgress, RunPillView } from '../../src/ui/shell/run-pill';
import type { RunStatus } from '../../src/ui/store/training-slice';
import { appStore } from '../../src/ui/store/app-store';
import { appendSteps } from '../../src/ui/series';

const p = (name: string, shape: number[], depth: number): ParameterInfo => ({ name, shape, depth, nonFinite: 0 });
const parameters = [
  p('bert.embeddings.word_embeddings.weight', [20, 4], 0),
  p('bert.encoder.layer.0.output.dense.weight', [4, 4], 1),
  p('bert.pooler.dense.weight', [4, 4], 2),
  p('classifier.weight', [2, 4], 2),
];

describe('LayerTree', () => {
  it('says on each item whether it trains', () => {
    const tree = layerTree(parameters);
    const depth = new Map(parameters.map((q) => [q.name, q.depth]));
    const config = { ...DEFAULT_TRAIN_CONFIG, freeze: ['bert.embeddings'] };
    const plan = planParameterGroups(parameters.map((q) => q.name), (n) => depth.get(n) ?? 0, 1, config);
    const states = nodeStates(tree, plan, (s) => effectiveLr(s, 0, 10, config));
    const html = renderToStaticMarkup(createElement(LayerTree, { tree, states, onToggle: () => {} }));
    const item = (name: string) => new RegExp(`role="treeitem" aria-label="${name.replace(/\./g, '\\.')}"[^>]*`).exec(html)?.[0] ?? '';
    expect(item('bert.embeddings')).toContain('aria-checked="false"');
    expect(item('bert.embeddings')).toContain('aria-description="frozen"');
    expect(item('classifier')).toContain('aria-checked="true"');
    expect(item('classifier')).toContain('aria-description="trains"');
    expect(item('bert')).toContain('aria-checked="mixed"');
    expect(item('bert')).toContain('aria-description="partly frozen: 32 of 112 parameters train"');
  });
});

describe('RunPill', () => {
  it('shows a run in flight, with its step and share, and nothing without one', () => {
    const step = (n: number) => ({ step: n, epoch: 0, loss: 1, penalty: 0, gradNorm: 1, skipped: false, learningRate: 1e-3, groups: [], tokens: 1, seconds: 0.1, tokensPerSecond: 10 });
    const t = appStore.getState().training;
    expect(runProgress(progressKey(appStore.getState()))).toBeNull();
    const plan = { totalSteps: 51, stepsPerEpoch: 17, warmupSteps: 0, epochs: 3, trainExamples: 270, validationExamples: 30, groups: [], trainableParameters: 1, parameters: 1 };
    const state = (status: RunStatus) => ({ ...appStore.getState(), training: { ...t, runId: 'r', status, plan, steps: appendSteps(t.steps, [step(1), step(12)]) } });
    const pill = (status: RunStatus) => renderToStaticMarkup(createElement(RunPillView, { ...runProgress(progressKey(state(status)))!, onOpen: () => {} }));
    expect(pill('running')).toContain('aria-label="Run in progress: Training · step 12 of 51. Open the Train panel"');
    expect(pill('running')).toContain('24%');
    expect(pill('paused')).toContain('Paused · step 12 of 51');
    expect(runProgress(progressKey(state('finished')))).toBeNull();
  });
});
