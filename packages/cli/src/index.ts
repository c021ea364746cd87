export { main } from './cli';
export { configFromEnv, parseMode, MODES } from './config';
export type { Mode, TerraConfig } from './config';
export { installHooks, selectBackend, reportAtExit } from './setup';
export type { StatsReport } from './setup';
export { transformSource, projectRoot } from './transform';
