/**
 * Two simulated users chatting through real Redux stores and the reference server.
 * Run with `npm start` (it starts the server first), or against your own server:
 *   REALTIME_URL=ws://127.0.0.1:3000 REALTIME_SECRET=dev-secret tsx examples/node/chat.ts
 */
import { configureStore } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime } from '../../src'
import { signDevToken } from '../../src/server'

const url = process.env.REALTIME_URL ?? 'ws://127.0.0.1:3000'
const secret = process.env.REALTIME_SECRET ?? 'dev-secret'

function createUser(userId: string) {
  const realtime = createRealtime({
    url,
    WebSocket,
    // Called on every (re)connect: a real app fetches a fresh token from its auth service.
    getToken: () => signDevToken(secret, userId),
  })
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().concat(realtime.middleware),
  })
  const { selectors } = realtime
  let lastState = 'idle'
  let printed = 0
  store.subscribe(() => {
    const state = store.getState()
    const connection = selectors.selectConnectionState(state)
    if (connection !== lastState) {
      const why = selectors.selectTransition(state)
      console.log(
        `[${userId}] ${lastState} → ${connection} (${why?.code ?? 0} ${why?.reason ?? ''})`,
      )
      lastState = connection
    }
    const messages = selectors
      .selectMessagesByRoom(state, 'general')
      .filter((m) => m.seq !== undefined)
    for (const m of messages.slice(printed)) {
      console.log(`[${userId}] #${m.seq} ${m.userId}: ${m.data.content}`)
    }
    printed = messages.length
  })
  return { userId, store, realtime }
}

type User = ReturnType<typeof createUser>

function waitFor(
  user: User,
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${user.userId}: no ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    )
    const done = () => {
      if (!check()) return
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
    const unsubscribe = user.store.subscribe(done)
    done()
  })
}

async function main(): Promise<void> {
  const alice = createUser('alice')
  const bob = createUser('bob')
  for (const user of [alice, bob]) {
    user.store.dispatch(user.realtime.actions.connect())
    user.store.dispatch(user.realtime.actions.joinRoom('general'))
  }
  const joined = (user: User) =>
    user.realtime.selectors.selectRooms(user.store.getState()).includes('general')
  await Promise.all([alice, bob].map((user) => waitFor(user, () => joined(user), 'join')))

  const script: Array<[User, string]> = [
    [alice, 'Hi Bob! This message went through a Redux middleware.'],
    [bob, 'Hi Alice. Mine too: pending in the outbox, then acked by the server.'],
    [alice, 'Next, Bob drops his connection and I write while he is away.'],
  ]
  for (const [user, content] of script) {
    user.store.dispatch(user.realtime.actions.sendChatMessage({ room: 'general', content }))
    await new Promise((r) => setTimeout(r, 150))
  }

  bob.store.dispatch(bob.realtime.actions.disconnect())
  alice.store.dispatch(
    alice.realtime.actions.sendChatMessage({
      room: 'general',
      content: 'Written while Bob was offline.',
    }),
  )
  await new Promise((r) => setTimeout(r, 300))
  bob.store.dispatch(bob.realtime.actions.connect())

  const count = (user: User) =>
    user.realtime.selectors
      .selectMessagesByRoom(user.store.getState(), 'general')
      .filter((m) => m.seq !== undefined).length
  await waitFor(bob, () => count(bob) === 4, 'resumed history')
  const metrics = alice.realtime.selectors.selectPerformanceMetrics(alice.store.getState())
  console.log(
    `[alice] metrics: sent ${metrics.messagesSent}, received ${metrics.messagesReceived}, errors ${metrics.errorCount}`,
  )
  console.log('Bob resumed from his cursor and got the missed message exactly once. Done.')
  for (const user of [alice, bob]) user.store.dispatch(user.realtime.actions.disconnect())
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
