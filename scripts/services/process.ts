import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A child process we started, with a way to stop it and wait for it. */
export interface Service { name: string; child: ChildProcess; stop: () => Promise<void> }

/**
 * Ports are drawn from 10,000–21,999: below Linux's ephemeral range (32,768–60,999), where any outgoing connection
 * can take a port between our check and the server's bind (CI failed once so: the Temporal dev server's frontend on
 * 41,351), and low enough that SeaweedFS's gRPC ports (its ports + 10,000) stay below that range too.
 */
const PORT_FLOOR = 10_000, PORT_SPAN = 12_000;
/** Ports this process has handed out: never handed out twice, even if the first taker has not bound it yet. */
const handedOut = new Set<number>();

const canListen = (port: number) => new Promise<boolean>((resolve) => {
  const srv = net.createServer();
  srv.once('error', () => resolve(false));
  srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
});

/** A free TCP port on localhost, outside the ephemeral range (see PORT_FLOOR). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    const port = PORT_FLOOR + Math.floor(Math.random() * PORT_SPAN);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${PORT_FLOOR} and ${PORT_FLOOR + PORT_SPAN - 1}`);
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, name: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not listen on port ${port} within ${timeoutMs} ms`);
}

/** Finds an executable: an explicit path, the project's .tools/<package>/bin folders, then PATH. */
export function findExecutable(name: string, envVar?: string): string {
  const explicit = envVar ? process.env[envVar] : undefined;
  if (explicit) return explicit;
  const tools = path.resolve('.tools');
  for (const pkg of fs.existsSync(tools) ? fs.readdirSync(tools) : []) {
    const local = path.join(tools, pkg, 'bin', name);
    if (fs.existsSync(local)) return local;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${name} not found: run \`bash scripts/ensure-setup.sh\` or set ${envVar ?? 'PATH'}`);
}

/** Spawns a long-running process with its output in `logFile`, and a stop() that sends SIGTERM then SIGKILL. */
export function startProcess(name: string, cmd: string, args: string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): Service {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...process.env, ...opts.env }, cwd: opts.cwd, detached: false });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name, child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
