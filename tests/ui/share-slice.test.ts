// The share slice: the recipe and the push follow their own request (a late answer to an older one changes nothing),
// a push's progress is replaced by its result or its error, and errors are dismissed per card.
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../src/ui/store/app-store';
import { applyWorkerEvent } from '../../src/ui/store/worker-events';

const error = { code: 'HUB_PUSH_UNAUTHORIZED', message: 'no' };

describe('share slice', () => {
  it('a push: progress, then the result; an answer to an older push is ignored', () => {
    const store = createAppStore();
    store.getState().pushStarted(2);
    applyWorkerEvent(store, { type: 'hubPushProgressed', requestId: 1, progress: { phase: 'uploading', done: 1, total: 2, file: null } });
    expect(store.getState().share.push.progress).toBeNull();
    applyWorkerEvent(store, { type: 'hubPushProgressed', requestId: 2, progress: { phase: 'uploading', done: 5, total: 10, file: 'model.safetensors' } });
    expect(store.getState().share.push.progress).toMatchObject({ done: 5, total: 10 });
    const result = { repo: 'me/m', url: 'https://huggingface.co/me/m', commitUrl: 'https://huggingface.co/me/m/commit/abc', created: true, files: [] };
    applyWorkerEvent(store, { type: 'hubPushed', requestId: 2, result });
    expect(store.getState().share.push).toEqual({ requestId: null, progress: null, result, error: null });
  });

  it('a failed push keeps its error until dismissed; a failed recipe too, each on its own', () => {
    const store = createAppStore();
    store.getState().pushStarted(3);
    store.getState().recipeStarted(4);
    applyWorkerEvent(store, { type: 'hubPushFailed', requestId: 3, error });
    applyWorkerEvent(store, { type: 'recipeExportFailed', requestId: 4, error: { code: 'TRAIN_CONFIG_UNKNOWN_PREFIX', message: 'x' } });
    expect(store.getState().share.push).toMatchObject({ requestId: null, error });
    expect(store.getState().share.recipe.error?.code).toBe('TRAIN_CONFIG_UNKNOWN_PREFIX');
    store.getState().dismissShareError('push');
    expect(store.getState().share.push.error).toBeNull();
    expect(store.getState().share.recipe.error).not.toBeNull();
    store.getState().recipeFinished(4, { fileName: 'r.zip', files: [], size: 1, url: 'blob:x' });
    expect(store.getState().share.recipe.result).toBeNull();
    store.getState().recipeStarted(5);
    store.getState().recipeFinished(5, { fileName: 'r.zip', files: [], size: 1, url: 'blob:x' });
    expect(store.getState().share.recipe).toMatchObject({ requestId: null, result: { fileName: 'r.zip' }, error: null });
  });
});
