// Preloaded into the tfjs wasm benchmark child (`node -r`). tfjs-backend-wasm has no kernel for some
// gradients (Conv2DBackpropFilter, UnsortedSegmentSum, ...), so none of the fixtures can train on it as
// shipped. This gives the wasm backend tfjs-backend-cpu's kernel for every kernel it lacks: the inputs
// are copied out of the wasm heap into the cpu backend, the cpu kernel runs, and its outputs are copied
// back. The kernels wasm has are untouched. At exit, the names of the borrowed kernels that ran are
// written to $BENCH_WASM_CPU_KERNELS_FILE (one per line), so that the table can say what it measured.
const fs = require('fs');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const used = new Set();

/** The cpu kernel `config`, run for the wasm backend. */
function borrowed(config) {
  return ({ inputs, backend: wasm, attrs }) => {
    const cpu = tf.engine().findBackend('cpu');
    const temporaries = [];
    const toCpu = (info) => {
      const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
      temporaries.push(dataId);
      return { dataId, shape: info.shape, dtype: info.dtype };
    };
    const cpuInputs = {};
    for (const name in inputs) if (inputs[name] != null) cpuInputs[name] = toCpu(inputs[name]);
    used.add(config.kernelName);
    try {
      const out = config.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const back = (info) => {
        temporaries.push(info.dataId);
        return { dataId: wasm.write(cpu.readSync(info.dataId), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      };
      return Array.isArray(out) ? out.map(back) : back(out);
    } finally {
      for (const dataId of temporaries) cpu.disposeData(dataId, true);
    }
  };
}

for (const config of tf.getKernelsForBackend('cpu')) {
  if (tf.getKernel(config.kernelName, 'wasm') !== undefined) continue;
  tf.registerKernel({ kernelName: config.kernelName, backendName: 'wasm', kernelFunc: borrowed(config) });
}

const file = process.env.BENCH_WASM_CPU_KERNELS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, [...used].sort().join('\n'));
  });
}
