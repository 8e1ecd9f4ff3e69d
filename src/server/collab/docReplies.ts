/** The error frames the documents answer a client's `doc_*` frame with (naming it and its doc). */
import { WebSocketErrorCode } from '../../protocol'
import type { DocFrame, ErrorData } from '../../protocol'
import type { ClientConnection } from '../context'

export type DocError = Omit<ErrorData, 'doc' | 'refId'>

export const reply = (connection: ClientConnection, frame: DocFrame, error: DocError): void =>
  connection.sendError({ ...error, refId: frame.id, doc: frame.data.doc })

export const notOpen = (connection: ClientConnection, frame: DocFrame): void =>
  reply(connection, frame, {
    code: WebSocketErrorCode.NOT_JOINED,
    message: `open document ${frame.data.doc} (doc_sync step 1) before sending ${frame.type} for it`,
  })

export const invalid = (connection: ClientConnection, frame: DocFrame, message: string): void =>
  reply(connection, frame, { code: WebSocketErrorCode.INVALID_MESSAGE, message })
