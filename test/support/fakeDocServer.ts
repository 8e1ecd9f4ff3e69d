import * as Y from 'yjs'
import { decodeBase64, encodeBase64 } from '../../src/protocol/docFrames'
import { serverFrame, type FakeSocket } from '../unit/middleware/harness'

/**
 * A Yjs document playing the reference server's part for a FakeSocket: `serve(socket)`
 * answers what the client sent since the last call (step 1 → step 2 in parts + step 1; an
 * update or a client step 2 → applied and acked, or FORBIDDEN for a viewer).
 */
export function createFakeDocServer() {
  const server = new Y.Doc()
  const handled = new WeakMap<FakeSocket, number>()
  const assembling = new WeakMap<FakeSocket, Uint8Array[]>()
  /** The `parts` count of each update the client sent in parts. */
  const partsReceived: number[] = []
  return {
    doc: server,
    partsReceived,
    text: () => server.getText('content').toJSON(),
    serve(socket: FakeSocket, access: 'view' | 'edit' = 'edit', partBytes = Infinity): void {
      const frames = socket.frames()
      const from = handled.get(socket) ?? 0
      handled.set(socket, frames.length)
      for (const f of frames.slice(from)) {
        if (f.type !== 'doc_sync' && f.type !== 'doc_update') continue
        const data = f.data as { doc: string; step?: number; update: string }
        if (f.type === 'doc_sync' && data.step === 1) {
          const diff = Y.encodeStateAsUpdate(server, decodeBase64(data.update))
          const parts = Math.max(1, Math.ceil(diff.length / partBytes))
          for (let part = 0; part < parts; part++) {
            const slice = diff.subarray(part * partBytes, (part + 1) * partBytes)
            socket.deliver(
              serverFrame('doc_sync', {
                data: {
                  doc: data.doc,
                  step: 2,
                  update: encodeBase64(slice),
                  ...(parts > 1 ? { part, parts } : {}),
                  ...(part === 0 ? { access } : {}),
                },
              }),
            )
          }
          socket.deliver(
            serverFrame('doc_sync', {
              data: { doc: data.doc, step: 1, update: encodeBase64(Y.encodeStateVector(server)) },
            }),
          )
        } else if (access === 'view') {
          socket.deliver(
            serverFrame('error', {
              data: { code: 'FORBIDDEN', message: 'view only', refId: f.id, doc: data.doc },
            }),
          )
        } else {
          // A client's update in parts: byte slices, joined once the last came, acked once.
          const { part, parts } = f.data as { part?: number; parts?: number }
          const bytes = decodeBase64(data.update) as Uint8Array
          if (part !== undefined && parts !== undefined && parts > 1) {
            const chunks = part === 0 ? [] : (assembling.get(socket) ?? [])
            if (chunks.length !== part) throw new Error(`part ${part} out of order`)
            chunks.push(bytes)
            assembling.set(socket, chunks)
            if (chunks.length < parts) continue
            assembling.delete(socket)
            partsReceived.push(parts)
            Y.applyUpdate(server, concat(chunks))
          } else Y.applyUpdate(server, bytes)
          socket.deliver(serverFrame('ack', { data: { refId: f.id } }))
        }
      }
    },
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
