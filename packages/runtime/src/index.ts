import '@tensorflow/tfjs-backend-cpu';
import { checkVersions } from './version_check';
import { BACKEND_NAME, registerTerraBackend } from './backend/register';
import { eagerExecutor } from './eager/eager_executor';
import { LOWERINGS } from './lowering/registry';

checkVersions();
registerTerraBackend();

export { BACKEND_NAME };
export { TerraBackend } from './backend/terra_backend';
export { stats, resetStats } from './stats';
export type { DispatchStats, KernelStats } from './stats';
export { TerraKernelError } from './eager/kernel_error';
export { checkVersions } from './version_check';

/** Names of the tfjs kernels that have an ONNX lowering. */
export function loweredKernels(): string[] {
  return LOWERINGS.map((l) => l.kernelName).sort();
}

/** Number of single-kernel ONNX Runtime sessions currently cached by eager execution. */
export function cachedSessions(): number {
  return eagerExecutor.cachedSessions;
}
export * as hooks from './hooks';
export * as trace from './trace';
export * as coexecution from './coexec';
