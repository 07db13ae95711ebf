/** `aegis metrics`: the daemon's totals (GET /v1/metrics) as JSON, or its Prometheus text with --prometheus. */
import type { Command } from 'commander';
import { addClientOptions, clientFrom, type ClientFlags } from '../client-options.js';
import { printJson, printLines } from '../output.js';

export function registerMetrics(program: Command): void {
  const command = program
    .command('metrics')
    .description("print the daemon's metrics: JSON totals, or Prometheus text with --prometheus")
    .option('--prometheus', 'print the Prometheus text a scraper reads');
  addClientOptions(command).action(async (flags: ClientFlags & { prometheus?: boolean }) => {
    const client = clientFrom(flags);
    if (!flags.prometheus) return printJson(await client.metrics());
    // Line by line through the terminal-safe printer: whatever the text holds, it cannot drive the terminal.
    printLines((await client.prometheusMetrics()).replace(/\n$/, '').split('\n'));
  });
}
