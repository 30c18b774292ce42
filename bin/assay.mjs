#!/usr/bin/env node
// `npx assay`: runs cli/main.ts from the sources through tsx's loader (no build step for the CLI).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv);
