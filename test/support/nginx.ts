/**
 * A real nginx for tests, configured with the site configuration docs/deployment.md gives (so the page
 * cannot go stale): a self-signed certificate made with openssl, 127.0.0.1 on free ports, and its pid,
 * logs and temporary files in a directory of its own. `stop()` ends it by its PID and removes the directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './daemon.js';
import { waitFor } from './wait-for.js';

const DEPLOYMENT_DOC = resolve(import.meta.dirname, '../../docs/deployment.md');

export interface TestNginx {
  /** The TLS port. */
  httpsPort: number;
  /** The plain-HTTP port (it only redirects). */
  httpPort: number;
  /** The certificate nginx serves, for clients to trust. */
  certificate: string;
  stop(): Promise<void>;
}

/** The site configuration of docs/deployment.md: the ```nginx block of its "nginx in front" section. */
export function documentedNginxConfig(): string {
  const doc = readFileSync(DEPLOYMENT_DOC, 'utf8');
  const section = doc.slice(doc.indexOf('\n## nginx in front'));
  const block = /```nginx\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/deployment.md has no ```nginx block under "## nginx in front"');
  return block[1]!;
}

/** Replaces each `from` with its `to`; a `from` that is not in the text exactly once is an error, so the doc cannot drift away from what is tested. */
export function substitute(text: string, replacements: readonly [from: string, to: string][]): string {
  let result = text;
  for (const [from, to] of replacements) {
    const count = result.split(from).length - 1;
    if (count !== 1) throw new Error(`the nginx configuration in docs/deployment.md should hold "${from}" once; it holds it ${count} times`);
    result = result.replace(from, to);
  }
  return result;
}

export function nginxBinary(): string {
  for (const candidate of [...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'nginx')), '/usr/sbin/nginx']) {
    if (candidate.startsWith('/') && existsSync(candidate)) return candidate;
  }
  throw new Error('nginx is not installed: install it (Debian/Ubuntu: apt-get install nginx; .ci/run does) to test the documented configuration');
}

/** Starts nginx in front of the daemon on `upstreamPort`, with the documented site configuration. */
export async function startNginx(upstreamPort: number): Promise<TestNginx> {
  const bin = nginxBinary();
  const dir = mkdtempSync(join(tmpdir(), 'aegis-nginx-'));
  try {
    const certificate = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=aegis.example.com', '-addext', 'subjectAltName=DNS:aegis.example.com', '-keyout', key, '-out', certificate], { encoding: 'utf8' });
    if (openssl.status !== 0) throw new Error(`openssl could not make a certificate (is it installed?): ${openssl.error?.message ?? openssl.stderr}`);
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'aegis.conf'),
      substitute(documentedNginxConfig(), [
        ['server 127.0.0.1:9100;', `server 127.0.0.1:${upstreamPort};`],
        ['listen 80;', `listen 127.0.0.1:${httpPort};`],
        ['listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`],
        ['/etc/letsencrypt/live/aegis.example.com/fullchain.pem', certificate],
        ['/etc/letsencrypt/live/aegis.example.com/privkey.pem', key],
      ]),
    );
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, mainConfig(dir));
    const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
    const check = spawnSync(bin, [...args, '-t'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t refuses the documented configuration:\n${check.stderr}`);

    const nginx = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolveExit) => nginx.once('exit', () => resolveExit()));
    const stop = async () => {
      if (nginx.exitCode === null && nginx.signalCode === null) process.kill(nginx.pid!, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      // nginx writes its pid once its ports listen; `nginx -t` above leaves a pid file of its own, so the
      // file must hold this nginx's pid (waiting for the file alone let a test connect before nginx listened).
      const pidFile = join(dir, 'nginx.pid');
      await waitFor(() => {
        if (nginx.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}${readFileSync(join(dir, 'error.log'), 'utf8')}`);
        return existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(nginx.pid);
      }, { what: 'nginx to start' });
    } catch (err) {
      await stop();
      throw err;
    }
    return { httpsPort, httpPort, certificate: readFileSync(certificate, 'utf8'), stop };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** What /etc/nginx/nginx.conf would hold around the site file, with every path inside `dir`. */
function mainConfig(dir: string): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 64; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client-body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/aegis.conf;
}
`;
}
