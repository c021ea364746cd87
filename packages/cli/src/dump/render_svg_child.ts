/**
 * Renders DOT from stdin to SVG on stdout with Graphviz (@viz-js/viz, Graphviz compiled to wasm).
 * A child process of the dump writer: the dump is written in an 'exit' handler, where nothing
 * asynchronous can run, and the wasm module only instantiates asynchronously.
 */
import { instance } from '@viz-js/viz';

const chunks: Buffer[] = [];
process.stdin.on('data', (c: Buffer) => chunks.push(c));
process.stdin.on('end', () => {
  instance().then((viz) => {
    process.stdout.write(viz.renderString(Buffer.concat(chunks).toString('utf8'), { format: 'svg', engine: 'dot' }));
  }).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
});
