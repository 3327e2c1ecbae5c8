#!/usr/bin/env node
import { reportError } from './context.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => reportError(err, process.argv.includes('--verbose')));
