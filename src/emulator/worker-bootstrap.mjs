// Entry of an emulator worker thread. Worker threads do not inherit tsx's loader from the parent
// (execArgv ['--import', 'tsx'] is not honoured for the worker's own entry on Node 20), so this
// plain-JS entry registers tsx's ESM hooks and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
