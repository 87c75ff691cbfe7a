export { buildCli } from './program';
export { VERSION } from './version';
