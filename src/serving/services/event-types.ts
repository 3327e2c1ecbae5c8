/**
 * The declared event types (../../data/interactions.ts rules, kept by the store): clients send events of
 * these types only; an admin declares a type or changes its rule. A changed rule weighs events from the
 * next training on (the bundle serving keeps the rules it was trained with).
 */
import { checkRule, type EventTypeRule, VALUE_RULES, type ValueRule } from '../../data/interactions.js';
import { idProblem } from '../../data/valid.js';
import { InvalidInputError, UsageError } from '../../errors.js';
import type { EventTypeDeclaration, Store } from '../../store/store.js';

export class EventTypeService {
  constructor(private readonly store: Store) {}

  list(): EventTypeDeclaration[] {
    return this.store.eventTypes();
  }

  /** Declares `name` with `rule` (or changes its rule); faults name the field. */
  async declare(
    name: string,
    rule: { weight: number; value: string; center?: number },
  ): Promise<EventTypeDeclaration> {
    const problem = idProblem(name);
    if (problem) throw new InvalidInputError('name', problem);
    if (!(VALUE_RULES as readonly string[]).includes(rule.value))
      throw new InvalidInputError('value', `must be one of ${VALUE_RULES.join(', ')}`);
    const wanted: EventTypeRule = {
      weight: rule.weight,
      value: rule.value as ValueRule,
      ...(rule.center !== undefined ? { center: rule.center } : {}),
    };
    try {
      checkRule(name, wanted);
    } catch (err) {
      if (err instanceof UsageError)
        throw new InvalidInputError(
          rule.value === 'centered' && rule.center === undefined ? 'center' : 'weight',
          err.message,
        );
      throw err;
    }
    try {
      await this.store.declareEventType(name, wanted);
    } catch (err) {
      throw new InvalidInputError('name', (err as Error).message);
    }
    return this.list().find((t) => t.name === name)!;
  }
}
