import {
  SAFETENSORS_HEADER_ALIGN,
  SAFETENSORS_MAX_HEADER_BYTES,
  SAFETENSORS_PREFIX_BYTES,
} from './constants';
import { byteLength, type DType, fromSafetensorsDType, isDType, toSafetensorsDType } from './dtype';
import { VirtualTensorError } from './errors';

export type { DType } from './dtype';

/** One tensor: dtype, shape and its raw little-endian bytes (usually a view into a larger buffer). */
export interface TensorEntry {
  dtype: DType;
  shape: number[];
  /** raw little-endian bytes; length = product(shape) × itemSize(dtype) */
  data: Uint8Array;
}

/** A parsed safetensors file. Tensor `data` are views into the input bytes (no copy). */
export interface SafetensorsFile {
  /** tensors in header order of their data offsets */
  tensors: Map<string, TensorEntry>;
  /** the optional `__metadata__` string map (empty when absent) */
  metadata: Record<string, string>;
}

/** Options for {@link parseSafetensors}. */
export interface ParseSafetensorsOptions {
  /** reject headers longer than this. bytes, default 100 MB */
  maxHeaderBytes?: number;
}

/** Layout of a safetensors header without the data section; see {@link parseSafetensorsHeaderJson}. */
export interface SafetensorsHeader {
  /** byte offset of the data section from the start of the file (8 + header length) */
  dataStart: number;
  tensors: Map<string, { dtype: DType; shape: number[]; begin: number; end: number }>;
  metadata: Record<string, string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8enc = new TextEncoder();

function headerError(msg: string, meta?: Record<string, unknown>): VirtualTensorError {
  return new VirtualTensorError('SAFETENSORS_HEADER_INVALID', msg, meta ? { meta } : {});
}

/**
 * Reads the u64 little-endian header length from the first 8 bytes of a
 * safetensors file.
 * @throws VirtualTensorError `SAFETENSORS_TRUNCATED` when fewer than 8 bytes are given,
 *   `SAFETENSORS_HEADER_TOO_LARGE` when the length exceeds `maxHeaderBytes`.
 */
export function readSafetensorsHeaderLength(
  prefix: Uint8Array,
  maxHeaderBytes: number = SAFETENSORS_MAX_HEADER_BYTES,
): number {
  if (prefix.length < SAFETENSORS_PREFIX_BYTES) {
    throw new VirtualTensorError('SAFETENSORS_TRUNCATED', 'File too short to be safetensors.', {
      details: `Got ${prefix.length} bytes; the header length prefix alone is 8 bytes.`,
    });
  }
  const dv = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 0x1_0000_0000 + lo;
  if (hi !== 0 || n > maxHeaderBytes) {
    throw new VirtualTensorError('SAFETENSORS_HEADER_TOO_LARGE', 'safetensors header is too large.', {
      details: `Declared header length ${hi !== 0 ? '≥ 4 GiB' : n} exceeds the limit of ${maxHeaderBytes} bytes.`,
      meta: { headerBytes: n, maxHeaderBytes },
    });
  }
  return n;
}

/**
 * Parses and validates the JSON header of a safetensors file given the header
 * bytes and the size of the data section. Validates dtypes, shapes against
 * byte lengths, offsets in range and non-overlapping.
 */
export function parseSafetensorsHeaderJson(
  headerBytes: Uint8Array,
  dataBytes: number,
): Omit<SafetensorsHeader, 'dataStart'> {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(headerBytes));
  } catch (cause) {
    throw new VirtualTensorError(
      'SAFETENSORS_HEADER_INVALID',
      'safetensors header is not valid UTF-8 JSON.',
      {
        cause,
      },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw headerError('safetensors header is not a JSON object.');
  }
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsHeader['tensors'] = new Map();
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw headerError('safetensors __metadata__ must be an object of strings.');
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw headerError(`safetensors __metadata__["${k}"] is not a string.`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null)
      throw headerError(`Tensor "${name}" entry is not an object.`);
    const { dtype: dtypeStr, shape, data_offsets: off } = raw as Record<string, unknown>;
    if (typeof dtypeStr !== 'string') throw headerError(`Tensor "${name}" has no dtype.`, { tensor: name });
    const dtype = fromSafetensorsDType(dtypeStr);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new VirtualTensorError('SHAPE_MISMATCH', `Tensor "${name}" has an invalid shape.`, {
        meta: { tensor: name },
      });
    }
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      off[0] > off[1]
    ) {
      throw new VirtualTensorError('SAFETENSORS_OFFSETS', `Tensor "${name}" has invalid data_offsets.`, {
        meta: { tensor: name },
      });
    }
    const [begin, end] = off as [number, number];
    if (end > dataBytes) {
      throw new VirtualTensorError('SAFETENSORS_OFFSETS', `Tensor "${name}" lies outside the file.`, {
        details: `data_offsets [${begin}, ${end}] but the data section has ${dataBytes} bytes.`,
        meta: { tensor: name, begin, end, dataBytes },
      });
    }
    const expected = byteLength(dtype, shape as number[]);
    if (expected !== end - begin) {
      throw new VirtualTensorError(
        'SHAPE_MISMATCH',
        `Tensor "${name}" byte length does not match its shape.`,
        {
          details: `${dtypeStr} [${(shape as number[]).join(', ')}] needs ${expected} bytes, data_offsets span ${end - begin}.`,
          meta: { tensor: name, expected, actual: end - begin },
        },
      );
    }
    tensors.set(name, { dtype, shape: [...(shape as number[])], begin, end });
  }
  const sorted = [...tensors.entries()].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let prevEnd = 0;
  let prevName = '';
  for (const [name, t] of sorted) {
    if (t.begin < prevEnd && t.end > t.begin) {
      throw new VirtualTensorError('SAFETENSORS_OFFSETS', `Tensors "${prevName}" and "${name}" overlap.`, {
        meta: { tensors: [prevName, name] },
      });
    }
    if (t.end > prevEnd) {
      prevEnd = t.end;
      prevName = name;
    }
  }
  return { tensors: new Map(sorted), metadata };
}

/**
 * Parses a safetensors file held in memory. Tensor data are views into
 * `bytes` (no copy); they may be unaligned — use {@link toFloat32} to obtain a
 * typed array.
 *
 * Validates: header length within the file and ≤ `maxHeaderBytes`, UTF-8 JSON,
 * known dtypes, shape × item size = byte length, offsets in range, no overlaps.
 * Holes between tensors are tolerated.
 * @throws VirtualTensorError with code `SAFETENSORS_TRUNCATED`, `SAFETENSORS_HEADER_TOO_LARGE`,
 *   `SAFETENSORS_HEADER_INVALID`, `SAFETENSORS_OFFSETS`, `UNKNOWN_DTYPE` or `SHAPE_MISMATCH`.
 */
export function parseSafetensors(bytes: Uint8Array, opts: ParseSafetensorsOptions = {}): SafetensorsFile {
  const n = readSafetensorsHeaderLength(bytes, opts.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES);
  const dataStart = SAFETENSORS_PREFIX_BYTES + n;
  if (dataStart > bytes.length) {
    throw new VirtualTensorError('SAFETENSORS_TRUNCATED', 'safetensors header extends beyond the file.', {
      details: `Header declares ${n} bytes but the file has ${bytes.length} bytes in total.`,
      meta: { headerBytes: n, fileBytes: bytes.length },
    });
  }
  const header = parseSafetensorsHeaderJson(bytes.subarray(8, dataStart), bytes.length - dataStart);
  const tensors = new Map<string, TensorEntry>();
  for (const [name, t] of header.tensors) {
    tensors.set(name, {
      dtype: t.dtype,
      shape: t.shape,
      data: bytes.subarray(dataStart + t.begin, dataStart + t.end),
    });
  }
  return { tensors, metadata: header.metadata };
}

/** Validates one entry for encoding and returns its byte length. */
function checkEntry(name: string, t: TensorEntry): number {
  if (!isDType(t.dtype)) {
    throw new VirtualTensorError('UNKNOWN_DTYPE', `Tensor "${name}" has unknown dtype "${String(t.dtype)}".`);
  }
  const expected = byteLength(t.dtype, t.shape);
  if (expected !== t.data.length) {
    throw new VirtualTensorError('SHAPE_MISMATCH', `Tensor "${name}" byte length does not match its shape.`, {
      details: `${t.dtype} [${t.shape.join(', ')}] needs ${expected} bytes, got ${t.data.length}.`,
      meta: { tensor: name, expected, actual: t.data.length },
    });
  }
  return expected;
}

/**
 * Builds the padded safetensors header (8-byte length prefix + JSON + spaces)
 * for tensors laid out contiguously in the given order.
 */
export function encodeSafetensorsHeader(
  entries: readonly (readonly [string, { dtype: DType; shape: number[]; byteLength: number }])[],
  metadata?: Record<string, string>,
): Uint8Array {
  const obj: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    const meta: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort()) setOwn(meta, k, metadata[k]!);
    obj['__metadata__'] = meta;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw headerError('"__metadata__" is reserved and cannot name a tensor.');
    setOwn(obj, name, {
      dtype: toSafetensorsDType(t.dtype),
      shape: t.shape,
      data_offsets: [offset, offset + t.byteLength],
    });
    offset += t.byteLength;
  }
  const json = utf8enc.encode(JSON.stringify(obj));
  const padded = Math.ceil(json.length / SAFETENSORS_HEADER_ALIGN) * SAFETENSORS_HEADER_ALIGN;
  const out = new Uint8Array(SAFETENSORS_PREFIX_BYTES + padded).fill(0x20, SAFETENSORS_PREFIX_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded % 0x1_0000_0000, true);
  dv.setUint32(4, Math.floor(padded / 0x1_0000_0000), true);
  out.set(json, SAFETENSORS_PREFIX_BYTES);
  return out;
}

/** Normalises the tensor argument of {@link encodeSafetensors} to entries sorted by name. */
export function sortedTensorEntries(
  tensors: Iterable<readonly [string, TensorEntry]> | Record<string, TensorEntry>,
): [string, TensorEntry][] {
  const list: [string, TensorEntry][] =
    Symbol.iterator in tensors
      ? [...(tensors as Iterable<readonly [string, TensorEntry]>)].map(([k, v]) => [k, v])
      : Object.entries(tensors as Record<string, TensorEntry>);
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < list.length; i++) {
    if (list[i]![0] === list[i - 1]![0]) throw headerError(`Duplicate tensor name "${list[i]![0]}".`);
  }
  return list;
}

/**
 * Encodes tensors as a safetensors file. Output is deterministic: tensors are
 * sorted by name and stored contiguously in that order, `__metadata__` keys
 * are sorted, and the header is space-padded so data start 8-byte aligned.
 * @throws VirtualTensorError `SHAPE_MISMATCH`/`UNKNOWN_DTYPE` for inconsistent entries.
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorEntry]> | Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const list = sortedTensorEntries(tensors);
  const layout = list.map(
    ([name, t]) => [name, { dtype: t.dtype, shape: t.shape, byteLength: checkEntry(name, t) }] as const,
  );
  const header = encodeSafetensorsHeader(layout, metadata);
  const total = layout.reduce((s, [, t]) => s + t.byteLength, header.length);
  const out = new Uint8Array(total);
  out.set(header, 0);
  let pos = header.length;
  for (const [, t] of list) {
    out.set(t.data, pos);
    pos += t.data.length;
  }
  return out;
}

/** Defines an own property even for keys like "__proto__", which plain assignment would treat as the prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
