// Preloaded into every benchmark child (`node -r`): at exit, writes the process's peak resident set size
// in bytes to $BENCH_RSS_FILE. process.resourceUsage().maxRSS covers every thread (the GraphRunner
// worker and ORT's pools included) and is read by the process itself, so it needs no /usr/bin/time.
const fs = require('fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
