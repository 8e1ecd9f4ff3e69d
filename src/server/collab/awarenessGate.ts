import { decodeBase64 } from '../../protocol'
import { findJsonProblem, isPlainRecord } from '../../protocol/validate'
import {
  AwarenessDecodeError,
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
} from './awarenessCodec'
import type { AwarenessEntry } from './awarenessCodec'
import type { DocMember, LoadedDoc } from './loadedDoc'

/** Most awareness clientIDs one connection may introduce in one document. */
export const MAX_CLIENT_IDS_PER_CONNECTION = 8
/** Deepest nesting an awareness state may have (the codec's limit for a frame). */
const MAX_STATE_DEPTH = 16

export interface AwarenessOutcome {
  /** Why the whole update was refused (nothing applied). */
  error?: string
  /** What to apply: the entries this member may set, `user.userId` overwritten. */
  update?: Uint8Array
  /** A clientID whose entry was ignored (another connection's, or one too many). */
  refused?: number
}

/**
 * Checks a member's awareness update before the doc's `Awareness` sees it: each state must be
 * JSON null or a plain object with no `Object.prototype` member name as a key; `user.userId`
 * is set to the member's authenticated user id (never trusted from the client); entries for a
 * clientID another connection introduced (here, or on another process) are ignored, unless that
 * connection is the same user's (a reconnect whose old socket is not closed yet, or that lands
 * on another process), which hands the clientID over.
 *
 * @example
 * const { error, update } = acceptAwareness(doc, member, frame.data.update)
 */
export function acceptAwareness(
  doc: LoadedDoc,
  member: DocMember,
  base64: string,
): AwarenessOutcome {
  const bytes = decodeBase64(base64)
  if (!bytes) return { error: 'data.update is not base64' }
  let entries: AwarenessEntry[]
  try {
    entries = decodeAwarenessUpdate(bytes, MAX_CLIENT_IDS_PER_CONNECTION)
  } catch (error) {
    if (error instanceof AwarenessDecodeError) return { error: `data.update: ${error.message}` }
    throw error
  }
  // Every state is checked before any ownership changes: a refused update changes nothing.
  const states: Array<Record<string, unknown> | null> = []
  for (const entry of entries) {
    let state: unknown
    try {
      state = JSON.parse(entry.state)
    } catch {
      return { error: `the awareness state of clientID ${entry.clientID} is not JSON` }
    }
    if (state !== null && !isPlainRecord(state))
      return {
        error: `the awareness state of clientID ${entry.clientID} must be an object or null`,
      }
    const problem = findJsonProblem(state, MAX_STATE_DEPTH, 'state')
    if (problem !== undefined) return { error: `awareness clientID ${entry.clientID}: ${problem}` }
    states.push(state)
  }
  const accepted: AwarenessEntry[] = []
  let refused: number | undefined
  entries.forEach((entry, i) => {
    const owner = doc.owners.get(entry.clientID)
    const remoteUser = owner === undefined ? doc.remoteUsers.get(entry.clientID) : undefined
    if (owner !== member) {
      const takesOver = owner !== undefined && owner.userId === member.userId
      if (
        (owner !== undefined && !takesOver) ||
        (remoteUser !== undefined && remoteUser !== member.userId) ||
        member.clientIDs.size >= MAX_CLIENT_IDS_PER_CONNECTION
      ) {
        refused = entry.clientID
        return
      }
      owner?.clientIDs.delete(entry.clientID)
      doc.owners.set(entry.clientID, member)
      member.clientIDs.add(entry.clientID)
    }
    const state = states[i] ?? null
    if (state !== null) {
      const user = isPlainRecord(state.user) ? state.user : {}
      state.user = { ...user, userId: member.userId }
    }
    accepted.push({ ...entry, state: JSON.stringify(state) })
  })
  return {
    ...(accepted.length > 0 ? { update: encodeAwarenessUpdate(accepted) } : {}),
    ...(refused !== undefined ? { refused } : {}),
  }
}

/** Entries one awareness update from another process may carry (that process's whole view). */
const MAX_REMOTE_ENTRIES = 100_000

/**
 * Notes the user of each clientID in an awareness update from another process (`user.userId`,
 * as that process's gate set it; none for a removal), so `acceptAwareness` keeps a connection
 * here off another user's clientID. Throws `AwarenessDecodeError` on bytes that are not an update.
 *
 * @example
 * noteRemoteOwners(doc, update)
 * applyAwarenessUpdate(doc.awareness, update, REMOTE_ORIGIN)
 */
export function noteRemoteOwners(doc: LoadedDoc, update: Uint8Array): void {
  for (const { clientID, state } of decodeAwarenessUpdate(update, MAX_REMOTE_ENTRIES)) {
    const user = userIdOf(state)
    if (user === undefined) doc.remoteUsers.delete(clientID)
    else doc.remoteUsers.set(clientID, user)
  }
}

function userIdOf(json: string): string | undefined {
  try {
    const state = JSON.parse(json) as unknown
    if (!isPlainRecord(state) || !isPlainRecord(state.user)) return undefined
    return typeof state.user.userId === 'string' ? state.user.userId : undefined
  } catch {
    return undefined
  }
}
