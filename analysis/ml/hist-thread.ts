// A helper thread for one tree-growing thread: builds its share of each histogram on request. It blocks on a
// shared control word between requests (no event loop turn), so a request costs a futex wake, not a message.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { buildHistogram } from './hist-kernel.js';
import { C, State, type Session } from './hist-helper.js';

const ctl = workerData.ctl as Int32Array;
const port = workerData.port as MessagePort;
let s: Session | null = null;
let hists: Float64Array[] = [];

Atomics.store(ctl, C.ready, 1);
for (;;) {
  const state = Atomics.load(ctl, C.state);
  if (state === State.exit) break;
  if (state !== State.begin && state !== State.work) {
    // A timeout keeps the loop responsive to terminate() even if a wake is missed.
    Atomics.wait(ctl, C.state, state, 1000);
    continue;
  }
  if (state === State.begin) {
    const got = receiveMessageOnPort(port);
    if (got) {
      s = got.message as Session;
      hists = Array.from({ length: s.capacity }, (_, i) => new Float64Array(s!.slab, i * s!.histSize * 8, s!.histSize));
    }
  } else if (s) {
    const large = ctl[C.large];
    buildHistogram(hists[ctl[C.small]], large >= 0 ? hists[large] : null, s.rm, s.F, s.feats.subarray(0, ctl[C.nFeats]), ctl[C.jLo], ctl[C.jHi],
      s.rows, ctl[C.start], ctl[C.m], s.grad, s.hess);
  }
  Atomics.store(ctl, C.state, State.done);
  Atomics.notify(ctl, C.state);
}
