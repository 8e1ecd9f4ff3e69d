import { describe, expect, it, vi } from 'vitest'
import { connectAs, roundTrip, startServer } from './harness'

// As if yjs were not installed: importing it fails the way a missing package does.
vi.mock('yjs', () => {
  throw Object.assign(new Error("Cannot find package 'yjs'"), { code: 'ERR_MODULE_NOT_FOUND' })
})

describe('collaborative documents without yjs on the server', () => {
  it('answers a doc frame with SERVER_ERROR saying what to install, and keeps serving', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const open = alice.sendFrame('doc_sync', { data: { doc: 'd', step: 1, update: 'AA==' } })
    const error = await alice.nextOfType('error', (f) => f.data.refId === open.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', doc: 'd' })
    expect(error.data.message).toContain('needs yjs and y-protocols installed on the server')
    await roundTrip(alice)
  })
})
