/**
 * A compact binary form of a World: "RECOWLD1", a uint32 header length, a JSON header (version, params,
 * genre names, and for each typed array its name, type, byte offset and length), then the arrays' raw
 * bytes (little-endian, each 8-byte aligned). Stored in the store's meta table under "world".
 */
import { RecoError } from '../errors.js';
import { DEFAULT_PARAMS, type WorldParams } from './params.js';
import type { World } from './world.js';

const MAGIC = 'RECOWLD1';
const VERSION = 1;

type ArrayName =
  | 'genreFactors'
  | 'userFactors'
  | 'userDrift'
  | 'userDriftGenre'
  | 'userGenreTaste'
  | 'userActivity'
  | 'userJoin'
  | 'userLeave'
  | 'itemFactors'
  | 'itemQuality'
  | 'itemLogPopularity'
  | 'itemRelease'
  | 'itemGenres'
  | 'ratingThresholds';

const ARRAYS: Record<ArrayName, 'f32' | 'f64' | 'i32' | 'i16' | 'u32'> = {
  genreFactors: 'f32',
  userFactors: 'f32',
  userDrift: 'f32',
  userDriftGenre: 'i16',
  userGenreTaste: 'f32',
  userActivity: 'i32',
  userJoin: 'f64',
  userLeave: 'f64',
  itemFactors: 'f32',
  itemQuality: 'f32',
  itemLogPopularity: 'f32',
  itemRelease: 'f64',
  itemGenres: 'u32',
  ratingThresholds: 'f64',
};

const CTOR = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  i16: Int16Array,
  u32: Uint32Array,
} as const;

interface Header {
  version: number;
  params: WorldParams;
  genreNames: string[];
  arrays: { name: ArrayName; type: keyof typeof CTOR; offset: number; length: number }[];
}

const align8 = (n: number) => (n + 7) & ~7;

export function serializeWorld(world: World): Buffer {
  const names = Object.keys(ARRAYS) as ArrayName[];
  let offset = 0;
  const arrays = names.map((name) => {
    const a = world[name];
    const entry = { name, type: ARRAYS[name], offset, length: a.length };
    offset = align8(offset + a.byteLength);
    return entry;
  });
  const header: Header = { version: VERSION, params: world.params, genreNames: world.genreNames, arrays };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(MAGIC.length + 4 + json.length);
  const out = Buffer.alloc(dataStart + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  for (const e of arrays) {
    const a = world[e.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, dataStart + e.offset);
  }
  return out;
}

export function deserializeWorld(buf: Buffer): World {
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw new RecoError('the stored world is not in the expected format (bad magic)');
  const hlen = buf.readUInt32LE(MAGIC.length);
  const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + hlen)) as Header;
  if (header.version !== VERSION)
    throw new RecoError(`the stored world has format version ${header.version}; this reco reads ${VERSION}`);
  const dataStart = align8(MAGIC.length + 4 + hlen);
  // parameters added since the world was saved take their defaults
  const world: Partial<World> = {
    params: { ...DEFAULT_PARAMS, ...header.params },
    genreNames: header.genreNames,
  };
  for (const e of header.arrays) {
    const C = CTOR[e.type];
    const bytes = e.length * C.BYTES_PER_ELEMENT;
    const start = dataStart + e.offset;
    if (start + bytes > buf.length) throw new RecoError(`the stored world is truncated (array ${e.name})`);
    // Copy into a fresh, aligned buffer (the blob's own offset may not be aligned).
    const copy = new ArrayBuffer(bytes);
    new Uint8Array(copy).set(buf.subarray(start, start + bytes));
    (world as Record<string, unknown>)[e.name] = new C(copy);
  }
  for (const name of Object.keys(ARRAYS))
    if (!(name in world)) throw new RecoError(`the stored world lacks array ${name}`);
  return world as World;
}
