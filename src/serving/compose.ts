/**
 * The composition root of serving: creates the services over a store and a models directory, each with
 * one job (./services/), and wires them (`reco serve`, `reco start` and the tests build a server from it;
 * ./app.ts exposes them to the routes). The strategy chain's order is set here.
 */
import { ExperimentService } from '../experiments/service.js';
import type { Store } from '../store/store.js';
import { AnswerCache } from './services/answer-cache.js';
import { Catalogue } from './services/catalogue.js';
import { EventIngestor } from './services/event-ingestor.js';
import { EventTypeService } from './services/event-types.js';
import { ExperimentServing } from './services/experiment-serving.js';
import { ExposureLog } from './services/exposure-log.js';
import { ItemService } from './services/items.js';
import { LiveInteractions } from './services/live-interactions.js';
import { LivePopularity } from './services/live-popularity.js';
import { LogFollower } from './services/log-follower.js';
import { ModelHolder } from './services/model-holder.js';
import { NewItemsIndex } from './services/new-items.js';
import { RankThreads } from './services/rank-threads.js';
import { RecommendService } from './services/recommend.js';
import { SimilarService } from './services/similar.js';
import { OnboardingGenresStrategy } from './services/strategies/onboarding-genres.js';
import { LivePopularityStrategy, NoHistoryStrategy } from './services/strategies/popularity.js';
import { RankedFallbackStrategy } from './services/strategies/ranked-fallback.js';
import { RankedModelStrategy, RankedOnThreadsStrategy } from './services/strategies/ranked-model.js';
import { SingleModelStrategy } from './services/strategies/single-model.js';
import type { Strategy } from './services/strategies/strategy.js';
import { UserService } from './services/users.js';

export interface ServingOptions {
  modelsDir: string;
  /** Answers kept in the answer cache (0 turns caching off). Default 50,000. */
  cacheSize?: number;
  /** Create unknown items named by events instead of answering 404. Default false. */
  autoCreateItems?: boolean;
  /** Recent items kept per user. Default 10. */
  recentItems?: number;
  /** Candidates of the ranked fallback. Default 300. */
  candidates?: number;
  /** Worker threads that compute ranked answers (./rank-pool.ts); 0 computes them on the main thread. Default 0. */
  rankThreads?: number;
  /** Where a failed write of the exposure log is reported (default: nowhere). */
  onExposureError?: (err: unknown) => void;
  /** Whether a replica swaps in the bundles published by trainings elsewhere. Default true. */
  followBundles?: boolean;
  /** Where a replica's log follower reports faults (default: stderr). */
  onFollowerWarning?: (message: string) => void;
  /** Items of a ranked answer explained (explain=true); the rest come without reasons. Default EXPLAIN_CAP (100). */
  explainCap?: number;
}

export interface Services {
  store: Store;
  catalogue: Catalogue;
  interactions: LiveInteractions;
  popularity: LivePopularity;
  models: ModelHolder;
  rankThreads: RankThreads;
  newItems: NewItemsIndex;
  cache: AnswerCache;
  ingestor: EventIngestor;
  eventTypes: EventTypeService;
  users: UserService;
  items: ItemService;
  recommend: RecommendService;
  similar: SimilarService;
  /** Online experiments (the in-process API), and recommendations served by their variants. */
  experiments: ExperimentService;
  experimentServing: ExperimentServing;
  /**
   * A replica's log follower, over a store shared by several processes (PostgreSQL): started once the
   * bundle is swapped in (`start`); undefined on a single server.
   */
  follower: LogFollower | undefined;
  /** Writes the queued exposures and stops the rank threads. */
  close(): Promise<void>;
}

export async function createServices(store: Store, options: ServingOptions): Promise<Services> {
  const catalogue = await Catalogue.open(store);
  // a replica builds its state up to a position of the log, and follows it from there
  const start = store.feed ? await store.eventPosition() : undefined;
  const interactions = await LiveInteractions.open(store, options.recentItems ?? 10, start);
  const popularity = new LivePopularity(interactions, catalogue);
  const rankThreads = new RankThreads(options.modelsDir, options.rankThreads ?? 0);
  const models = new ModelHolder(store, options.modelsDir, interactions, popularity, rankThreads);
  const newItems = new NewItemsIndex(catalogue);
  const cache = new AnswerCache(options.cacheSize ?? 50_000);
  const core = { store, catalogue, interactions, popularity, models, rankThreads, newItems, cache };
  const autoCreate = options.autoCreateItems ?? false;
  const ingestor = new EventIngestor(
    store,
    catalogue,
    interactions,
    popularity,
    models,
    rankThreads,
    autoCreate,
  );
  // the first strategy that serves a request answers it
  const chain: Strategy[] = [
    new OnboardingGenresStrategy(catalogue, interactions, newItems),
    new NoHistoryStrategy(catalogue, popularity),
    new LivePopularityStrategy(catalogue, popularity),
    new SingleModelStrategy(catalogue, interactions, newItems),
    new RankedOnThreadsStrategy(catalogue, rankThreads, options.explainCap),
    new RankedModelStrategy(catalogue, options.explainCap),
    new RankedFallbackStrategy(catalogue, interactions, popularity, options.candidates ?? 300),
  ];
  const recommend = new RecommendService(store, models, catalogue, interactions, popularity, cache, chain);
  models.onSwap((slot, rowsRebuilt) => {
    if (rowsRebuilt) cache.clear();
    cache.rewarm(
      () => models.slot === slot,
      (req) => recommend.recommendAsync(req),
    );
  });
  const experiments = await ExperimentService.open(store, {
    bundleProblem: (version) => ExperimentServing.bundleProblem(options.modelsDir, version),
  });
  const exposureLog = new ExposureLog(store, options.onExposureError);
  const experimentServing = new ExperimentServing(experiments, recommend, models, exposureLog);
  const items = new ItemService(store, catalogue, interactions, popularity, newItems, cache);
  const follower =
    store.feed && start !== undefined
      ? new LogFollower(
          store,
          store.feed,
          models,
          ingestor,
          {
            itemsChanged: () => items.reload(),
            usersChanged: (ids) => interactions.refreshPreferences(ids),
            bundlePublished: async (version) => {
              if (options.followBundles !== false && models.slot?.version !== version)
                await models.swapAsync(version);
            },
            experimentsChanged: () => experiments.refresh(),
            warn: options.onFollowerWarning ?? ((m) => process.stderr.write(`reco: ${m}\n`)),
          },
          start,
        )
      : undefined;
  return {
    ...core,
    ingestor,
    eventTypes: new EventTypeService(store),
    users: new UserService(store, catalogue, interactions, ingestor),
    items,
    recommend,
    similar: new SimilarService(store, models, catalogue, cache, newItems),
    experiments,
    experimentServing,
    follower,
    close: async () => {
      await follower?.close();
      await experimentServing.close();
      await models.close();
    },
  };
}
