/**
 * A client's `doc_sync` step 1: opening (or re-syncing) a document. The user must be allowed to
 * view it (and is told whether they may edit); the document loads if it is not in memory; the
 * connection joins it and gets what it lacks as a step 2 in parts, paced, then the server's
 * step 1 and the document's awareness.
 */
import {
  decodeBase64,
  encodeBase64,
  encodeFrame,
  makeFrame,
  MessageType,
  WebSocketErrorCode,
} from '../../protocol'
import type { DocAccess, DocSyncFrame } from '../../protocol'
import { isDocumentAllowed } from '../access'
import type { DocMembers } from './docMembers'
import type { DocMemory } from './docMemory'
import { invalid, reply } from './docReplies'
import { encodedAwareness, sendUpdateInParts } from './docSend'
import type { DocFrameHandler, DocumentsContext, LoadedDoc } from './loadedDoc'

export function createDocOpen(
  { options }: DocumentsContext,
  { getDoc, join, leave }: Pick<DocMemory, 'getDoc'> & Pick<DocMembers, 'join' | 'leave'>,
): DocFrameHandler<DocSyncFrame> {
  const { logger } = options

  /** `doc_sync` step 1: opens (or re-syncs) the doc and answers step 2 in parts, then step 1. */
  return async function open(frame, session, connection, modules): Promise<void> {
    const { Y } = modules
    const name = frame.data.doc
    const stateVector = decodeBase64(frame.data.update)
    if (!stateVector) return invalid(connection, frame, 'data.update is not base64')
    try {
      Y.decodeStateVector(stateVector)
    } catch {
      return invalid(connection, frame, 'data.update of a step 1 is not a Yjs state vector')
    }
    const userId = session.userId
    if (!(await isDocumentAllowed({ options }, { userId, doc: name, action: 'view' }))) {
      return reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `not allowed to view document ${name}`,
      })
    }
    const access: DocAccess = (await isDocumentAllowed(
      { options },
      { userId, doc: name, action: 'edit' },
    ))
      ? 'edit'
      : 'view'
    let doc: LoadedDoc
    try {
      doc = await getDoc(name, modules)
    } catch (error) {
      logger.error(`redux-realtime server: could not load document ${name}`, error)
      return reply(connection, frame, {
        code: WebSocketErrorCode.SERVER_ERROR,
        message: `document ${name} could not be loaded; try again later`,
      })
    }
    if (connection.closed) return
    const joined = join(doc, connection, userId, access)
    // The diff and the server's state vector are taken together: updates applied after this are
    // forwarded to the member as they come.
    const diff = Y.encodeStateAsUpdate(doc.ydoc, stateVector)
    const serverVector = Y.encodeStateVector(doc.ydoc)
    const fits = sendUpdateInParts(doc, joined, diff, access, [
      () =>
        encodeFrame(
          makeFrame(MessageType.DOC_SYNC, {
            data: { doc: name, step: 1, update: encodeBase64(serverVector) },
          }),
        ),
      () => {
        const ids = [...doc.awareness.getStates().keys()]
        return ids.length > 0 ? encodedAwareness(modules, doc, ids) : undefined
      },
    ])
    if (!fits) {
      leave(doc, joined, modules)
      reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `this connection's maxFrameBytes of ${connection.maxFrameBytes} is too small to carry document ${name}`,
      })
    }
  }
}
