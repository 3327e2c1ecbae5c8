/**
 * `reco types`: the store's declared event types and how each weighs (../../data/interactions.ts);
 * `reco types set NAME --weight W --value count|log|binary|centered [--center C]` declares one or changes
 * its rule. Trainings made after a change use it; the server keeps the rules of the bundle it serves.
 */
import type { Command } from 'commander';
import { type EventTypeRule, VALUE_RULES, type ValueRule } from '../../data/interactions.js';
import { idProblem } from '../../data/valid.js';
import { UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { parseNumber } from '../model-options.js';

interface SetOpts {
  weight?: string;
  value?: string;
  center?: string;
}

function describeRule(r: EventTypeRule): string {
  return `${r.value} x ${r.weight}${r.value === 'centered' ? `, centre ${r.center}` : ''}`;
}

export function register(program: Command): void {
  const types = program
    .command('types')
    .description('the declared event types and how their events weigh in training')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        const g = globals(cmd);
        const store = await openStore(g.db);
        try {
          const list = store.eventTypes();
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
            return;
          }
          const width = Math.max(4, ...list.map((t) => t.name.length));
          process.stdout.write(`${'type'.padEnd(width)}  rule\n`);
          for (const t of list)
            process.stdout.write(
              `${t.name.padEnd(width)}  ${describeRule(t.rule)}${t.given ? '' : ' (built in)'}\n`,
            );
        } finally {
          await store.close();
        }
      }),
    );
  types
    .command('set')
    .description('declare an event type, or change how its events weigh')
    .argument('<name>', 'event type name')
    .option('--weight <w>', 'the weight of one event (negative: the event counts against the item)')
    .option('--value <rule>', `how the event's value counts: ${VALUE_RULES.join(', ')}`)
    .option('--center <c>', 'the neutral value of a centered rule (e.g. 3 for 1-5 stars)')
    .action(
      action(async (name: string, opts: SetOpts, cmd: Command) => {
        const g = globals(cmd);
        const problem = idProblem(name);
        if (problem) throw new UsageError(`event type name ${problem}`);
        if (opts.value !== undefined && !(VALUE_RULES as readonly string[]).includes(opts.value))
          throw new UsageError(`--value must be one of ${VALUE_RULES.join(', ')}, got "${opts.value}"`);
        const store = await openStore(g.db);
        try {
          const current = store.eventTypes().find((t) => t.name === name)?.rule ?? {
            weight: 1,
            value: 'count',
          };
          const center = opts.center !== undefined ? parseNumber(opts.center, '--center') : current.center;
          const rule: EventTypeRule = {
            weight: opts.weight !== undefined ? parseNumber(opts.weight, '--weight') : current.weight,
            value: (opts.value as ValueRule | undefined) ?? current.value,
            ...(center !== undefined ? { center } : {}),
          };
          await store.declareEventType(name, rule);
          if (!g.quiet)
            process.stderr.write(`event type ${name}: ${describeRule(rule)} (used from the next training)\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
