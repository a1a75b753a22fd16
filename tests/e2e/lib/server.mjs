// The real provincial sync server for the specs that sync: its own data folder, a free port on
// loopback, its `tinbao-server` commands, and the `tinbao` command line of a station PC.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { repoRoot } from './app.mjs';

export const bin = (name) => join(process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target'), 'debug', name);

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the sync server does not listen on ${port} after ${ms} ms`);
}

/**
 * Starts `tinbao-server serve` on a fresh data folder. `key` is the TINBAO_KEY the command-line
 * registers of the spec use. `stop()` ends the server and removes every file it made.
 */
export async function startServer({ name = 'sync', key = 'khoa-thu-may-tram' } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), `tinbao-e2e-${name}-`));
  const data = join(tmp, 'server');
  const env = { ...process.env, TINBAO_KEY: key };
  const server = (...args) => execFileSync(bin('tinbao-server'), ['--data', data, ...args], { env, encoding: 'utf8' });
  server('init');
  const port = await freePort();
  const srv = spawn(bin('tinbao-server'), ['--data', data, 'serve', '--listen', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  srv.stderr.on('data', (d) => (log += d));
  const stop = async () => {
    srv.kill();
    await new Promise((r) => (srv.exitCode !== null ? r() : srv.once('exit', r)));
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `https://127.0.0.1:${port}`,
    tmp,
    env,
    /** Runs a `tinbao-server` command on this server's data; its standard output. */
    server,
    /** A one-time enrolment code: `{ station: '01843' }` or `{ province: '19' }`. */
    enrolCode: (scope) => {
      const [flag, value] = scope.station ? ['--station', scope.station] : ['--province', scope.province];
      return JSON.parse(server('--json', 'enrol-code', flag, value)).code;
    },
    /** The `tinbao` command line of a station PC whose register is `db`. */
    station: (db) => (...args) => execFileSync(bin('tinbao'), ['--db', db, ...args], { env, encoding: 'utf8' }),
    /** The server's log so far, for a failure's message. */
    log: () => log.slice(-2000),
    stop,
  };
}
