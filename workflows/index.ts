// The worker bundles this file: every workflow type the task queues serve.
export { analysisJob } from './analysis-job.js';
export { datasetIngest } from './dataset-ingest.js';
export { compareDatasets } from './compare-datasets.js';
export { predictJob } from './predict-job.js';
export { pipelineRun } from './pipeline-run.js';
