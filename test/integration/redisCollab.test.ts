import { afterEach, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createCollabPeer, type CollabPeer } from '../support/collabPeer'
import { startServerProcess, type ServerProcess } from '../support/redisProcess'
import { useRedisServer } from '../support/redisServer'
import { seededRandom } from '../support/tcpProxy'

/**
 * Collaborative editing across real server processes (forked, each with its own Redis
 * connections) on one Redis, through the collab plugin: concurrent edits, and a process killed
 * mid-edit whose peers go on through the next URL of their list.
 */

const DOC = 'plan'
const redisServer = useRedisServer()
const processes: ServerProcess[] = []
const peers: CollabPeer[] = []

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.dispose()
  await Promise.all(processes.splice(0).map((p) => p.kill()))
})

async function startProcess(prefix: string): Promise<ServerProcess> {
  const started = await startServerProcess(redisServer.current.url, prefix)
  processes.push(started)
  return started
}

async function openedPeer(urls: string[], userId: string): Promise<CollabPeer> {
  const peer = await createCollabPeer(urls[0] ?? '', userId, { url: urls })
  peers.push(peer)
  peer.store.dispatch(peer.actions.connect())
  peer.store.dispatch(peer.actions.openDocument(DOC))
  await peer.waitForStatus(DOC, 'synced')
  return peer
}

/** Polls (bounded) until `check` holds; throws with `describe()` otherwise. */
async function eventually(check: () => boolean, describe: () => string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('collaborative editing across server processes on one Redis', () => {
  it('three peers on two processes edit at once; SIGKILL of one process mid-edit loses no edit', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const all = [
      await openedPeer([a.url, b.url], 'ann'),
      await openedPeer([b.url, a.url], 'ben'),
      await openedPeer([a.url, b.url], 'cat'),
    ]
    const random = seededRandom(12)
    const words: string[] = []
    const ROUNDS = 80
    const texts = () => all.map((peer) => peer.liveText(DOC) ?? '')
    // No deletes: every insert landed once exactly when the length is the sum of the words'
    // (inserts may split earlier words, so they are not looked for as substrings).
    const synced = () =>
      all.every((peer) => peer.doc(DOC)?.unsyncedChanges === 0) &&
      new Set(texts()).size === 1 &&
      texts()[0]?.length === words.join('').length
    const describe = () =>
      JSON.stringify(
        all.map((peer) => ({
          status: peer.doc(DOC)?.status,
          unsynced: peer.doc(DOC)?.unsyncedChanges,
          length: peer.liveText(DOC)?.length,
          of: words.join('').length,
        })),
      )
    for (let round = 0; round < ROUNDS; round++) {
      for (const peer of all) {
        const word = `<${peer.userId}${round}>`
        words.push(word)
        const length = peer.liveText(DOC)?.length ?? 0
        const index = Math.floor(random() * (length + 1))
        peer.store.dispatch(
          peer.actions.editText({ docId: DOC, index, deleteCount: 0, insert: word }),
        )
      }
      if (round === ROUNDS / 2) {
        // Half way, the three agree (edits crossed processes live), then process a dies on the
        // spot while edits are on their way: ann and cat go on through b.
        await eventually(synced, describe)
        for (const peer of all)
          peer.store.dispatch(
            peer.actions.editText({
              docId: DOC,
              index: 0,
              deleteCount: 0,
              insert: `[${peer.userId}]`,
            }),
          )
        words.push(...all.map((peer) => `[${peer.userId}]`))
        await a.kill()
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await eventually(synced, describe)
    const text = texts()[0] ?? ''
    expect([...text].sort().join('')).toBe([...words.join('')].sort().join(''))
    // A process started now loads it all from Redis.
    const c = await startProcess(prefix)
    const late = await openedPeer([c.url], 'dan')
    expect(late.liveText(DOC)).toBe(text)
  })
})
