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

/** A service's own healthcheck entry, when it has one that is not disabled. */
const healthcheckOf = (spec: Obj): Obj | undefined =>
  isObj(spec.healthcheck) && spec.healthcheck.disable !== true ? spec.healthcheck : undefined;

/**
 * `condition: service_healthy` on a service that has no health check: compose waits for ever. A service
 * built here has the Dockerfile's HEALTHCHECK unless compose disables it; an outside image must say its own.
 */
export function healthDependencyProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  for (const [name, spec] of Object.entries(services)) {
    if (!isObj(spec) || !isObj(spec.depends_on)) continue;
    for (const [dep, how] of Object.entries(spec.depends_on)) {
      const other = Object.hasOwn(services, dep) ? services[dep] : undefined;
      if (!isObj(how) || how.condition !== 'service_healthy' || !isObj(other)) continue;
      const disabled = isObj(other.healthcheck) && other.healthcheck.disable === true;
      if (disabled || (!healthcheckOf(other) && other.build === undefined))
        problems.push(`services.${name}.depends_on: "${dep}" is awaited healthy but has no health check`);
    }
  }
  return problems;
}

/**
 * The services a `docker compose up` starts with these profiles active: those in no profile and those in
 * one of them (the Compose Specification's rule), sorted.
 */
export function servicesStarted(doc: Obj, active: readonly string[]): string[] {
  const services = isObj(doc.services) ? doc.services : {};
  return Object.entries(services)
    .filter(([, spec]) => {
      const profiles = isObj(spec) ? namesIn(spec.profiles) : [];
      return profiles.length === 0 || profiles.some((p) => active.includes(p));
    })
    .map(([name]) => name)
    .sort();
}

/** The variables of a `.env` file (KEY=VALUE lines; blank lines and # comments skipped; quotes kept). */
export function dotenv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && !line.trim().startsWith('#')) vars.set(m[1], m[2] ?? '');
  }
  return vars;
}

/**
 * Bind mounts whose source is not a file or folder of the repository: a relative source that `exists`
 * (given the path relative to the compose file) denies, or a host path outside the repository.
 */
export function bindSourceProblems(doc: Obj, exists: (relative: string) => boolean): string[] {
  const problems: string[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  for (const [name, spec] of Object.entries(services)) {
    if (!isObj(spec)) continue;
    for (const vol of Array.isArray(spec.volumes) ? spec.volumes : []) {
      const source = sourceOf(vol);
      if (!source || (isObj(vol) && vol.type !== 'bind') || !/^[./~$]/.test(source)) continue;
      if (!source.startsWith('./') && !source.startsWith('../'))
        problems.push(`services.${name}.volumes: "${source}" is a host path outside the repository`);
      else if (!exists(source)) problems.push(`services.${name}.volumes: "${source}" does not exist`);
    }
  }
  return problems;
}

/** A reverse_proxy upstream of a Caddyfile: the dial address, split, with its line. */
export interface Upstream {
  host: string;
  port: number;
  line: number;
}

/**
 * The upstreams and active health check paths of a Caddyfile's reverse_proxy directives (upstreams on the
 * directive's line or in `to` lines of its block). A token that is neither a matcher nor host:port is a
 * problem: compose names every replica by service and port.
 */
export function caddyProxies(text: string): {
  upstreams: Upstream[];
  healthUris: string[];
  problems: string[];
} {
  const upstreams: Upstream[] = [];
  const healthUris: string[] = [];
  const problems: string[] = [];
  let depth = 0;
  let proxyDepth = -1; // the depth inside a reverse_proxy block, -1 outside one
  text.split('\n').forEach((raw, i) => {
    const tokens = raw
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const [word, ...args] = tokens;
    const inProxy = proxyDepth >= 0 && depth === proxyDepth;
    if (word === 'reverse_proxy' || (inProxy && word === 'to')) {
      for (const token of args) {
        if (token === '{' || /^[@/*]/.test(token)) continue;
        const m = /^(?:https?:\/\/)?([A-Za-z0-9._-]+):(\d+)$/.exec(token);
        if (m?.[1] && m[2]) upstreams.push({ host: m[1], port: Number(m[2]), line: i + 1 });
        else problems.push(`line ${i + 1}: upstream "${token}" is not host:port`);
      }
    }
    if (inProxy && word === 'health_uri' && args[0]) healthUris.push(args[0]);
    for (const token of tokens) {
      if (token === '{') {
        depth++;
        if (word === 'reverse_proxy' && proxyDepth < 0) proxyDepth = depth;
      } else if (token === '}') {
        if (depth === proxyDepth) proxyDepth = -1;
        depth--;
      }
    }
  });
  if (upstreams.length === 0) problems.push('no reverse_proxy upstream');
  return { upstreams, healthUris, problems };
}

/** The container ports a service listens on as compose knows them: `expose` and the targets of `ports`. */
function containerPorts(spec: Obj): number[] {
  const exposed = Array.isArray(spec.expose) ? spec.expose.map((p) => Number(String(p).split('/')[0])) : [];
  const published = (Array.isArray(spec.ports) ? spec.ports : []).map((p) =>
    isObj(p) ? Number(p.target) : Number(String(p).split('/')[0]?.split(':').at(-1)),
  );
  return exposed.concat(published).filter((n) => Number.isInteger(n));
}

/**
 * A load balancer's Caddyfile against the compose file: each upstream is a service started with the load
 * balancer (a profile in common) listening on that port, every `serve` replica started with it is an
 * upstream, and the active health check asks `healthPath`.
 */
export function loadBalancerProblems(caddyfile: string, doc: Obj, lb: string, healthPath: string): string[] {
  const { upstreams, healthUris, problems } = caddyProxies(caddyfile);
  const services = isObj(doc.services) ? doc.services : {};
  const lbSpec = services[lb];
  if (!isObj(lbSpec)) return problems.concat(`no service "${lb}"`);
  const profiles = namesIn(lbSpec.profiles);
  const together = new Set(servicesStarted(doc, profiles));
  for (const { host, port, line } of upstreams) {
    const spec = Object.hasOwn(services, host) ? services[host] : undefined;
    if (!isObj(spec) || !together.has(host))
      problems.push(`line ${line}: upstream "${host}" is no service started with ${lb}`);
    else if (!containerPorts(spec).includes(port))
      problems.push(`line ${line}: service "${host}" does not expose port ${port}`);
  }
  for (const name of together) {
    const spec = services[name];
    const command = isObj(spec) && Array.isArray(spec.command) ? spec.command[0] : undefined;
    if (command === 'serve' && !upstreams.some((u) => u.host === name))
      problems.push(`replica "${name}" is not an upstream`);
  }
  if (!healthUris.includes(healthPath)) problems.push(`no active health check on ${healthPath}`);
  return problems;
}
