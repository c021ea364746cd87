/** The Node.js versions terra runs on (package.json "engines"), checked before anything else loads. */
export const MIN_NODE_MAJOR = 20;

/** Why this Node.js cannot run terra, or undefined if it can. The version is a parameter for tests. */
export function unsupportedNode(version: string = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return `Node.js ${version} is not supported: terra needs Node.js ${MIN_NODE_MAJOR} or later`;
}

/** Stops the process with a one-line reason (exit code 1) on an unsupported Node.js. */
export function exitIfUnsupportedNode(version: string = process.versions.node): void {
  const reason = unsupportedNode(version);
  if (!reason) return;
  process.stderr.write(`terra: ${reason}\n`);
  process.exit(1);
}
