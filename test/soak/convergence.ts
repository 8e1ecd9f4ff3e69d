import type { ChatMessage } from '../../src'
import type { SoakClient } from './soakClient'

/** A message the soak sent: its id (the idempotency key) and author. */
export interface SentMessage {
  id: string
  author: string
}

/** One broken invariant, with the ids that show it. */
export interface Violation {
  invariant: string
  client: string
  room?: string
  count: number
  examples: string[]
}

const EXAMPLES = 5
const MESSAGES_RECEIVED = 'realtime/chat/messagesReceived'

function occurrences(ids: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

/** Per room, every (id, seq, action index) a client was handed in `messagesReceived`. */
export function dispatchedMessages(
  client: SoakClient,
): Map<string, Array<{ id: string; seq?: number; action: number }>> {
  const byRoom = new Map<string, Array<{ id: string; seq?: number; action: number }>>()
  client.dispatched.forEach((action, index) => {
    if (action.type !== MESSAGES_RECEIVED) return
    const { messages } = action.payload as { messages: ChatMessage[] }
    for (const message of messages) {
      if (message.room === undefined) continue
      const list = byRoom.get(message.room) ?? []
      list.push({
        id: message.id,
        ...(message.seq !== undefined ? { seq: message.seq } : {}),
        action: index,
      })
      byRoom.set(message.room, list)
    }
  })
  return byRoom
}

/**
 * Where an id shows up in a client's action log: `#index type` of each action whose payload
 * names it. Evidence for a doubled or missing id.
 */
function tracer(client: SoakClient): (id: string) => string {
  let texts: string[] | undefined
  return (id) => {
    texts ??= client.dispatched.map((action) => JSON.stringify(action.payload ?? null))
    const hits: string[] = []
    texts.forEach((text, index) => {
      if (text.includes(`"${id}"`)) hits.push(`#${index} ${client.dispatched[index]?.type}`)
    })
    return hits.length > 12
      ? `${hits.slice(0, 12).join(', ')}, … (${hits.length})`
      : hits.join(', ')
  }
}

/**
 * The soak's end state, checked per room: every id sent is in every client's state exactly
 * once, in the same order everywhere, `sent` for its author and nobody else's own; every
 * outbox is empty; and every id was dispatched in `messagesReceived` exactly once per client.
 * Returns every violation (not just the first), each with example ids.
 *
 * @example
 * const violations = checkConvergence(clients, sentByRoom)
 * expect(violations).toEqual([])
 */
export function checkConvergence(
  clients: readonly SoakClient[],
  sentByRoom: ReadonlyMap<string, readonly SentMessage[]>,
): Violation[] {
  const violations: Violation[] = []
  const report = (invariant: string, client: string, room: string | undefined, found: string[]) => {
    if (found.length === 0) return
    violations.push({
      invariant,
      client,
      ...(room !== undefined ? { room } : {}),
      count: found.length,
      examples: found.slice(0, EXAMPLES),
    })
  }

  for (const client of clients) {
    const dispatched = dispatchedMessages(client)
    const trace = tracer(client)
    for (const [room, sent] of sentByRoom) {
      const sentIds = new Set(sent.map((m) => m.id))
      const authorOf = new Map(sent.map((m) => [m.id, m.author]))
      const messages = client.selectors.selectMessagesByRoom(client.state(), room)
      const inState = occurrences(messages.map((m) => m.id))
      const seqsOf = (id: string) =>
        messages.filter((m) => m.id === id).map((m) => `seq ${m.seq ?? '-'} ${m.status ?? ''}`)

      report(
        'state: every sent id present',
        client.userId,
        room,
        [...sentIds].filter((id) => !inState.has(id)).map((id) => `${id} (by ${authorOf.get(id)})`),
      )
      report(
        'state: no id twice',
        client.userId,
        room,
        [...inState]
          .filter(([, n]) => n > 1)
          .map(([id, n]) => `${id} ×${n} [${seqsOf(id).join('; ')}] actions: ${trace(id)}`),
      )
      report(
        'state: no id that was never sent',
        client.userId,
        room,
        [...inState.keys()].filter((id) => !sentIds.has(id)),
      )
      report(
        'state: own messages are sent',
        client.userId,
        room,
        messages
          .filter((m) => authorOf.get(m.id) === client.userId && m.status !== 'sent')
          .map((m) => `${m.id} status ${m.status ?? 'none'} seq ${m.seq ?? '-'}`),
      )
      report(
        "state: nobody else's message shown as own",
        client.userId,
        room,
        messages
          .filter((m) => authorOf.get(m.id) !== client.userId && m.status !== undefined)
          .map((m) => `${m.id} by ${authorOf.get(m.id)} status ${m.status}`),
      )

      const handed = dispatched.get(room) ?? []
      const handedCounts = occurrences(handed.map((m) => m.id))
      report(
        'dispatched messagesReceived: no id twice',
        client.userId,
        room,
        [...handedCounts]
          .filter(([, n]) => n > 1)
          .map(([id, n]) => {
            const copies = handed.filter((m) => m.id === id)
            return `${id} ×${n} [${copies.map((c) => `seq ${c.seq ?? '-'} in action #${c.action}`).join('; ')}] actions: ${trace(id)}`
          }),
      )
      report(
        'dispatched messagesReceived: every sent id once',
        client.userId,
        room,
        [...sentIds].filter((id) => !handedCounts.has(id)),
      )
    }
    report(
      'outbox empty',
      client.userId,
      undefined,
      client.selectors
        .selectPendingMessages(client.state())
        .map((e) => `${e.id} (${'room' in e ? e.room : e.type})`),
    )
  }

  // Same order on every client: compare each to the first, per room. Repeats are reported
  // above; here each id counts at its first place, so one doubled id is not also an order break.
  const order = (client: SoakClient, room: string) => [
    ...new Set(client.selectors.selectMessagesByRoom(client.state(), room).map((m) => m.id)),
  ]
  const [first, ...others] = clients
  if (first) {
    for (const room of sentByRoom.keys()) {
      const reference = order(first, room)
      for (const client of others) {
        const ids = order(client, room)
        const length = Math.max(ids.length, reference.length)
        let at = -1
        for (let i = 0; i < length; i++) {
          if (ids[i] !== reference[i]) {
            at = i
            break
          }
        }
        if (at < 0) continue
        const window = (list: string[]) => list.slice(Math.max(0, at - 1), at + 3).join(',')
        violations.push({
          invariant: `state: same order as ${first.userId}`,
          client: client.userId,
          room,
          count: 1,
          examples: [
            `first difference at index ${at} of ${ids.length} (${first.userId} has ${reference.length})`,
            `${first.userId}: …${window(reference)}…`,
            `${client.userId}: …${window(ids)}…`,
          ],
        })
      }
    }
  }
  return violations
}
