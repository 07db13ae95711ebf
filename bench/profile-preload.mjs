/**
 * Loaded into a benchmark's daemon (`node --import <this file>?dir=<directory>`; the daemon does not
 * inherit the benchmark's environment): the
 * first SIGUSR2 starts V8's CPU profiler, the next stops it and writes the profile there as
 * `daemon-<pid>-<n>.cpuprofile` (open it in Chrome's DevTools or any .cpuprofile viewer). A daemon
 * ended by a signal never writes what `--cpu-prof` gathered; this writes the window the benchmark
 * measures, and nothing of the start-up.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = new URL(import.meta.url).searchParams.get('dir');
const session = new Session();
session.connect();
session.post('Profiler.enable');
let running = false;
let written = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.start');
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err || !dir) return;
    writeFileSync(join(dir, `daemon-${process.pid}-${++written}.cpuprofile`), JSON.stringify(result.profile));
  });
});
