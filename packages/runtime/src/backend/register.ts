import {
  KernelConfig, KernelFunc, getKernelsForBackend, registerBackend, registerKernel,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { EagerExecutor } from '../eager/eager_executor';
import { loweringFor } from '../lowering/registry';
import type { KernelLowering } from '../lowering/types';
import { recordDispatch } from '../stats';
import { TerraBackend } from './terra_backend';

export const BACKEND_NAME = 'terra';

export const eagerExecutor = new EagerExecutor();

/** Registers the terra backend (below cpu in priority, so it is used only when selected) and its kernels. */
export function registerTerraBackend(): void {
  registerBackend(BACKEND_NAME, () => new TerraBackend(), 0);
  for (const cpuKernel of getKernelsForBackend('cpu')) {
    const lowering = loweringFor(cpuKernel.kernelName);
    const config: KernelConfig = {
      kernelName: cpuKernel.kernelName,
      backendName: BACKEND_NAME,
      kernelFunc: lowering ? loweredKernelFunc(lowering, cpuKernel.kernelFunc) : cpuKernelFunc(cpuKernel),
      setupFunc: cpuKernel.setupFunc,
      disposeFunc: cpuKernel.disposeFunc,
    };
    registerKernel(config);
  }
}

function loweredKernelFunc(lowering: KernelLowering, cpuFunc: KernelFunc): KernelFunc {
  const name = lowering.kernelName;
  return (args) => {
    const out = eagerExecutor.run(lowering, args.inputs, args.attrs ?? {}, args.backend as MathBackendCPU);
    if (out !== undefined) {
      recordDispatch(name, 'ort');
      return out;
    }
    recordDispatch(name, 'cpu');
    return cpuFunc(args);
  };
}

function cpuKernelFunc(cpuKernel: KernelConfig): KernelFunc {
  const name = cpuKernel.kernelName;
  return (args) => {
    recordDispatch(name, 'cpu');
    return cpuKernel.kernelFunc(args);
  };
}
