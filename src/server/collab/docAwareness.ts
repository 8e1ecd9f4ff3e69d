/**
 * Awareness of a loaded document, both ways: a member's `doc_awareness` frame (checked by
 * `awarenessGate` before the doc's `Awareness` sees it), and every change of the doc's
 * `Awareness` sent to its other members here and, when it is this process's news, to the
 * other processes.
 */
import { WebSocketErrorCode } from '../../protocol'
import type { DocAwarenessFrame } from '../../protocol'
import type { ClientConnection } from '../context'
import { acceptAwareness } from './awarenessGate'
import type { DocumentBroker } from './documentBroker'
import { awarenessFrame } from './docSend'
import type { DocMembers } from './docMembers'
import { invalid, notOpen, reply } from './docReplies'
import { LEAVE_ORIGIN, type LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

/** Sends every change of `doc`'s awareness to whom it is news (listening from now on). */
export function forwardAwareness(
  doc: LoadedDoc,
  A: YjsModules['awareness'],
  broker: DocumentBroker,
): void {
  const { awareness } = doc
  awareness.on(
    'update',
    (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ) => {
      const changed = [...added, ...updated, ...removed]
      for (const id of removed) doc.remoteUsers.delete(id)
      const update = A.encodeAwarenessUpdate(awareness, changed)
      const text = awarenessFrame(doc, update)
      for (const member of doc.members.values())
        if (member !== origin) member.connection.sendText(text)
      // Only a member's change (its origin) or its leaving is this process's to tell: what
      // came from elsewhere is not sent back, each process removes the states nobody renewed
      // itself (y-protocols' 'timeout'), and the server's own (null) state is nobody's news.
      if (origin === LEAVE_ORIGIN || (typeof origin === 'object' && origin !== null))
        broker.publishAwareness(doc.name, update)
    },
  )
}

/** `doc_awareness` from a member: what the gate accepts is applied (and so forwarded). */
export function createAwarenessUpdate({
  memberOf,
}: Pick<DocMembers, 'memberOf'>): (
  frame: DocAwarenessFrame,
  connection: ClientConnection,
  modules: YjsModules,
) => void {
  return (frame, connection, modules) => {
    const found = memberOf(connection, frame.data.doc)
    if (!found) return notOpen(connection, frame)
    const outcome = acceptAwareness(found.doc, found.member, frame.data.update)
    if (outcome.error) return invalid(connection, frame, outcome.error)
    if (outcome.update)
      modules.awareness.applyAwarenessUpdate(found.doc.awareness, outcome.update, found.member)
    if (outcome.refused) {
      reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `awareness clientID ${outcome.refused} belongs to another connection (or this one has too many); its entry was ignored`,
      })
    }
  }
}
