// One benchmark run: `terra run --mode <mode> --stats-json <f> <script> <iterations>` as a child process,
// with every line of its stdout timestamped as it arrives on the pipe (the fixtures print
// `step <i> loss <v>` as they go; Node writes to a pipe synchronously, so a line arrives when printed).
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '../..');
const TERRA = path.join(REPO, 'packages/cli/bin/terra.js');
const RSS_PROBE = path.join(__dirname, 'rss_probe.js');
const WASM_CPU_KERNELS = path.join(__dirname, 'wasm_cpu_kernels.js');

const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

/**
 * Resolves to { status, signal, timedOut, ms, stdout, stderr, lines: [{ t, text }], stats, rssBytes,
 * staticLimit, cpuKernels }; times in ms from the spawn. `staticLimit` asks the CLI for the static limit
 * (TERRA_STATIC_LIMIT, docs/static-limit.md); `cacheDir` is a compiled-graph cache to share with other runs;
 * `cpuKernels` gives the wasm backend tfjs cpu's kernels for those it lacks (wasm_cpu_kernels.js), and
 * the result lists the ones that ran.
 */
function runChild({ mode, script, iterations, staticLimit = false, timeoutMs, cacheDir, cpuKernels = false }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'terra-bench-'));
  const files = {
    stats: path.join(dir, 'stats.json'), rss: path.join(dir, 'rss'), limit: path.join(dir, 'limit.json'), cpuKernels: path.join(dir, 'cpu-kernels'),
  };
  const env = { ...process.env, BENCH_RSS_FILE: files.rss, BENCH_WASM_CPU_KERNELS_FILE: files.cpuKernels };
  delete env.TERRA_STATIC_LIMIT;
  if (staticLimit) env.TERRA_STATIC_LIMIT = files.limit;
  // The compiled-graph cache (docs/cache.md): by default an empty one of the run's own, so that every run
  // compiles as a program's first run does.
  const cache = cacheDir ?? path.join(dir, 'cache');
  const args = ['-r', RSS_PROBE, ...(cpuKernels ? ['-r', WASM_CPU_KERNELS] : []), TERRA, 'run', '--mode', mode, '--stats-json', files.stats, '--cache-dir', cache, script, String(iterations)];
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let partial = '';
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const t = performance.now() - start;
      stdout += chunk;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const text of parts) lines.push({ t, text });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - start;
      if (partial) lines.push({ t: ms, text: partial });
      const rss = Number(fs.existsSync(files.rss) ? fs.readFileSync(files.rss, 'utf8') : NaN);
      const result = {
        status, signal, timedOut, ms, stdout, stderr, lines,
        stats: readJson(files.stats),
        rssBytes: Number.isFinite(rss) ? rss : undefined,
        staticLimit: staticLimit ? readJson(files.limit) : undefined,
        cpuKernels: cpuKernels && fs.existsSync(files.cpuKernels) ? fs.readFileSync(files.cpuKernels, 'utf8').split('\n').filter(Boolean) : undefined,
      };
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
}

module.exports = { runChild, REPO };
