import { Value } from '@sinclair/typebox/value';
import { byteLength, type DType, numElements } from './dtype';
import { VirtualTensorError } from './errors';
import { buildLayerIndex } from './layerIndex';
import { type Manifest, ManifestSchema } from './manifestSchema';

function invalid(msg: string, details?: string): VirtualTensorError {
  return new VirtualTensorError('MANIFEST_INVALID', msg, details ? { details } : {});
}

/**
 * Validates a manifest against its JSON Schema and checks cross-references:
 * chunk ids are 0…N-1, every segment lies inside its chunk, segments of a
 * tensor sum to its byte length, no two tensors overlap, chunk bytes sum to
 * `totalBytes`, and the layer index matches the tensor table.
 * @returns the same object, typed
 * @throws VirtualTensorError `MANIFEST_INVALID`
 */
export function validateManifest(value: unknown): Manifest {
  if (!Value.Check(ManifestSchema, value)) {
    const first = Value.Errors(ManifestSchema, value).First();
    throw invalid(
      'Manifest does not match its schema.',
      first ? `${first.path || '/'}: ${first.message}` : undefined,
    );
  }
  const m = value;
  m.chunks.forEach((c, i) => {
    if (c.id !== i) throw invalid(`Chunk ${i} has id ${c.id}; ids must be 0…N-1 in order.`);
  });
  if (new Set(m.chunks.map((c) => c.file)).size !== m.chunks.length)
    throw invalid('Two chunks share a file name.');
  const total = m.chunks.reduce((s, c) => s + c.bytes, 0);
  if (total !== m.totalBytes) throw invalid(`totalBytes is ${m.totalBytes} but chunks sum to ${total}.`);
  const names = new Set<string>();
  const used: [chunk: number, start: number, end: number, name: string][] = [];
  let params = 0;
  for (const t of m.tensors) {
    if (names.has(t.name)) throw invalid(`Duplicate tensor "${t.name}".`);
    names.add(t.name);
    if ((t.group === 'layer') !== (t.layer !== undefined)) {
      throw invalid(`Tensor "${t.name}": "layer" must be set exactly when group is "layer".`);
    }
    if (t.layer !== undefined && t.layer >= m.model.numLayers) {
      throw invalid(`Tensor "${t.name}" is in layer ${t.layer} but the model has ${m.model.numLayers}.`);
    }
    let len: number;
    try {
      len = byteLength(t.dtype as DType, t.shape);
    } catch (cause) {
      throw new VirtualTensorError('MANIFEST_INVALID', `Tensor "${t.name}" has an invalid shape.`, { cause });
    }
    params += numElements(t.shape);
    let sum = 0;
    for (const s of t.segments) {
      const c = m.chunks[s.chunk];
      if (!c || s.offset + s.length > c.bytes)
        throw invalid(`Tensor "${t.name}" has a segment outside chunk ${s.chunk}.`);
      sum += s.length;
      if (s.length > 0) used.push([s.chunk, s.offset, s.offset + s.length, t.name]);
    }
    if (sum !== len) throw invalid(`Tensor "${t.name}" segments hold ${sum} bytes, its shape needs ${len}.`);
  }
  if (params !== m.params) throw invalid(`params is ${m.params} but the tensors hold ${params} elements.`);
  used.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < used.length; i++) {
    const [pc, , pe, pn] = used[i - 1]!;
    const [c, s, , n] = used[i]!;
    if (c === pc && s < pe) throw invalid(`Tensors "${pn}" and "${n}" overlap in chunk ${c}.`);
  }
  // the stored index has one entry per layer: compare counts before building anything O(numLayers)
  if (m.index.layers.length !== m.model.numLayers) {
    throw invalid(
      `The layer index has ${m.index.layers.length} layers but the model declares ${m.model.numLayers}.`,
    );
  }
  const expected = buildLayerIndex(m.tensors, m.model);
  if (JSON.stringify(expected) !== JSON.stringify(m.index)) {
    throw invalid('The layer index does not match the tensor table.');
  }
  return m;
}

/**
 * Parses manifest JSON text (or an already-parsed value) and validates it.
 * @throws VirtualTensorError `MANIFEST_INVALID`
 */
export function parseManifest(json: string | Uint8Array | unknown): Manifest {
  let value = json;
  if (typeof json === 'string' || json instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
    } catch (cause) {
      throw new VirtualTensorError('MANIFEST_INVALID', 'Manifest is not valid JSON.', { cause });
    }
  }
  return validateManifest(value);
}
