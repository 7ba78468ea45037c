// Varied golden inputs through the predict path on the webgpu backend under Node (Dawn from the `webgpu` package, on
// SwiftShader where the machine has no GPU); skipped, with the reason, where no WebGPU adapter can be created.
import { useNodeBackend } from '../../../src/cli/node-backend';
import { toErrorData } from '../../../src/lib/errors';
import { describeGoldenVaried } from './golden-varied';

const unavailable = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);
// The fixtures golden-webgpu.test.ts runs there (SwiftShader compiles every shader on the CPU): the encoders, MLM.
describeGoldenVaried('webgpu', ['bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'], unavailable);
