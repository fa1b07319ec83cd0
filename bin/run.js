#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx's loader: no build step, so
// `npm ci && npx plateau demo` works on a fresh clone and the CLI never runs stale output.
import { register } from 'tsx/esm/api';
import { execute } from '@oclif/core';

register();
await execute({ dir: import.meta.url });
