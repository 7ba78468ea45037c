// Golden tests on the webgpu backend under Node: Dawn from the `webgpu` package, on SwiftShader (a CPU Vulkan
// driver) where the machine has no GPU. Skipped, with the reason, where no WebGPU adapter can be created.
import { useNodeBackend } from '../../../src/cli/node-backend';
import { toErrorData } from '../../../src/lib/errors';
import { describeGolden } from './golden';

const unavailable = await useNodeBackend('webgpu').then(
  () => null,
  (err: unknown) => toErrorData(err).message,
);
// SwiftShader compiles every shader on the CPU: three fixtures cover the encoders, the scatter gradient and MLM.
describeGolden('webgpu', ['bert-mlm', 'distilbert-seq-cls', 'roberta-seq-cls'], unavailable);
