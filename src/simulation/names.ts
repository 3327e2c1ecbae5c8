/**
 * Readable names for a demo: genre names (the familiar film genres, most common first) and item titles
 * put together from small word lists.
 */
import type { Rng } from '../core/random.js';

/** Genre names, roughly from most to least common, so a Zipf prevalence over this order looks natural. */
export const GENRE_NAMES = [
  'Drama',
  'Comedy',
  'Action',
  'Thriller',
  'Romance',
  'Adventure',
  "Children's",
  'Crime',
  'Sci-Fi',
  'Horror',
  'War',
  'Mystery',
  'Musical',
  'Documentary',
  'Animation',
  'Western',
  'Film-Noir',
  'Fantasy',
  'Biography',
  'Sport',
  'History',
  'Music',
  'Family',
  'Superhero',
  'Noir',
  'Satire',
  'Disaster',
  'Heist',
  'Road',
  'Spy',
  'Martial Arts',
  'Silent',
];

const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Midnight',
  'Lost',
  'Wild',
  'Frozen',
  'Electric',
  'Secret',
  'Distant',
  'Burning',
  'Quiet',
  'Restless',
  'Velvet',
  'Hollow',
  'Iron',
  'Paper',
  'Northern',
  'Endless',
  'Scarlet',
  'Lonely',
  'Savage',
  'Gentle',
  'Forgotten',
  'Shining',
  'Dark',
  'Little',
];
const NOUNS = [
  'Harbor',
  'Kingdom',
  'Road',
  'Garden',
  'River',
  'Empire',
  'Letter',
  'Mirror',
  'Summer',
  'Witness',
  'Island',
  'Station',
  'Horizon',
  'Promise',
  'Canyon',
  'Orchestra',
  'Detective',
  'Machine',
  'Voyage',
  'Storm',
  'Village',
  'Stranger',
  'Dream',
  'Signal',
  'Frontier',
  'Lighthouse',
  'Circus',
  'Heart',
  'Shadow',
  'City',
];
const PATTERNS = 4;

/** A title such as "The Silent Harbor (1996)" or "Midnight River II". */
export function makeTitle(rng: Rng, year: number): string {
  const a = ADJECTIVES[rng.int(ADJECTIVES.length)]!;
  const n = NOUNS[rng.int(NOUNS.length)]!;
  const n2 = NOUNS[rng.int(NOUNS.length)]!;
  let base: string;
  switch (rng.int(PATTERNS)) {
    case 0:
      base = `The ${a} ${n}`;
      break;
    case 1:
      base = `${a} ${n}`;
      break;
    case 2:
      base = `The ${n} and the ${n2}`;
      break;
    default:
      base = `${a} ${n}${rng.bernoulli(0.5) ? ' II' : ''}`;
  }
  return `${base} (${year})`;
}

export function genreNames(count: number): string[] {
  return GENRE_NAMES.slice(0, count);
}
