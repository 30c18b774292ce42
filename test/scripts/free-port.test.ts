import net from 'node:net';
import { expect, test } from 'vitest';
import { freePort } from '../../scripts/services/process.js';

test('freePort hands out distinct ports below the ephemeral range, each bindable, never one already handed out', async () => {
  const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
  expect(new Set(ports).size).toBe(50);
  for (const p of ports) {
    expect(p).toBeGreaterThanOrEqual(10_000);
    expect(p + 10_000).toBeLessThan(32_768); // SeaweedFS's gRPC port (+10,000) stays out of the ephemeral range too
  }
  // A port handed out and now in use is not handed out again; every port handed out can be bound.
  const held: net.Server[] = [];
  const listen = (port: number) => new Promise<net.Server | null>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
  const taken = await listen(ports[0]);
  expect(taken).not.toBeNull();
  held.push(taken!);
  const again = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  expect(again).not.toContain(ports[0]);
  for (const p of again) {
    const s = await listen(p);
    expect(s).not.toBeNull();
    held.push(s!);
  }
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
});
