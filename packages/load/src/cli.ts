#!/usr/bin/env node
// switchboard-load: load tests for a Switchboard server or cluster. `--help` for the options;
// docs/load-testing.md for the scenarios and how to read the report.
import { writeFile } from 'node:fs/promises';
import { buildResult } from './build-result.js';
import { runLoad } from './coordinator.js';
import { exitCodeOf, LoadError } from './errors.js';
import { htmlReport } from './html-report.js';
import { parseOptions, USAGE } from './options.js';
import { progressLine, resultTable } from './table.js';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const options = parseOptions(argv, process.env);
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const record = await runLoad(options, (current, phase) => {
    if (options.quiet) return;
    // On a terminal the line rewrites itself each second; in a log, one line every 5 s.
    if (tty) process.stderr.write(`\r${progressLine(current, phase)}\x1b[K`);
    else if (Date.now() - lastLine >= 5000) {
      lastLine = Date.now();
      process.stderr.write(`${progressLine(current, phase)}\n`);
    }
  });
  if (tty && !options.quiet) process.stderr.write('\n');
  const result = buildResult(record);
  console.log(resultTable(result));
  if (options.jsonPath) await writeFile(options.jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  if (options.htmlPath) await writeFile(options.htmlPath, htmlReport(result));
  return result.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof LoadError) {
      console.error(`switchboard-load: ${error.message}`);
      if (error.code === 'BAD_OPTION') console.error('Run switchboard-load --help for the options.');
      process.exit(exitCodeOf(error.code));
    }
    console.error('switchboard-load: unexpected failure:', error);
    process.exit(3);
  },
);
