// `npx assay`: Assay from a terminal or a script, through the typed client (client/). Exit codes: cli/exit-codes.ts.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { APP_VERSION } from '../config/app-root.js';
import { analyze } from './commands/analyze.js';
import { ask } from './commands/ask.js';
import { login, logout } from './commands/login.js';
import { predict } from './commands/predict.js';
import { answerRun, cancelRun, listRuns, RUN_STATUSES, showStatus } from './commands/runs.js';
import { commandContext, type GlobalOptions } from './context.js';
import { CliError, EXIT, exitCodeFor, type ExitCode } from './exit-codes.js';

const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
  return n;
};
const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const TASKS = ['auto', 'classification', 'regression'];

/** What the command that ran asked to exit with (commander drops an action's return value). */
interface Outcome { code: ExitCode }

/** The `assay` program; each command's action records its exit code in `outcome`. */
export function program(outcome: Outcome = { code: EXIT.ok }): Command {
  const act = <A extends any[]>(fn: (...args: A) => Promise<ExitCode | void> | ExitCode | void) => async (...args: A) => { outcome.code = (await fn(...args)) ?? EXIT.ok; };
  const p = new Command('assay')
    .description('Assay from the command line: upload a table, run an analysis, answer its question, predict, ask.')
    .version(APP_VERSION)
    .option('--url <url>', 'the API (default: ASSAY_URL, the address of `assay login`, or http://localhost:8080)')
    .option('--token <token>', 'a bearer token (default: ASSAY_TOKEN, or the one `assay login` stored)')
    .option('--json', 'print JSON on stdout for scripts (progress still goes to stderr)')
    .showHelpAfterError()
    .addHelpText('after', `
Exit codes: 0 ok · 1 the run failed or was cancelled · 2 usage · 3 not logged in or refused (401/403) ·
4 not found · 5 API unreachable · 6 request refused (400/409/413/415/422/429) · 7 server error · 8 the run waits for an answer`);
  const g = () => p.opts<GlobalOptions>();

  p.command('login').description('log in and keep the token in ~/.config/assay/credentials.json (mode 600)')
    .option('--email <email>').option('--password <password>', 'or ASSAY_PASSWORD, or --password-stdin, or asked on the terminal')
    .option('--password-stdin', 'read the password from stdin')
    .action(act((o) => login(o, g())));
  p.command('logout').description('forget the stored token').action(act(() => logout()));

  p.command('analyze').description('upload FILE and start an analysis; --wait follows it and saves the report')
    .argument('<file>', 'CSV, TSV, JSON, NDJSON, Parquet or a workbook')
    .option('--target <column>', 'the column to predict (else the run asks, or --answer answers)')
    .addOption(new Option('--task <task>').choices(TASKS))
    .option('--metric <metric>', 'roc_auc, log_loss, accuracy, balanced_accuracy, f1_macro, r2, rmse, mae, mape')
    .option('--cv-folds <n>', 'cross-validation folds (2–10)', int(2, 10))
    .option('--seed <n>', 'random seed', int(0, 2 ** 31 - 1))
    .option('--time-budget <seconds>', 'time budget for training', int(1, 86_400))
    .option('--ignore <columns>', 'columns not to use as features (comma-separated)', list)
    .option('--skip-modeling', 'profile and report only')
    .option('--project <id>', 'project id').option('--sheet <name>', "a workbook's sheet")
    .option('--wait', 'follow the run with a progress bar until it ends, then save the report')
    .option('--answer <column>', 'with --wait: the target to give if the run asks for one')
    .option('--out <file>', 'with --wait: where to save the report (default assay-report-<run>.html)')
    .action(act((file, o) => analyze(file, o, commandContext(g()))));

  p.command('runs').description('your latest runs')
    .addOption(new Option('--status <status>').choices([...RUN_STATUSES])).option('--limit <n>', 'how many (1–100)', int(1, 100))
    .action(act((o) => listRuns(o, commandContext(g()))));
  p.command('status').description("a run's live status, question and last log lines").argument('<run>')
    .action(act((run) => showStatus(run, commandContext(g()))));
  p.command('answer').description("answer a run's clarification question").argument('<run>')
    .option('--target <column>').addOption(new Option('--task <task>').choices(TASKS)).option('--skip-modeling', 'no model: profile and report only')
    .option('--wait', 'follow the run to its end and save the report').option('--out <file>', 'with --wait: where to save the report')
    .action(act((run, o) => {
      if (!o.target && !o.skipModeling) throw new CliError('answer: give --target <column>, or --skip-modeling.', EXIT.usage);
      return answerRun(run, o, commandContext(g()));
    }));
  p.command('cancel').description('cancel a run').argument('<run>').action(act((run) => cancelRun(run, commandContext(g()))));
  p.command('predict').description("predict with a model for the rows in FILE (.csv, .json, .ndjson)").argument('<model>').argument('<file>')
    .option('--explain', 'add per-row SHAP contributions (in --json output)')
    .action(act((model, file, o) => predict(model, file, o, commandContext(g()))));
  p.command('ask').description('ask a question of a dataset in plain words').argument('<dataset>').argument('<question>')
    .action(act((dataset, question) => ask(dataset, question, commandContext(g()))));
  return p;
}

/** Runs the CLI on `argv` (as process.argv) and returns its exit code; errors are printed as one line on stderr. */
export async function run(argv: string[]): Promise<ExitCode> {
  const outcome: Outcome = { code: EXIT.ok };
  const p = program(outcome);
  for (const c of [p, ...p.commands]) c.exitOverride(); // usage errors come back here as exceptions, not process.exit
  try {
    await p.parseAsync(argv);
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return (err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    const json = p.opts<GlobalOptions>().json;
    const e = err as Error & { code?: string; details?: unknown; requestId?: string };
    const exit = exitCodeFor(err);
    if (json) process.stdout.write(JSON.stringify({ error: { message: e.message, code: e.code ?? null, exit_code: exit, ...(e.details ? { details: e.details } : {}) } }, null, 2) + '\n');
    process.stderr.write(`assay: ${e.message}${e.code && e.code !== 'UNEXPECTED_RESPONSE' ? ` (${e.code})` : ''}\n`);
    return exit;
  }
}
