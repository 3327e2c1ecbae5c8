/**
 * Runs written as MLflow's file store (the `mlruns/` folder of its FileStore), byte for byte in format
 * as MLflow 2.x (or 1.x) writes it, so that `mlflow ui --backend-store-uri DIR` (MLflow 1 and 2) shows
 * them, and MLflow 3 reads them through `mlflow migrate-filestore` (docs/tracking.md).
 *
 *   <root>/0/meta.yaml                          the "Default" experiment, made with a new root
 *   <root>/<experiment id>/meta.yaml            experiment: artifact_location, creation_time,
 *                                               experiment_id, last_update_time, lifecycle_stage, name
 *   <root>/<experiment id>/<run id>/meta.yaml   run: artifact_uri, end_time, ..., status code, user_id
 *   .../<run id>/metrics/<key>                  one line per value: `<ms> <value> <step>` (value as
 *                                               Python's str of a float)
 *   .../<run id>/params/<key>, tags/<key>       the value, no trailing newline
 *   .../<run id>/artifacts/<path>               the run's artifacts
 *
 * A key with `/` becomes subfolders. A run already in the folder (the same id) is written again whole.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { RecoError } from '../errors.js';
import type { RunEntry, RunInfo, RunMetric, RunStatus } from '../store/store.js';
import { pythonFloat } from './python-float.js';
import { readYamlMapping, type YamlValue, yamlMapping } from './pyyaml.js';

/** MLflow's RunStatus codes in meta.yaml. */
export const RUN_STATUS_CODES: Record<RunStatus, number> = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 };
/** SourceType.LOCAL, the legacy field FileStore always writes. */
const SOURCE_TYPE_LOCAL = 4;

/** The meta.yaml layout of MLflow 1.x or 2.x (they differ in two keys of each file). */
export type MlflowFormat = 1 | 2;

export interface ExperimentMeta {
  id: string;
  name: string;
  artifactLocation: string;
  /** ms (MLflow 2 only). */
  creationTime: number;
  lastUpdateTime: number;
  lifecycleStage?: 'active' | 'deleted';
}

export function experimentMetaYaml(e: ExperimentMeta, format: MlflowFormat): string {
  const entries: [string, YamlValue][] = [
    ['artifact_location', e.artifactLocation],
    ['experiment_id', e.id],
    ['lifecycle_stage', e.lifecycleStage ?? 'active'],
    ['name', e.name],
  ];
  if (format === 2) entries.push(['creation_time', e.creationTime], ['last_update_time', e.lastUpdateTime]);
  return yamlMapping(entries);
}

/** A run as the file store holds it. */
export interface ExportRun extends Pick<RunInfo, 'id' | 'name' | 'status' | 'startTime' | 'endTime'> {
  experimentId: string;
  artifactUri: string;
  userId: string;
  lifecycleStage?: 'active' | 'deleted';
  params: RunEntry[];
  tags: RunEntry[];
  /** Every logged value, in logging order. */
  metrics: RunMetric[];
  artifacts: { path: string; content: Buffer }[];
}

export function runMetaYaml(r: ExportRun, format: MlflowFormat): string {
  const entries: [string, YamlValue][] = [
    ['artifact_uri', r.artifactUri],
    ['end_time', r.status === 'RUNNING' ? null : r.endTime],
    ['entry_point_name', ''],
    ['experiment_id', r.experimentId],
    ['lifecycle_stage', r.lifecycleStage ?? 'active'],
    ['run_id', r.id],
    ['run_uuid', r.id],
    ['source_name', ''],
    ['source_type', SOURCE_TYPE_LOCAL],
    ['source_version', ''],
    ['start_time', r.startTime],
    ['status', RUN_STATUS_CODES[r.status]],
    ['tags', []],
    ['user_id', r.userId],
  ];
  // MLflow 2 names the run in run_name; 1.x kept an unused legacy `name: ''` (the name is only a tag)
  entries.push(format === 2 ? ['run_name', r.name] : ['name', '']);
  return yamlMapping(entries);
}

/** A metric file: one `<timestamp> <value> <step>` line per logged value. */
export function metricFileText(values: readonly RunMetric[]): string {
  return values.map((m) => `${m.timestamp} ${pythonFloat(m.value)} ${m.step}\n`).join('');
}

/** A key as a relative file path (keys are checked by runKey: no empty, `.` or `..` segment). */
function keyPath(dir: string, key: string): string {
  const path = resolve(dir, ...key.split('/'));
  if (!path.startsWith(resolve(dir) + sep))
    throw new RecoError(`key "${key}" does not name a file in ${dir}`);
  return path;
}

function writeFileIn(dir: string, key: string, content: string | Buffer): void {
  const path = keyPath(dir, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** Writes one run into its experiment's folder (replacing the run's folder if it is there). */
export function writeRun(experimentDir: string, r: ExportRun, format: MlflowFormat): string {
  const dir = join(experimentDir, r.id);
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['metrics', 'params', 'tags', 'artifacts'])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'meta.yaml'), runMetaYaml(r, format));
  for (const p of r.params) writeFileIn(join(dir, 'params'), p.key, p.value);
  for (const t of r.tags) writeFileIn(join(dir, 'tags'), t.key, t.value);
  const byKey = new Map<string, RunMetric[]>();
  for (const m of r.metrics) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  for (const [key, values] of byKey) writeFileIn(join(dir, 'metrics'), key, metricFileText(values));
  for (const a of r.artifacts) writeFileIn(join(dir, 'artifacts'), a.path, a.content);
  return dir;
}

/** A local path as MLflow's file URI (pathlib's as_uri: every byte but `A-Za-z0-9_.-~/` percent-encoded). */
export function fileUri(path: string): string {
  const bytes = Buffer.from(resolve(path).split(sep).join('/'), 'utf8');
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~/]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `file://${out.startsWith('/') ? '' : '/'}${out}`;
}

/** The experiments in a root (active and in .trash/): id -> name. */
function experimentsIn(root: string): { id: string; name: string; deleted: boolean }[] {
  const out: { id: string; name: string; deleted: boolean }[] = [];
  for (const [dir, deleted] of [
    [root, false],
    [join(root, '.trash'), true],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const meta = join(dir, d.name, 'meta.yaml');
      if (!d.isDirectory() || !existsSync(meta)) continue;
      const fields = readYamlMapping(readFileSync(meta, 'utf8'));
      const name = fields.get('name');
      const stage = fields.get('lifecycle_stage');
      out.push({ id: d.name, name: String(name), deleted: deleted || stage === 'deleted' });
    }
  }
  return out;
}

/** A new experiment id: MLflow 2's random 18-digit integer, or 1.x's next integer. */
function newExperimentId(root: string, format: MlflowFormat): string {
  if (format === 2)
    return `${randomInt(1, 10)}${Array.from({ length: 17 }, () => randomInt(0, 10)).join('')}`;
  const ids = experimentsIn(root)
    .map((e) => Number(e.id))
    .filter(Number.isSafeInteger);
  return String(Math.max(0, ...ids) + 1);
}

/**
 * The experiment `name` in the file store at `root` (created, with the root and its Default experiment,
 * when missing); a deleted one of that name is an error, as in MLflow.
 */
export function ensureExperiment(
  root: string,
  name: string,
  format: MlflowFormat,
  now = Date.now(),
): ExperimentMeta {
  const fresh = !existsSync(root);
  mkdirSync(join(root, '.trash'), { recursive: true });
  const write = (e: ExperimentMeta) => {
    mkdirSync(join(root, e.id), { recursive: true });
    writeFileSync(join(root, e.id, 'meta.yaml'), experimentMetaYaml(e, format));
  };
  const location = (id: string) => `${fileUri(root)}/${id}`;
  if (fresh)
    write({
      id: '0',
      name: 'Default',
      artifactLocation: location('0'),
      creationTime: now,
      lastUpdateTime: now,
    });
  const found = experimentsIn(root).filter((e) => e.name === name);
  const active = found.find((e) => !e.deleted);
  if (active) {
    const fields = readYamlMapping(readFileSync(join(root, active.id, 'meta.yaml'), 'utf8'));
    const at = fields.get('artifact_location');
    return {
      id: active.id,
      name,
      artifactLocation: typeof at === 'string' ? at : location(active.id),
      creationTime: Number(fields.get('creation_time') ?? now),
      lastUpdateTime: Number(fields.get('last_update_time') ?? now),
    };
  }
  if (found.length > 0)
    throw new RecoError(
      `experiment "${name}" in ${root} is deleted (in .trash/): restore it with MLflow or pick another --experiment`,
    );
  const id = newExperimentId(root, format);
  const e: ExperimentMeta = {
    id,
    name,
    artifactLocation: location(id),
    creationTime: now,
    lastUpdateTime: now,
  };
  write(e);
  return e;
}

export interface ExportOptions {
  /** The mlruns folder. */
  root: string;
  /** The experiment the runs go to (created when missing). */
  experiment: string;
  format: MlflowFormat;
  /** The user id of runs without an `mlflow.user` tag. */
  defaultUser: string;
}

/** A stored run with its whole metric history, as the file store writes it into `experiment`. */
export function exportRun(
  run: Omit<ExportRun, 'experimentId' | 'artifactUri' | 'userId'>,
  experiment: ExperimentMeta,
  options: ExportOptions,
): string {
  const user = run.tags.find((t) => t.key === 'mlflow.user')?.value ?? options.defaultUser;
  return writeRun(
    join(options.root, experiment.id),
    {
      ...run,
      experimentId: experiment.id,
      artifactUri: `${experiment.artifactLocation}/${run.id}/artifacts`,
      userId: user,
    },
    options.format,
  );
}
