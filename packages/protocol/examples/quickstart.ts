import { createIdentity, decodeMessage, encodeMessage, float32ToFloat16, tensor } from '@ailo/protocol';
import { connectPeer, createPeerServer } from '@ailo/protocol/node';

// 1. The codec: one envelope per frame, tensors as extension type 1.
const frame = encodeMessage({
  v: 1,
  t: 'infer.forward',
  id: 1,
  body: {
    session: 's1',
    step: 0,
    position: 0,
    input: tensor('i32', [1, 3], new Int32Array([464, 3290, 318])),
  },
});
const { body } = decodeMessage(frame);
console.log(`frame of ${frame.length} bytes carries`, body.input);

// 2. A server and a client on loopback: handshake, then request/response.
const server = await createPeerServer({
  port: 0,
  host: '127.0.0.1',
  serverId: 'example-coordinator',
  onPeer: (peer) => {
    peer.handle('infer.forward', ({ session, step, input }) => {
      const hidden = new Float32Array(input.data.length).fill(0.5);
      return { session, step, output: tensor('f16', [...input.shape], float32ToFloat16(hidden)) };
    });
  },
});
const client = await connectPeer(server.url, { identity: createIdentity(), roles: ['client'] });
const result = await client.request(
  'infer.forward',
  { session: 's1', step: 0, position: 0, input: tensor('i32', [1, 2], new Int32Array([1, 2])) },
  { timeoutMs: 2000 },
);
console.log(
  `${client.welcome?.serverId} answered a ${result.output.dtype} tensor of shape`,
  result.output.shape,
);

try {
  await client.request('model.manifest', { model: 'nope' });
} catch (error) {
  console.log('typed error:', (error as { code: string }).code); // unsupported: no handler registered
}

await client.close();
await server.close();
