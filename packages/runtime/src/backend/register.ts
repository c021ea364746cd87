import {
  KernelConfig, KernelFunc, getKernelsForBackend, registerBackend, registerKernel,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { eagerExecutor } from '../eager/eager_executor';
import { VIEW_KERNELS, loweringFor } from '../lowering/registry';
import type { KernelLowering } from '../lowering/types';
import { DispatchPath, recordDispatch } from '../stats';
import { TerraKernelError } from '../eager/kernel_error';
import { isTracing, runKernelTraced } from '../trace/recording';
import { TerraBackend } from './terra_backend';
import { activeCoexecutor, setEagerKernels } from '../coexec/session';

export const BACKEND_NAME = 'terra';


/** Registers the terra backend (below cpu in priority, so it is used only when selected) and its kernels. */
export function registerTerraBackend(): void {
  registerBackend(BACKEND_NAME, () => new TerraBackend(), 0);
  const eagerFuncs = new Map<string, KernelFunc>();
  for (const cpuKernel of getKernelsForBackend('cpu')) {
    const name = cpuKernel.kernelName;
    const lowering = loweringFor(name);
    const kernelFunc = lowering ? loweredKernelFunc(lowering, cpuKernel.kernelFunc)
      : cpuKernelFunc(cpuKernel, VIEW_KERNELS.has(name) ? 'view' : 'cpu');
    eagerFuncs.set(name, kernelFunc);
    const config: KernelConfig = {
      kernelName: name,
      backendName: BACKEND_NAME,
      kernelFunc: (args) => {
        const co = activeCoexecutor();
        if (co) return co.runKernel(name, args, kernelFunc);
        if (isTracing()) return runKernelTraced(name, args.inputs, args.attrs, () => kernelFunc(args));
        return kernelFunc(args);
      },
      setupFunc: cpuKernel.setupFunc,
      disposeFunc: cpuKernel.disposeFunc,
    };
    registerKernel(config);
  }
  setEagerKernels(eagerFuncs);
}

export function loweredKernelFunc(lowering: KernelLowering, cpuFunc: KernelFunc): KernelFunc {
  const name = lowering.kernelName;
  return (args) => {
    let out;
    try {
      out = eagerExecutor.run(lowering, args.inputs, args.attrs ?? {}, args.backend as MathBackendCPU);
    } catch (e) {
      if (!(e instanceof TerraKernelError)) throw e;
      // Invalid input (an index out of range, say) fails on both paths: the cpu kernel then throws
      // tfjs's own error. If it does not, the lowering is at fault: say so once, keep cpu's answer.
      recordDispatch(name, 'cpu');
      const result = cpuFunc(args);
      warnOnce(name, e.message);
      return result;
    }
    if (out !== undefined) {
      recordDispatch(name, 'ort');
      return out;
    }
    recordDispatch(name, 'cpu');
    return cpuFunc(args);
  };
}

const warned = new Set<string>();

function warnOnce(kernelName: string, message: string): void {
  if (warned.has(kernelName)) return;
  warned.add(kernelName);
  console.warn(`${message}\nterra: ${kernelName} fell back to the cpu kernel, which succeeded; please report this.`);
}

function cpuKernelFunc(cpuKernel: KernelConfig, path: DispatchPath): KernelFunc {
  const name = cpuKernel.kernelName;
  return (args) => {
    recordDispatch(name, path);
    return cpuKernel.kernelFunc(args);
  };
}
