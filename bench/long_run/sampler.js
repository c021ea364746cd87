// One sample of a long run: where memory and co-execution's structures stand, and the time per step
// since the previous sample. The heap is measured after a full GC, so that its growth means a leak.
const v8 = require('v8');
const vm = require('vm');

function fullGc() {
  if (!global.gc) v8.setFlagsFromString('--expose-gc');
  (global.gc ?? vm.runInNewContext('gc'))();
}

function sampler(tf, coexecution) {
  const samples = [];
  let last = performance.now();
  let lastStep = 0;
  const sample = (step) => {
    const now = performance.now();
    fullGc();
    const fp = coexecution.footprint();
    const st = coexecution.stats();
    const mem = process.memoryUsage();
    samples.push({
      step,
      msPerStep: (now - last) / (step - lastStep),
      rssMB: mem.rss / 2 ** 20,
      heapMB: mem.heapUsed / 2 ** 20,
      tensors: tf.memory().numTensors,
      buffers: tf.memory().numDataBuffers,
      workerValues: fp?.workerValues,
      lineage: fp?.lineage,
      graphNodes: fp?.graphNodes,
      segmentsCompiled: st?.segments.compiled,
      divergences: st?.divergenceCount,
      coexecuted: st?.iterations.coexecuted,
    });
    // The sample itself (footprint waits for the worker) is not charged to the next interval.
    last = performance.now();
    lastStep = step;
  };
  sample.samples = samples;
  return sample;
}
module.exports = { sampler };
