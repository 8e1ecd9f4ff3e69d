import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createId } from '../../src/protocol'
import type { DocumentBroker, DocumentFeed } from '../../src/server/collab/documentBroker'
import {
  createRedisDocumentBroker,
  createRedisDocumentStore,
  documentChannel,
  documentKey,
} from '../../src/server/redis/documents'
import { useRedisServer } from '../support/redisServer'
import { describeDocumentStore } from './documentStoreCases'

const redisServer = useRedisServer()
const clients: Redis[] = []
const brokers: DocumentBroker[] = []
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** A process's ioredis client. */
function client(): Redis {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  return redis
}

describeDocumentStore('createRedisDocumentStore', {
  make: () => createRedisDocumentStore({ redis: client(), prefix: `t${createId(8)}:` }),
})

/** Polls (bounded) until `check` holds. */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A feed that records what it hears. */
function recorder() {
  const heard = { updates: [] as Uint8Array[], awareness: [] as Uint8Array[], missed: 0 }
  const feed: DocumentFeed = {
    update: (update) => heard.updates.push(update),
    awareness: (update) => heard.awareness.push(update),
    missed: () => heard.missed++,
  }
  return { heard, feed }
}

describe('createRedisDocumentStore across processes', () => {
  it('loses no update when two processes append and compact one document at once (bounded)', async () => {
    const prefix = `t${createId(8)}:`
    const processes = [0, 1].map(() => {
      const store = createRedisDocumentStore({ redis: client(), prefix })
      const ydoc = new Y.Doc()
      const updates: Uint8Array[] = []
      ydoc.on('update', (update: Uint8Array) => updates.push(update))
      return { store, ydoc, updates }
    })
    const expected = new Y.Doc()
    const ROUNDS = 30
    await Promise.all(
      processes.map(async ({ store, ydoc, updates }, p) => {
        for (let round = 0; round < ROUNDS; round++) {
          // Each process only knows its own updates: its compaction state lacks the other's.
          for (let i = 0; i < 3; i++) {
            ydoc.getText('content').insert(0, `p${p}r${round}i${i};`)
            const update = updates[updates.length - 1] as Uint8Array
            Y.applyUpdate(expected, update)
            await store.append('shared', update)
          }
          if (round % 2 === p) await store.compact?.('shared', Y.encodeStateAsUpdate(ydoc))
        }
      }),
    )
    const loaded = new Y.Doc()
    const stored = await processes[0]?.store.load('shared')
    if (stored) Y.applyUpdate(loaded, stored)
    const text = loaded.getText('content').toJSON()
    expect(text.length).toBe(expected.getText('content').toJSON().length)
    expect(text).toBe(expected.getText('content').toJSON())
    // Compaction happened: the log keeps only what came after the last one.
    const redis = client()
    expect(await redis.xlen(`${documentKey(prefix, 'shared')}log`)).toBeLessThan(ROUNDS * 6)
  })
})

describe('createRedisDocumentBroker', () => {
  it('hears every stored update (its own too) and awareness from other processes only', async () => {
    const prefix = `t${createId(8)}:`
    // Any printable name: braces (the hash tag), spaces, non-ASCII.
    const docName = 'notes {ü} ✓'
    const redisA = client()
    const store = createRedisDocumentStore({ redis: redisA, prefix })
    const a = createRedisDocumentBroker({ redis: redisA, prefix })
    const b = createRedisDocumentBroker({ redis: client(), prefix })
    brokers.push(a, b)
    const onA = recorder()
    const onB = recorder()
    await a.subscribe(docName, onA.feed)
    await b.subscribe(docName, onB.feed)
    const update = new Uint8Array([0, 32, 117, 13, 10, 255])
    await store.append(docName, update)
    a.publishAwareness(docName, new Uint8Array([1, 2, 32, 3]))
    await until(() => onB.heard.updates.length === 1 && onB.heard.awareness.length === 1, 'b')
    await until(() => onA.heard.updates.length === 1, 'a')
    expect([...(onB.heard.updates[0] ?? [])]).toEqual([...update])
    expect([...(onB.heard.awareness[0] ?? [])]).toEqual([1, 2, 32, 3])
    // A fence: b's own awareness, heard by a; a never hears its own.
    b.publishAwareness(docName, new Uint8Array([9]))
    await until(() => onA.heard.awareness.length === 1, 'a hears b')
    expect([...(onA.heard.awareness[0] ?? [])]).toEqual([9])
    expect(onA.heard.missed + onB.heard.missed).toBe(0)
    // Unsubscribed: nothing more.
    b.unsubscribe(docName)
    await store.append(docName, new Uint8Array([7]))
    await until(() => onA.heard.updates.length === 2, 'a hears the second')
    expect(onB.heard.updates).toHaveLength(1)
  })

  it('says updates were missed when a seq is skipped, a message is bad, or the subscription came back', async () => {
    const prefix = `t${createId(8)}:`
    const redis = client()
    const broker = createRedisDocumentBroker({ redis, prefix, onError: () => undefined })
    brokers.push(broker)
    const { heard, feed } = recorder()
    await broker.subscribe('doc', feed)
    const channel = documentChannel(prefix, 'doc')
    await redis.spublish(channel, Buffer.from('u1 x'))
    await redis.spublish(channel, Buffer.from('u2 y'))
    await until(() => heard.updates.length === 2, 'two updates')
    expect(heard.missed).toBe(0)
    await redis.spublish(channel, Buffer.from('u4 z'))
    await until(() => heard.missed === 1, 'a skipped seq')
    await redis.spublish(channel, Buffer.from('garbage'))
    await until(() => heard.missed === 2, 'a bad message')
    // The subscriber connection is killed: ioredis reconnects, subscribes again, then says so.
    expect(await redisServer.current.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':1')
    await until(() => heard.missed === 3, 'the subscription back')
    // After that the next seq heard is the new baseline.
    await redis.spublish(channel, Buffer.from('u9 w'))
    await redis.spublish(channel, Buffer.from('u10 v'))
    await until(() => heard.updates.length === 5, 'after the reconnect')
    expect(heard.missed).toBe(3)
  })
})
