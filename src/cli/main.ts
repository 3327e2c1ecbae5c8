#!/usr/bin/env node
import { CommanderError } from 'commander';
import { reportError } from './context.js';
import { buildProgram } from './program.js';

buildProgram(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((err: unknown) => {
    // commander has already printed its message; help and --version end with 0, usage errors with 2
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    reportError(err, process.argv.includes('--verbose'));
  });
