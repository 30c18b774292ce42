// Second half of `npm run build` (after tsc): copies the files the compiled code reads beside it, and bundles
// the workflows once so workers in the image start without webpack.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SCALAR_BUNDLE_DIST, SCALAR_BUNDLE_SOURCE } from '../api/docs-assets.js';
import { WORKFLOWS_PATH } from '../worker/create-workers.js';
import { buildWeb, WEB_OUT } from './build-web.js';

const DIST = path.resolve('dist');
for (const file of ['api/web/docs.html', 'analysis/ml/thread-boot.mjs']) {
  fs.mkdirSync(path.dirname(path.join(DIST, file)), { recursive: true });
  fs.copyFileSync(file, path.join(DIST, file));
}
// /docs serves Scalar's bundle from beside the compiled API: the image installs no dev dependencies.
fs.copyFileSync(SCALAR_BUNDLE_SOURCE, path.join(DIST, SCALAR_BUNDLE_DIST));
await buildWeb({ force: true });
console.log(`web app built into ${path.relative(process.cwd(), WEB_OUT)}`);
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
fs.writeFileSync(path.join(DIST, 'workflow-bundle.js'), code);
console.log(`dist/ ready: workflow bundle ${(code.length / 1024).toFixed(0)} KB`);
