/**
 * The document events several of the handler's concerns dispatch: a status change, a failure,
 * and the count of changes the server may lack (each dispatched only when it changed).
 */
import { errorInfo } from '../errors'
import type { WebSocketErrorCode } from '../protocol/codes'
import type { PluginContext } from '../plugins'
import { documents, type DocumentStatus } from './actions'
import { unsyncedOf, type OpenDoc } from './openDoc'

export function setStatus(ctx: PluginContext, doc: OpenDoc, status: DocumentStatus): void {
  if (doc.status === status) return
  doc.status = status
  ctx.dispatch(
    documents.statusChanged({
      docId: doc.id,
      status,
      ...(doc.access !== undefined ? { access: doc.access } : {}),
    }),
  )
}

export function fail(
  ctx: PluginContext,
  doc: OpenDoc,
  code: WebSocketErrorCode,
  message: string,
  refId?: string,
): void {
  ctx.dispatch(
    documents.failed({
      docId: doc.id,
      error: errorInfo(code, message, {
        context: 'collab',
        ...(refId !== undefined ? { refId } : {}),
      }),
    }),
  )
}

export function reportUnsynced(ctx: PluginContext, doc: OpenDoc): void {
  const unsyncedChanges = unsyncedOf(doc)
  if (unsyncedChanges === doc.reportedUnsynced) return
  doc.reportedUnsynced = unsyncedChanges
  ctx.dispatch(documents.unsyncedChanged({ docId: doc.id, unsyncedChanges }))
}

/** What a thrown error says, for a failure's message. */
export const reasonOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
