/**
 * The contract every model keeps, whatever its algorithm (after the `implicit` library's shared model
 * tests, tests/recommender_base_test.py): each name of modelNames(), so that a model added to the registry
 * is covered without a change here, fitted on a small simulated world and checked on fit (determinism),
 * recommend, scoreAll, similarItems, the kinds of profile, save/load and its parameters. Each model is fitted
 * once per parameter set and the fit is shared by its checks.
 *
 * Where a model documents an answer beyond the interface (an empty profile's fallback, onboarding genres,
 * stage-1 candidates, scoreAll's own order), DOCUMENTED says so, quoting its header; a model not listed
 * there is held to the interface alone.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createModel, loadModel, modelNames } from '../../src/models/factory.js';
import type {
  FitData,
  Recommender,
  RecommendOptions,
  SavedModel,
  UserProfile,
} from '../../src/recommenders/recommender.js';
import { simulatedFitData } from '../helpers/world.js';

type ModelName = ReturnType<typeof modelNames>[number];
type TopN = ReturnType<Recommender['recommend']>;
type Params = Record<string, unknown>;

/** 120 users, 150 items (more than ranked's 100 hybrid candidates), ~2,600 interactions, 6 genres. */
const DATA: FitData = simulatedFitData({ users: 120, items: 150, events: 5000, dim: 8, genres: 6, seed: 5 });
const N_ITEMS = DATA.interactions.cols;
const N_USERS = DATA.interactions.rows;

/** A parameter set a model is checked with; `once`: fitted once (why), no refit for determinism. */
interface Config {
  params: Params;
  once?: string;
}

/** Each model's defaults, but where those are slow or skip a path worth checking. */
const CONFIGS: Partial<Record<ModelName, Config[]>> = {
  ranked: [
    {
      params: {},
      once: 'the defaults train for seconds: fitted once, determinism checked with few trees below',
    },
    // few trees over sources without the hybrid, early exit on, scoreAll keeping recommend's candidates
    // on top (its other path, by the catalogue model, is the defaults')
    {
      params: {
        sources: { ease: 30, itemknn: 20, popularity: 10 },
        numIterations: 10,
        exitTrees: 4,
        exitKeep: 10,
        scoreAllBelowCandidates: true,
      },
    },
  ],
};

/** What a model's header documents beyond the interface of ../../src/recommenders/recommender.ts. */
interface Documented {
  /** An empty profile's scores (the interface: "popularity for the hybrid, zeros elsewhere"). */
  empty?: 'zeros' | 'popularity';
  /** Onboarding genres (the interface: "Used by content and hybrid"). */
  genres?: 'used' | 'ignored';
  /** Scores come from the profile's items alone: the profile's `user` changes nothing. */
  itemsAlone?: boolean;
  /** recommend ranks stage-1 candidates only: it may return fewer than n items while more are unseen. */
  candidatesOnly?: boolean;
  /** Under these parameters scoreAll orders the items its own way, not as recommend does. */
  scoreAllOwnOrder?: (params: Params) => boolean;
}

const DOCUMENTED: Partial<Record<ModelName, Documented>> = {
  // "the same list for everyone (the profile only removes seen items)"
  popularity: { empty: 'popularity', genres: 'ignored', itemsAlone: true },
  // "a user's score for j sums w_i s_ij over his items i"
  itemknn: { empty: 'zeros', genres: 'ignored', itemsAlone: true },
  // known users by their trained factors, the others folded in: "an empty profile scores zeros"
  als: { empty: 'zeros', genres: 'ignored' },
  // "a user's scores are x_u B"
  ease: { empty: 'zeros', genres: 'ignored', itemsAlone: true },
  // "the profile is built from items and genres alone; an empty profile scores zeros"
  content: { empty: 'zeros', genres: 'used', itemsAlone: true },
  // "an empty profile (no items, no genres): the popularity list"
  hybrid: { empty: 'popularity', genres: 'used' },
  // "Serving: candidates from the refitted sources"; scoreAll by default by the catalogue model, "its
  // order of the candidates may differ from recommend()'s"; with scoreAllBelowCandidates "the candidates
  // keep recommend()'s scores and the others are placed below the lowest of them"
  ranked: { candidatesOnly: true, scoreAllOwnOrder: (p) => p['scoreAllBelowCandidates'] !== true },
};

// --- profiles -------------------------------------------------------------------------------------------

interface NamedProfile {
  label: string;
  profile: UserProfile;
}

const X = DATA.interactions;
const rowItems = (u: number) => X.indices.subarray(X.indptr[u]!, X.indptr[u + 1]!);
const rowWeights = (u: number) => X.values.subarray(X.indptr[u]!, X.indptr[u + 1]!);

/** Three users with at least 5 items and the one with the most. */
function sampleUsers(): number[] {
  const users: number[] = [];
  let most = 0;
  for (let u = 0; u < N_USERS; u++) {
    if (rowItems(u).length >= 5 && users.length < 3) users.push(u);
    if (rowItems(u).length > rowItems(most).length) most = u;
  }
  if (!users.includes(most)) users.push(most);
  return users;
}

/** The genre most items carry. */
function commonGenre(): string {
  const counts = new Map<string, number>();
  for (const item of DATA.items) for (const g of item.genres ?? []) counts.set(g, (counts.get(g) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

const USERS = sampleUsers();
const GENRE = commonGenre();
const EMPTY: UserProfile = { items: new Int32Array(0), weights: new Float32Array(0) };
const GENRES_ONLY: UserProfile = { ...EMPTY, genres: [GENRE] };
const known = (u: number): UserProfile => ({ user: u, items: rowItems(u), weights: rowWeights(u) });
const cold = (u: number): UserProfile => ({ items: rowItems(u), weights: rowWeights(u) });

/** Every kind of profile: known users, their items alone, an empty profile, onboarding genres. */
const PROFILES: NamedProfile[] = [
  ...USERS.map((u) => ({ label: `user ${u}`, profile: known(u) })),
  ...USERS.map((u) => ({ label: `user ${u}'s items without user`, profile: cold(u) })),
  { label: 'empty profile', profile: EMPTY },
  { label: `genres only [${GENRE}]`, profile: GENRES_ONLY },
  {
    label: `user ${USERS[0]}'s items and genres [${GENRE}]`,
    profile: { ...cold(USERS[0]!), genres: [GENRE] },
  },
];

/**
 * A finding (reported, not fixed): ranked's recommend with `allowed` draws its candidates among the allowed
 * items, so their features (source ranks, per-user statistics of the candidates) and scores are not those
 * scoreAll gives the same items; its header does not say so.
 */
const TODO_ALLOWED =
  'ranked: recommend with `allowed` scores other candidates than scoreAll (features differ); undocumented';

/** One item in three. */
const ALLOWED = Uint8Array.from({ length: N_ITEMS }, (_, i) => (i % 3 === 0 ? 1 : 0));

// --- checks ---------------------------------------------------------------------------------------------

/** a and b hold the same numbers bit for bit. */
function assertSameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] is ${a[i]}, expected ${b[i]}`);
}

function assertSameTopN(a: TopN, b: TopN, what: string): void {
  assertSameBits(a.items, b.items, `${what} items`);
  assertSameBits(a.scores, b.scores, `${what} scores`);
}

/**
 * A well-formed list: at most n items, distinct, in range, finite scores best first, no seen item unless
 * excludeSeen is false, allowed items only.
 */
function assertWellFormed(
  top: TopN,
  profile: UserProfile,
  n: number,
  options: RecommendOptions,
  what: string,
) {
  assert.equal(top.items.length, top.scores.length, `${what}: items and scores of one length`);
  assert.ok(top.items.length <= Math.max(0, n), `${what}: ${top.items.length} items for n = ${n}`);
  const seen = new Set(profile.items);
  const listed = new Set<number>();
  for (let r = 0; r < top.items.length; r++) {
    const i = top.items[r]!;
    assert.ok(Number.isInteger(i) && i >= 0 && i < N_ITEMS, `${what}: item ${i} out of range`);
    assert.ok(!listed.has(i), `${what}: item ${i} twice`);
    listed.add(i);
    assert.ok(Number.isFinite(top.scores[r]), `${what}: score ${top.scores[r]} of item ${i}`);
    if (r > 0)
      assert.ok(top.scores[r - 1]! >= top.scores[r]!, `${what}: scores rise at rank ${r} (${top.scores})`);
    if (options.excludeSeen !== false) assert.ok(!seen.has(i), `${what}: seen item ${i} recommended`);
    if (options.allowed) assert.ok(options.allowed[i] !== 0, `${what}: item ${i} is not allowed`);
  }
}

/** The items recommend may return for these options. */
function eligible(profile: UserProfile, options: RecommendOptions): (i: number) => boolean {
  const seen = new Set(options.excludeSeen === false ? [] : profile.items);
  return (i) => !seen.has(i) && options.allowed?.[i] !== 0;
}

/**
 * recommend's list is the top of `scores` over the eligible items: each item with its scoreAll score, and
 * no eligible item outside the list above its last one (ties either way); `exhaustive`: as many items as
 * n and the eligible items allow.
 */
function assertTopOf(
  top: TopN,
  scores: Float32Array,
  ok: (i: number) => boolean,
  n: number,
  exhaustive: boolean,
  what: string,
): void {
  const listed = new Set(top.items);
  for (let r = 0; r < top.items.length; r++)
    assert.equal(top.scores[r], scores[top.items[r]!], `${what}: rank ${r} (item ${top.items[r]}) score`);
  const last = top.scores.length > 0 ? top.scores[top.scores.length - 1]! : Number.POSITIVE_INFINITY;
  let others = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!ok(i) || listed.has(i) || Number.isNaN(scores[i])) continue;
    others++;
    assert.ok(scores[i]! <= last, `${what}: item ${i} scores ${scores[i]} above the list's last ${last}`);
  }
  if (exhaustive && top.items.length < n) assert.equal(others, 0, `${what}: ${others} items left out`);
}

/** The recommend calls every check makes of a profile. */
const ASKS: { label: string; n: number; options: RecommendOptions }[] = [
  { label: 'n = 10', n: 10, options: {} },
  { label: 'n = 1', n: 1, options: {} },
  { label: 'n = 0', n: 0, options: {} },
  { label: 'n > catalogue', n: N_ITEMS + 5, options: {} },
  { label: 'excludeSeen false', n: 10, options: { excludeSeen: false } },
  { label: 'excludeSeen false, n > catalogue', n: N_ITEMS + 5, options: { excludeSeen: false } },
  { label: 'allowed', n: 10, options: { allowed: ALLOWED } },
  { label: 'allowed, n > catalogue', n: N_ITEMS + 5, options: { allowed: ALLOWED } },
  { label: 'nothing allowed', n: 10, options: { allowed: new Uint8Array(N_ITEMS) } },
];

/** Every answer of a model that save/load and determinism compare. */
function answers(
  model: Recommender,
  profiles: readonly NamedProfile[],
): { what: string; values: ArrayLike<number> }[] {
  const out: { what: string; values: ArrayLike<number> }[] = [];
  for (const { label, profile } of profiles) {
    for (const ask of ASKS) {
      const top = model.recommend(profile, ask.n, ask.options);
      out.push({ what: `${label}, ${ask.label}: items`, values: top.items });
      out.push({ what: `${label}, ${ask.label}: scores`, values: top.scores });
    }
    out.push({ what: `${label}: scoreAll`, values: model.scoreAll(profile) });
  }
  if (model.similarItems)
    for (const item of [0, N_ITEMS - 1]) {
      const top = model.similarItems(item, 10);
      out.push({ what: `similarItems(${item}): items`, values: top.items });
      out.push({ what: `similarItems(${item}): scores`, values: top.scores });
    }
  return out;
}

function assertSameAnswers(model: Recommender, reference: Recommender, profiles: readonly NamedProfile[]) {
  const expected = answers(reference, profiles);
  // the other model asked in reverse order: no answer may depend on what was asked before
  const got = answers(model, [...profiles].reverse());
  const byWhat = new Map(got.map((a) => [a.what, a.values]));
  for (const { what, values } of expected) assertSameBits(byWhat.get(what)!, values, what);
}

/** The error a bad parameter raises: a UsageError whose message names it. */
function usageErrorNaming(param: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof Error, String(e));
    assert.equal(e.name, 'UsageError', e.message);
    assert.match(e.message, new RegExp(`'${param}'`), e.message);
    return true;
  };
}

/** A value of another type than the parameter's own (read from a saved model's params). */
function wrongTyped(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return 'abc';
    case 'boolean':
      return 'maybe';
    case 'string':
      return 42;
    default:
      return 'abc'; // objects and arrays
  }
}

async function fitted(name: ModelName, params: Params): Promise<Recommender> {
  const model = createModel(name, params);
  await model.fit(DATA);
  return model;
}

// --- the suite ------------------------------------------------------------------------------------------

for (const name of modelNames()) {
  for (const { params, once } of CONFIGS[name] ?? [{ params: {} }]) {
    const doc = DOCUMENTED[name] ?? {};
    const title =
      Object.keys(params).length === 0 ? `${name} (defaults)` : `${name} ${JSON.stringify(params)}`;
    describe(`contract: ${title}`, () => {
      let model: Recommender;
      before(async () => {
        model = await fitted(name, params);
      });

      it('fits; fitted again with the same seed, gives identical answers', {
        skip: once ?? false,
      }, async () => {
        assertSameAnswers(await fitted(name, params), model, PROFILES);
      });

      it('recommend: at most n distinct items in range, finite scores best first, seen and barred items left out', () => {
        for (const { label, profile } of PROFILES)
          for (const ask of ASKS) {
            const top = model.recommend(profile, ask.n, ask.options);
            assertWellFormed(top, profile, ask.n, ask.options, `${label}, ${ask.label}`);
            if (ask.n === 0 || ask.options.allowed?.every((a) => a === 0))
              assert.equal(top.items.length, 0, `${label}, ${ask.label}: empty`);
            else assert.ok(top.items.length > 0, `${label}, ${ask.label}: nothing recommended`);
          }
      });

      it('recommend with excludeSeen false may return the profile items', () => {
        let seenReturned = 0;
        for (const u of USERS) {
          const profile = known(u);
          const top = model.recommend(profile, N_ITEMS, { excludeSeen: false });
          seenReturned += top.items.filter((i) => profile.items.includes(i)).length;
        }
        assert.ok(seenReturned > 0, 'no seen item returned with excludeSeen false');
      });

      it('scoreAll: one finite score per item; an out buffer of that length is filled and returned, another left alone', () => {
        for (const { label, profile } of PROFILES) {
          const scores = model.scoreAll(profile);
          assert.ok(scores instanceof Float32Array, `${label}: a Float32Array`);
          assert.equal(scores.length, N_ITEMS, `${label}: length`);
          for (let i = 0; i < N_ITEMS; i++)
            assert.ok(Number.isFinite(scores[i]), `${label}: item ${i} scores ${scores[i]}`);
          const out = new Float32Array(N_ITEMS).fill(7);
          assert.equal(model.scoreAll(profile, out), out, `${label}: the out buffer returned`);
          assertSameBits(out, scores, `${label}: scoreAll into out`);
          const short = new Float32Array(N_ITEMS - 1).fill(7);
          const fresh = model.scoreAll(profile, short);
          assert.notEqual(fresh, short, `${label}: an out buffer of another length is not returned`);
          assertSameBits(fresh, scores, `${label}: scoreAll beside a short out`);
          assert.ok(
            short.every((v) => v === 7),
            `${label}: a short out buffer written to`,
          );
        }
      });

      it('answers do not change with later calls, nor change the profile', () => {
        const snapshot = PROFILES.map(({ profile }) => ({
          items: profile.items.slice(),
          weights: profile.weights.slice(),
          genres: profile.genres?.slice(),
          user: profile.user,
        }));
        const first = PROFILES[0]!.profile;
        const scores = model.scoreAll(first);
        const top = model.recommend(first, 10);
        const kept = { scores: scores.slice(), items: top.items.slice(), topScores: top.scores.slice() };
        for (const { profile } of PROFILES.slice(1)) {
          model.scoreAll(profile);
          model.recommend(profile, 10, { allowed: ALLOWED });
        }
        assertSameBits(scores, kept.scores, 'an earlier scoreAll result');
        assertSameBits(top.items, kept.items, 'an earlier recommend result (items)');
        assertSameBits(top.scores, kept.topScores, 'an earlier recommend result (scores)');
        PROFILES.forEach(({ label, profile }, k) => {
          assert.deepEqual(
            { items: profile.items, weights: profile.weights, genres: profile.genres, user: profile.user },
            snapshot[k],
            `${label} changed`,
          );
        });
      });

      /** recommend's answers to `asks` are the top of scoreAll over the items each may return. */
      const assertAgreement = (asks: typeof ASKS) => {
        for (const { label, profile } of PROFILES) {
          const scores = model.scoreAll(profile);
          for (const ask of asks) {
            const top = model.recommend(profile, ask.n, ask.options);
            const ok = eligible(profile, ask.options);
            assertTopOf(top, scores, ok, ask.n, !doc.candidatesOnly, `${label}, ${ask.label}`);
          }
        }
      };
      const ownOrder = doc.scoreAllOwnOrder?.(params)
        ? `${name} documents that scoreAll orders the items its own way`
        : false;
      const plain = ASKS.filter((a) => a.options.excludeSeen === undefined && !a.options.allowed);
      const seenToo = ASKS.filter((a) => a.options.excludeSeen === false);
      const allowed = ASKS.filter((a) => a.options.allowed);

      it(
        "scoreAll agrees with recommend: recommend's items are the top of scoreAll over the unseen items",
        { skip: ownOrder },
        () => assertAgreement(plain),
      );

      it(
        'scoreAll agrees with recommend with excludeSeen false: the top of scoreAll over every item',
        {
          // scoreAll scores "every item not proposed by stage 1", the seen ones too, below the candidates
          skip: ownOrder || (doc.candidatesOnly ? `${name} ranks seen items only when asked to` : false),
        },
        () => assertAgreement(seenToo),
      );

      it(
        'scoreAll agrees with recommend given allowed items: the top of scoreAll over the allowed unseen ones',
        {
          skip: ownOrder,
          todo: doc.candidatesOnly ? TODO_ALLOWED : undefined,
        },
        () => assertAgreement(allowed),
      );

      it('profiles: a user index the model was not fitted on is served from the items, as without user', () => {
        for (const u of USERS) {
          const stranger: UserProfile = { ...cold(u), user: N_USERS + 7 };
          assertSameBits(
            model.scoreAll(stranger),
            model.scoreAll(cold(u)),
            `user ${N_USERS + 7} with ${u}'s items`,
          );
          assertSameTopN(
            model.recommend(stranger, 10),
            model.recommend(cold(u), 10),
            `user ${N_USERS + 7}'s recommend`,
          );
        }
      });

      it('profiles: a known user and his items alone', {
        skip: doc.itemsAlone ? false : `${name} may score a known user by what it learned of him`,
      }, () => {
        for (const u of USERS) assertSameBits(model.scoreAll(known(u)), model.scoreAll(cold(u)), `user ${u}`);
      });

      it(`profiles: an empty profile gets the documented fallback (${doc.empty ?? 'none documented'})`, async () => {
        const scores = model.scoreAll(EMPTY);
        if (doc.empty === 'zeros')
          assert.ok(
            scores.every((s) => s === 0),
            'an empty profile scores zeros',
          );
        if (doc.empty === 'popularity') {
          const popularity = await fitted('popularity', {});
          assertSameBits(scores, popularity.scoreAll(EMPTY), 'scoreAll');
          assertSameTopN(model.recommend(EMPTY, 10), popularity.recommend(EMPTY, 10), 'recommend');
        }
      });

      it(`profiles: onboarding genres only (${doc.genres ?? 'not documented'})`, () => {
        const top = model.recommend(GENRES_ONLY, 10);
        assertWellFormed(top, GENRES_ONLY, 10, {}, 'genres only');
        if (doc.genres === 'ignored')
          assertSameBits(model.scoreAll(GENRES_ONLY), model.scoreAll(EMPTY), 'genres change the scores');
        if (doc.genres === 'used') {
          assert.ok(top.items.length > 0, 'nothing recommended');
          const first = DATA.items[top.items[0]!]!;
          assert.ok(
            first.genres?.includes(GENRE),
            `the first item ${top.items[0]} has genres ${first.genres}`,
          );
        }
      });

      it('similarItems: the item itself left out, at most n distinct items, finite scores best first', {
        skip: createModel(name, params).similarItems ? false : `${name} has no similarItems`,
      }, () => {
        for (const item of [0, 1, N_ITEMS >> 1, N_ITEMS - 1])
          for (const n of [0, 1, 10, N_ITEMS + 5]) {
            const top = model.similarItems!(item, n);
            assertWellFormed(
              top,
              { items: Int32Array.of(item), weights: Float32Array.of(1) },
              n,
              {},
              `item ${item}, n = ${n}`,
            );
          }
      });

      it('save/load: the loaded model (also through JSON meta and copied arrays) answers bit for bit as the fitted one', () => {
        const saved = model.save();
        assertSameAnswers(loadModel(name, saved), model, PROFILES);
        const copied: SavedModel = {
          meta: JSON.parse(JSON.stringify(saved.meta)),
          arrays: Object.fromEntries(Object.entries(saved.arrays).map(([k, a]) => [k, a.slice()])),
        };
        assertSameAnswers(loadModel(name, copied), model, PROFILES);
      });

      it('an unfitted model: save, recommend and scoreAll throw a clear error', () => {
        const fresh = createModel(name, params);
        const notFitted = (e: unknown) => {
          assert.ok(
            e instanceof Error && /not fitted/.test(e.message) && e.message.includes(name),
            String(e),
          );
          return true;
        };
        assert.throws(() => fresh.save(), notFitted);
        assert.throws(() => fresh.recommend(PROFILES[0]!.profile, 10), notFitted);
        assert.throws(() => fresh.scoreAll(PROFILES[0]!.profile), notFitted);
      });

      it('parameters: an unknown name and a wrong-typed value of each declared one are refused, naming it', () => {
        assert.throws(
          () => createModel(name, { ...params, noSuchParameter: 1 }),
          usageErrorNaming('noSuchParameter'),
        );
        // the declared parameters and their types: the fitted model's (a saved model keeps every one)
        const declared = model.save().meta.params;
        for (const [key, value] of Object.entries(declared)) {
          const wrong = wrongTyped(value);
          assert.throws(
            () => createModel(name, { ...params, [key]: wrong }),
            usageErrorNaming(key),
            `${key} = ${JSON.stringify(wrong)} accepted`,
          );
        }
      });
    });
  }
}
