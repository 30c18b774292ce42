// The CLI's entry in the compiled build (`node dist/cli/bin.js`), as in the images; `npx assay` runs the sources.
import { run } from './main.js';

process.exitCode = await run(process.argv);
