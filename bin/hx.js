#!/usr/bin/env node
// Kept tiny on purpose: `hx --version` must not load the CLI, let alone the server.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  let cli;
  try {
    cli = await import('../dist/cli/main.js');
  } catch (err) {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
      process.stderr.write('hx: Helix is not built yet: run `npm run build` (or `npm start`) first\n');
      process.exit(1);
    }
    throw err;
  }
  await cli.main(process.argv);
}
