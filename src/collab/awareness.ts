/**
 * Awareness, the collab plugin's presence in a document: the user we show to peers (and its
 * colour), our own state as a `doc_awareness` frame, and the peers' states as validated plain
 * data in state (they come from the wire).
 */
import { encodeAwarenessUpdate } from 'y-protocols/awareness'
import { encodeBase64 } from '../protocol/docFrames'
import type { Frame } from '../protocol/frames'
import type { PluginContext } from '../plugins'
import { documents, type DocumentPeer } from './actions'
import { docFrame, type CollabContext, type OpenDoc } from './openDoc'

const COLORS = ['#d7263d', '#1b998b', '#2e294e', '#f46036', '#3a86ff', '#8338ec', '#ff006e']

function colorOf(userId: string): string {
  let hash = 0
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0
  return COLORS[Math.abs(hash) % COLORS.length] ?? '#3a86ff'
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const shortString = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined

const position = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined

/** A peer's awareness state as plain, validated data (it came from the wire). */
function peerOf(state: unknown): DocumentPeer | undefined {
  if (!isObject(state) || !isObject(state.user)) return undefined
  const userId = shortString(state.user.userId, 300)
  if (userId === undefined) return undefined
  const name = shortString(state.user.name, 100)
  const color = shortString(state.user.color, 32)
  const cursor = isObject(state.cursor) ? state.cursor : undefined
  const anchor = position(cursor?.anchor)
  const head = position(cursor?.head)
  return {
    userId,
    ...(name !== undefined ? { name } : {}),
    ...(color !== undefined ? { color } : {}),
    ...(anchor !== undefined && head !== undefined ? { cursor: { anchor, head } } : {}),
  }
}

/** Our awareness user in a newly opened document. */
export function setLocalUser({ ctx, options }: CollabContext, doc: OpenDoc): void {
  const user = {
    userId: ctx.session.userId ?? '',
    name: options.user?.name ?? ctx.session.userId ?? 'anonymous',
    color: options.user?.color ?? colorOf(ctx.session.userId ?? ''),
  }
  doc.awareness.setLocalState({ user })
}

/** Once in sync: the user id (and the defaults derived from it) of the session now. */
export function renewLocalUser({ ctx, options }: CollabContext, doc: OpenDoc): void {
  const userId = ctx.session.userId
  const user = doc.awareness.getLocalState()?.user as Record<string, unknown> | undefined
  if (userId !== undefined && user && user.userId !== userId) {
    doc.awareness.setLocalStateField('user', {
      ...user,
      userId,
      ...(options.user?.name === undefined ? { name: userId } : {}),
      ...(options.user?.color === undefined ? { color: colorOf(userId) } : {}),
    })
  }
}

/** Our own awareness state (or its removal) as a `doc_awareness` frame. */
export function localAwarenessFrame(ctx: PluginContext, doc: OpenDoc): Frame {
  const update = encodeAwarenessUpdate(doc.awareness, [doc.ydoc.clientID])
  return docFrame(ctx, 'doc_awareness', { doc: doc.id, update: encodeBase64(update) })
}

export function reportPeers({ ctx, docs }: CollabContext, doc: OpenDoc): void {
  if (docs.get(doc.id) !== doc) return
  const peers: DocumentPeer[] = []
  for (const [clientId, state] of doc.awareness.getStates()) {
    if (clientId === doc.ydoc.clientID) continue
    const peer = peerOf(state)
    if (peer) peers.push(peer)
  }
  // Our own cursor moving changes no peer: no action.
  const key = JSON.stringify(peers)
  if (key === doc.peersKey) return
  doc.peersKey = key
  ctx.dispatch(documents.peersChanged({ docId: doc.id, peers }))
}
