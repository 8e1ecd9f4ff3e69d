/**
 * The abuse benchmark's attackers, in their own process (forked by abuse.ts) so their work does
 * not slow the control client's event loop. IPC: { type: 'start', url, maxPayload, cap } →
 * 'started' once every abuser is at work; 'stop' → { type: 'stats', … } and exit.
 */
import { churn, flood, newCounter, readSlowly, sendOversize, write } from './abusers'
import type { Counter } from './abusers'

export interface StartMessage {
  type: 'start'
  url: string
  maxPayload: number
  cap: number
}

export type Summary = Omit<Counter, 'closes'> & { closes: Record<string, number> }

export type ClientsReply =
  { type: 'started' } | { type: 'stats'; stats: Record<string, Summary>; freshSessions: number }

const BUSY_ROOM = 'busy'
const WRITERS = 5

const summary = ({ closes, ...rest }: Counter): Summary => ({
  ...rest,
  closes: Object.fromEntries([...closes].map(([code, n]) => [String(code), n])),
})

function start({ url, maxPayload, cap }: StartMessage): void {
  let stopped = false
  const isStopped = () => stopped
  const counters = {
    flooder: newCounter(),
    'slow reader': newCounter(),
    churner: newCounter(),
    'oversize sender': newCounter(),
  }
  const writers = Array.from({ length: WRITERS }, (_, i) =>
    write(url, `writer${i}`, BUSY_ROOM, isStopped),
  )
  const loops = [
    flood(url, isStopped, counters.flooder),
    readSlowly(url, BUSY_ROOM, isStopped, counters['slow reader']),
    sendOversize(url, maxPayload, isStopped, counters['oversize sender']),
  ]
  const churning = churn(url, cap, isStopped, counters.churner)
  process.send?.({ type: 'started' } satisfies ClientsReply)
  process.on('message', (message) => {
    if (message !== 'stop') return
    stopped = true
    void (async () => {
      await Promise.all([...writers, ...loops])
      const freshSessions = await churning
      const stats = Object.fromEntries(
        Object.entries(counters).map(([name, counter]) => [name, summary(counter)]),
      )
      const reply: ClientsReply = { type: 'stats', stats, freshSessions }
      process.send?.(reply, () => process.exit(0))
    })()
  })
}

process.on('message', (message: StartMessage | string) => {
  if (typeof message === 'object' && message.type === 'start') start(message)
})
