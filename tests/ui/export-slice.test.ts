// The export slice: the export in flight and its phase, one result per format (an ONNX export does not replace the
// Hugging Face one), a failure recorded with its format (the card it belongs to), events of other requests ignored.
import { describe, expect, it } from 'vitest';
import type { ExportVerification } from '../../src/protocol/export';
import { createAppStore } from '../../src/ui/store/app-store';
import { applyWorkerEvent } from '../../src/ui/store/worker-events';

const verification: ExportVerification = { examples: 2, source: 'generated', checks: [] };
const result = (format: 'hf' | 'onnx', url: string) => ({ format, fileName: `${format}.zip`, files: [], size: 1, url, at: 0, verification });

describe('export slice', () => {
  it('keeps one result per format and records a blocked export with its format', () => {
    const store = createAppStore();
    const s = () => store.getState().exporting;
    store.getState().exportStarted(1, 'hf');
    store.getState().exportFinished(1, result('hf', 'blob:hf'));
    store.getState().exportStarted(2, 'onnx');
    applyWorkerEvent(store, { type: 'exportProgressed', requestId: 2, phase: 'verifying' });
    expect(s()).toMatchObject({ requestId: 2, format: 'onnx', phase: 'verifying' });
    applyWorkerEvent(store, { type: 'exportFailed', requestId: 2, error: { code: 'EXPORT_VERIFY_MISMATCH', message: 'differs' } });
    expect(s()).toMatchObject({ requestId: null, format: null, phase: null, error: { format: 'onnx', error: { code: 'EXPORT_VERIFY_MISMATCH' } } });
    expect(s().results).toEqual({ hf: result('hf', 'blob:hf') });
    store.getState().exportStarted(3, 'onnx');
    expect(s().error).toBeNull();
    store.getState().exportFinished(3, result('onnx', 'blob:onnx'));
    expect(Object.keys(s().results).sort()).toEqual(['hf', 'onnx']);
  });

  it('ignores progress, failures and results of a request that is not the one in flight', () => {
    const store = createAppStore();
    store.getState().exportStarted(5, 'hf');
    applyWorkerEvent(store, { type: 'exportProgressed', requestId: 4, phase: 'verifying' });
    applyWorkerEvent(store, { type: 'exportFailed', requestId: 4, error: { code: 'E', message: 'old' } });
    store.getState().exportFinished(4, result('hf', 'blob:old'));
    expect(store.getState().exporting).toMatchObject({ requestId: 5, format: 'hf', phase: null, results: {}, error: null });
  });
});
