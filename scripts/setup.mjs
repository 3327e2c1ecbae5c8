// Makes a fresh clone runnable: installs dependencies when they are missing or stale, then builds.
// Runs before `npm start`, `npm test` and `npm run bench`, so each works on its own from a clean clone.
import { execSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || mtime(join(root, 'package-lock.json')) > mtime(installed)) {
  console.error('setup: installing dependencies (npm ci) ...');
  run('npm ci --no-audit --no-fund');
}

// better-sqlite3 is a native addon; when its prebuilt binary cannot be fetched it is compiled here.
const require = createRequire(join(root, 'package.json'));
try {
  const Database = require('better-sqlite3');
  new Database(':memory:').close();
} catch {
  console.error('setup: building better-sqlite3 for this Node.js ...');
  run('npm rebuild better-sqlite3');
}

console.error('setup: compiling TypeScript ...');
rmSync(join(root, 'dist'), { recursive: true, force: true });
run('npx tsc -p tsconfig.json');

// The browser tests drive Debian's Chromium (test/web/): install it when it is missing and this user may
// (root, with apt-get); CHROMIUM_PATH names another browser. Without it they skip, except under CI=true.
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium) && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.error('setup: installing Chromium for the browser tests (apt-get install chromium) ...');
  const apt = (args) =>
    execSync(`apt-get ${args}`, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    apt('install -y chromium');
  } catch {
    apt('update');
    apt('install -y chromium');
  }
}
