#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { installWorker } from './cli/install-worker.js';
import { configHelp, loadConfig } from './config.js';
import { Logger } from './log.js';
import { startServer } from './server.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(
    `Usage: switchboard-server [options]\n       switchboard-server install-worker   (provide the mediasoup worker binary: published, cached or built)\n\n${configHelp()}\n`,
  );
  process.exit(0);
}
if (argv[0] === 'install-worker') {
  await installWorker((line) => process.stdout.write(`[switchboard] ${line}\n`)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`[switchboard] install-worker failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}

// A closed stdout (the reader of the logs went away) must not crash the server.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

const bootLog = new Logger('info');
try {
  const config = loadConfig(argv, process.env);
  const logger = new Logger(config.logLevel);
  const server = await startServer(config, logger);
  // Logs are JSON for machines; a person starting the demo wants to know where to click.
  if (config.staticDir !== undefined) process.stderr.write(pagesToOpen(server.url, config.staticDir));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('signal received', { signal });
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  bootLog.error('server failed to start', { error });
  process.exit(1);
}

function pagesToOpen(url: string, staticDir: string): string {
  const pages = readdirSync(staticDir).filter((file) => file.endsWith('.html') && file !== 'index.html');
  const lines = [`Switchboard is running: open ${url}/`, ...pages.map((page) => `  ${url}/${page}`)];
  return `\n${lines.join('\n')}\n\n`;
}
