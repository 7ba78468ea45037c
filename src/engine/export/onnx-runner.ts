// An OnnxRunner over ONNX Runtime Web, which each host imports its own way (the worker its wasm-only build with the
// .wasm served by this site, the CLI the Node build): one session per file, released after the run.
import type * as Ort from 'onnxruntime-web';
import { LayerwiseError } from '../../lib/errors';
import type { OnnxRunner } from './verify';

export function ortRunner(ort: typeof Ort): OnnxRunner {
  return {
    name: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`,
    async run(model, feeds) {
      let session: Ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(model);
      } catch (err) {
        throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', `ONNX Runtime could not open the exported model: ${(err as Error).message}`);
      }
      try {
        const inputs = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor('int64', f.data, f.dims)]));
        const out = await session.run(inputs);
        const logits = out.logits as Ort.Tensor | undefined;
        if (logits === undefined || logits.type !== 'float32') throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', 'the exported model has no float32 output named logits');
        return { data: Float32Array.from(logits.data as Float32Array), dims: [...logits.dims] };
      } catch (err) {
        if (err instanceof LayerwiseError) throw err;
        throw new LayerwiseError('EXPORT_VERIFY_RUNTIME', `ONNX Runtime could not run the exported model: ${(err as Error).message}`);
      } finally {
        await session.release();
      }
    },
  };
}
