/**
 * The services (../compose.ts) as decorators of the app, the one way routes and plugins reach them, and
 * the retrainer (../retrain.ts) beside them.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ExperimentService } from '../../experiments/service.js';
import type { Services } from '../compose.js';
import { Retrainer, type Trainer } from '../retrain.js';
import type { AnswerCache } from '../services/answer-cache.js';
import type { EventIngestor } from '../services/event-ingestor.js';
import type { EventTypeService } from '../services/event-types.js';
import type { ExperimentServing } from '../services/experiment-serving.js';
import type { ItemService } from '../services/items.js';
import type { LogFollower } from '../services/log-follower.js';
import type { ModelHolder } from '../services/model-holder.js';
import type { RecommendService } from '../services/recommend.js';
import type { SimilarService } from '../services/similar.js';
import type { UserService } from '../services/users.js';

declare module 'fastify' {
  interface FastifyInstance {
    recommendations: RecommendService;
    similarItems: SimilarService;
    itemService: ItemService;
    userService: UserService;
    ingestor: EventIngestor;
    eventTypes: EventTypeService;
    models: ModelHolder;
    answerCache: AnswerCache;
    retrainer: Retrainer;
    experiments: ExperimentService;
    experimentServing: ExperimentServing;
    /** A replica's log follower (undefined on a single server). */
    logFollower: LogFollower | undefined;
  }
}

async function services(app: FastifyInstance, opts: { services: Services; trainer?: Trainer }) {
  const s = opts.services;
  app.decorate('recommendations', s.recommend);
  app.decorate('similarItems', s.similar);
  app.decorate('itemService', s.items);
  app.decorate('userService', s.users);
  app.decorate('ingestor', s.ingestor);
  app.decorate('eventTypes', s.eventTypes);
  app.decorate('models', s.models);
  app.decorate('answerCache', s.cache);
  app.decorate('experiments', s.experiments);
  app.decorate('experimentServing', s.experimentServing);
  app.decorate('logFollower', s.follower);
  app.decorate(
    'retrainer',
    new Retrainer(
      s.models,
      s.store.path,
      opts.trainer,
      (level, msg) => app.log[level](msg),
      s.store.feed ? { store: s.store, feed: s.store.feed } : undefined,
    ),
  );
}

export default fp(services, { name: 'reco-services', fastify: '5.x' });
