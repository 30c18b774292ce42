import type { ReportSettings } from '../analysis/report/settings.js';
import { compareActivity, recordCompareFailureActivity } from './compare.js';
import type { ActivityDeps } from './deps.js';
import { finalizeActivity } from './finalize.js';
import { ingestActivity } from './ingest.js';
import { assemblePredictionsActivity, recordPredictJobEndActivity, scorePredictionsActivity } from './predict-job.js';
import { pipelineActivity, recordPipelineFailureActivity } from './pipeline.js';
import { profileActivity } from './profile.js';
import { qaActivity } from './qa.js';
import { readDatasetActivity, recordDatasetFailureActivity } from './read-dataset.js';
import { recordRunStateActivity } from './record-state.js';
import { reportActivity } from './report.js';
import { trainActivity } from './train.js';

export type { ActivityDeps } from './deps.js';

/**
 * Builds the activity implementations around their dependencies (samples-typescript's DI pattern).
 * @example new Worker({ activities: createActivities(deps), ... })
 */
export function createActivities(deps: ActivityDeps, report: ReportSettings) {
  return {
    ingest: ingestActivity(deps),
    profile: profileActivity(deps),
    train: trainActivity(deps),
    report: reportActivity(deps, report),
    qa: qaActivity(deps),
    finalize: finalizeActivity(deps),
    recordRunState: recordRunStateActivity(deps),
    readDataset: readDatasetActivity(deps),
    recordDatasetFailure: recordDatasetFailureActivity(deps),
    compare: compareActivity(deps, report),
    recordCompareFailure: recordCompareFailureActivity(deps),
    scorePredictions: scorePredictionsActivity(deps),
    assemblePredictions: assemblePredictionsActivity(deps),
    recordPredictJobEnd: recordPredictJobEndActivity(deps),
    runPipeline: pipelineActivity(deps),
    recordPipelineFailure: recordPipelineFailureActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
