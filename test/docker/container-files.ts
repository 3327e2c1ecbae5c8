/**
 * Checks of the container files that need no Docker engine: the Dockerfile through dockerfile-utils' linter
 * (the one VS Code's Docker extension runs) plus the project's own rules, and a compose file against the
 * Compose Specification's JSON schema plus the references between its parts that the schema cannot see.
 * Each check answers a list of problems, each naming the line or the path at fault; an empty list is clean.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** A base image reference pinned to a release: a digest, or a tag with a full x.y.z version. */
const PINNED = /(@sha256:[0-9a-f]{64}$)|(:[^:@/]*\d+\.\d+\.\d+[^:@/]*$)/;

/** The Dockerfile's problems: the linter's diagnostics (errors and warnings) and the project's rules. */
export function dockerfileProblems(text: string): string[] {
  const problems = validate(text).map(
    (d) => `line ${d.range.start.line + 1}: ${d.message} (dockerfile-utils ${String(d.code)})`,
  );
  const file = DockerfileParser.parse(text);
  const froms = file.getFROMs();
  const stageNames = new Set(froms.map((f) => f.getBuildStage()).filter((s): s is string => !!s));
  if (froms.length < 2) problems.push('not a multi-stage build (one FROM)');
  for (const from of froms) {
    const image = from.getImageName() === undefined ? '' : (from.getImage() ?? '');
    const line = from.getRange().start.line + 1;
    if (stageNames.has(image)) continue; // FROM an earlier stage
    if (!PINNED.test(image))
      problems.push(`line ${line}: base image "${image}" is not pinned to a version or digest`);
  }
  const last = froms.at(-1);
  if (!last) return problems;
  const finalStart = last.getRange().start.line;
  const finalStage = file.getInstructions().filter((i) => i.getRange().start.line >= finalStart);
  const users = finalStage.filter((i) => i.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.trim().split(':')[0];
  if (!user) problems.push('the final stage sets no USER (it would run as root)');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);
  const health = finalStage.filter((i) => i.getKeyword() === 'HEALTHCHECK');
  if (health.length === 0 || /^\s*NONE\b/i.test(health.at(-1)?.getArgumentsContent() ?? ''))
    problems.push('the final stage has no HEALTHCHECK');
  return problems;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ownKeys = (v: Json | undefined): string[] => (isObj(v) ? Object.keys(v) : []);
/** Names in a list (`[a, b]`) or a map (`{a: {...}}`) form, as Compose allows for networks and depends_on. */
const namesIn = (v: Json | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : ownKeys(v);
/** A long-syntax entry's `source`, or a short-syntax string's part before the first colon. */
const sourceOf = (v: Json): string | undefined =>
  typeof v === 'string' ? v.split(':')[0] : isObj(v) && typeof v.source === 'string' ? v.source : undefined;

/**
 * References inside a compose file that its schema does not check: services named by depends_on, links,
 * `service:` network modes and extends; networks, named volumes, configs and secrets a service uses but
 * the file does not declare; profiles of a service that depends on one outside all its profiles.
 */
export function composeReferenceProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  const serviceNames = new Set(Object.keys(services));
  const declared = (section: string) => new Set(ownKeys(doc[section]));
  const networks = declared('networks');
  const volumes = declared('volumes');
  const configs = declared('configs');
  const secrets = declared('secrets');
  for (const [name, spec] of Object.entries(services)) {
    if (!isObj(spec)) continue;
    const at = `services.${name}`;
    const needService = (other: string, path: string) => {
      if (!serviceNames.has(other)) problems.push(`${at}.${path}: no service "${other}"`);
    };
    for (const dep of namesIn(spec.depends_on)) needService(dep, `depends_on`);
    for (const link of namesIn(spec.links)) needService(link.split(':')[0] ?? link, 'links');
    for (const mode of ['network_mode', 'pid', 'ipc'] as const) {
      const value = spec[mode];
      if (typeof value === 'string' && value.startsWith('service:')) needService(value.slice(8), mode);
    }
    if (isObj(spec.extends) && typeof spec.extends.service === 'string' && spec.extends.file === undefined)
      needService(spec.extends.service, 'extends');
    for (const net of namesIn(spec.networks))
      if (net !== 'default' && !networks.has(net))
        problems.push(`${at}.networks: network "${net}" is not declared`);
    for (const vol of Array.isArray(spec.volumes) ? spec.volumes : []) {
      const source = sourceOf(vol);
      const bind = isObj(vol) ? vol.type === 'bind' || vol.type === 'tmpfs' : false;
      // a named volume: neither a path (./x, /x, ~/x) nor a variable nor a bind/tmpfs entry
      if (source && !bind && !/^[./~$]/.test(source) && !volumes.has(source))
        problems.push(`${at}.volumes: volume "${source}" is not declared`);
    }
    for (const [kind, known] of [
      ['configs', configs],
      ['secrets', secrets],
    ] as const)
      for (const entry of Array.isArray(spec[kind]) ? (spec[kind] as Json[]) : []) {
        const source = typeof entry === 'string' ? entry : isObj(entry) ? entry.source : undefined;
        if (typeof source === 'string' && !known.has(source))
          problems.push(`${at}.${kind}: ${kind.slice(0, -1)} "${source}" is not declared`);
      }
    const profiles = namesIn(spec.profiles);
    for (const dep of namesIn(spec.depends_on)) {
      const other = services[dep];
      const theirs = isObj(other) ? namesIn(other.profiles) : [];
      // a dependency limited to profiles this service is not in is missing when this one starts
      if (theirs.length > 0 && (profiles.length === 0 || profiles.some((p) => !theirs.includes(p))))
        problems.push(`${at}.depends_on: "${dep}" is only in profiles ${theirs.join(', ')}`);
    }
  }
  return problems;
}
