#!/usr/bin/env node
// Launcher for the `aegis` command: runs the built program in dist/ (`npm run build` makes it).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('aegis: the program is not built yet; run `npm run build` in the Aegis directory\n');
    process.exit(1);
  }
  throw err;
}
await cli.main(process.argv);
