import fs from 'node:fs';
import path from 'node:path';
import { S3Storage } from '../../storage/s3-storage.js';
import { findExecutable, freePort, startProcess, waitForPort, type Service } from './process.js';

export interface S3Server extends Service {
  endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string;
  /** Stops the store, keeping its data (the S3 endpoint refuses connections until `resume`). */
  halt: () => Promise<void>;
  /** Starts the store again on the same folder and ports. */
  resume: () => Promise<void>;
}

/**
 * Starts a single-node SeaweedFS (`weed mini`) with its S3 gateway on free ports and one bucket.
 * @example const s3 = await startSeaweedFs('/tmp/s3', 'assay-test');
 */
export async function startSeaweedFs(dir: string, bucket: string): Promise<S3Server> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const bin = findExecutable('weed', 'WEED_BIN');
  const [s3, master, volume, filer, webdav, admin] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const accessKeyId = 'assaytest';
  const secretAccessKey = 'assaytestsecret';
  const run = async () => {
    const svc = startProcess('seaweedfs', bin, [
      'mini', `-dir=${dir}`, '-ip=127.0.0.1', `-bucket=${bucket}`, `-s3.port=${s3}`, `-master.port=${master}`, `-volume.port=${volume}`,
      `-filer.port=${filer}`, `-webdav.port=${webdav}`, `-admin.port=${admin}`, '-admin.ui=false',
    ], { logFile: path.join(dir, 'weed.log'), env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, S3_BUCKET: bucket } });
    await waitForPort(s3, 60_000, 'SeaweedFS S3', svc.child);
    await waitWritable(`http://127.0.0.1:${s3}`, bucket, accessKeyId, secretAccessKey, svc);
    return svc;
  };
  let svc = await run();
  return {
    name: svc.name, endpoint: `http://127.0.0.1:${s3}`, bucket, accessKeyId, secretAccessKey,
    get child() { return svc.child; },
    stop: () => svc.stop(),
    halt: () => svc.stop(),
    resume: async () => { svc = await run(); },
  };
}

/**
 * Waits until the store takes a write (and a delete) in `bucket`. Its S3 port opens before the master and volume
 * server behind it are ready: restarted for the S3-outage fault test, writes failed for some seconds after the port
 * opened, long enough to use up the report stage's retries once more after ops retried it.
 */
async function waitWritable(endpoint: string, bucket: string, accessKeyId: string, secretAccessKey: string, svc: Service, timeoutMs = 60_000) {
  const store = new S3Storage({ bucket, endpoint, region: 'us-east-1', accessKeyId, secretAccessKey, forcePathStyle: true });
  const deadline = Date.now() + timeoutMs;
  for (let last: unknown; ; await new Promise((r) => setTimeout(r, 250))) {
    if (svc.child.exitCode !== null) throw new Error(`SeaweedFS exited with code ${svc.child.exitCode} before it took a write`);
    if (Date.now() > deadline) throw new Error(`SeaweedFS took no write within ${timeoutMs} ms: ${String(last)}`);
    try {
      await store.put('ready-probe', 'ok');
      await store.delete('ready-probe');
      return;
    } catch (err) { last = err; }
  }
}
