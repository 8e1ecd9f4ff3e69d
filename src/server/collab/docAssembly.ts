/**
 * Updates that clients send in parts (above their frame limit): the parts of one update, joined
 * once the last one came in order, or the assembly abandoned (and the client told) on anything
 * else.
 */
import { decodeBase64, joinParts, WebSocketErrorCode } from '../../protocol'
import type { DocSyncFrame, DocUpdateFrame } from '../../protocol'
import type { ClientConnection } from '../context'
import { invalid, reply } from './docReplies'
import type { DocMember, LoadedDoc } from './loadedDoc'

/** Tells the connection its update in parts was abandoned (naming its last part received). */
function abandon(
  connection: ClientConnection,
  member: DocMember,
  doc: LoadedDoc,
  why: string,
): void {
  const assembly = member.assembly
  if (!assembly) return
  member.assembly = undefined
  connection.sendError({
    code: WebSocketErrorCode.INVALID_MESSAGE,
    message: `${why}: the ${assembly.type} in ${assembly.parts} parts begun by frame ${assembly.firstId} was abandoned after ${assembly.next} parts; nothing of it was applied, send it again from part 0`,
    refId: assembly.lastId,
    doc: doc.name,
  })
}

/**
 * The whole update of `frame`: its own bytes, or, for the last of an update sent in parts
 * (`part`/`parts`), the parts joined (`joined`). Undefined while parts are missing, and after
 * refusing a part (answered): parts out of order, repeated, with another `parts` count or
 * frame type, or a whole update in between abandon the assembly; a part 0 starts a new one
 * (abandoning one in progress); the first part needs 'edit'; their bytes together stay
 * within `maxDocumentBytes`. A connection leaving the doc (or closing) drops its assembly.
 */
export function assemble(
  frame: DocUpdateFrame | DocSyncFrame,
  doc: LoadedDoc,
  member: DocMember,
  connection: ClientConnection,
  maxDocumentBytes: number,
): { bytes: Uint8Array; joined: boolean } | undefined {
  const { part, parts } = frame.data
  const bytes = decodeBase64(frame.data.update)
  if (part === undefined || parts === undefined || parts === 1) {
    abandon(connection, member, doc, `a whole ${frame.type} (frame ${frame.id}) came between parts`)
    if (!bytes) return void invalid(connection, frame, 'data.update is not base64')
    return { bytes, joined: false }
  }
  if (part === 0) {
    abandon(connection, member, doc, `part 0 of another update in parts (frame ${frame.id}) came`)
    if (member.access !== 'edit') {
      return void reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `not allowed to edit document ${doc.name}; the update in parts was refused`,
      })
    }
    if (doc.bytes + parts > maxDocumentBytes) {
      return void reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `an update in ${parts} parts would pass the server's maxDocumentBytes of ${maxDocumentBytes} for document ${doc.name}; refused`,
      })
    }
    member.assembly = {
      type: frame.type,
      parts,
      next: 0,
      chunks: [],
      bytes: 0,
      firstId: frame.id,
      lastId: frame.id,
    }
  }
  const assembly = member.assembly
  if (!assembly) {
    return void invalid(
      connection,
      frame,
      `part ${part} of ${parts} came with no update in parts begun (part 0 never came, or it was abandoned); send the update again from part 0`,
    )
  }
  if (assembly.type !== frame.type || assembly.parts !== parts || assembly.next !== part) {
    assembly.lastId = frame.id
    return void abandon(
      connection,
      member,
      doc,
      `expected part ${assembly.next} of ${assembly.parts} (${assembly.type}), got part ${part} of ${parts} (${frame.type})`,
    )
  }
  assembly.lastId = frame.id
  if (!bytes || bytes.length === 0) {
    return void abandon(connection, member, doc, `part ${part} is not base64 or is empty`)
  }
  if (doc.bytes + assembly.bytes + bytes.length > maxDocumentBytes) {
    member.assembly = undefined
    return void reply(connection, frame, {
      code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
      message: `the update in parts begun by frame ${assembly.firstId} would pass the server's maxDocumentBytes of ${maxDocumentBytes} for document ${doc.name}; abandoned, nothing of it was applied`,
    })
  }
  assembly.chunks.push(bytes)
  assembly.bytes += bytes.length
  assembly.next += 1
  if (assembly.next < assembly.parts) return undefined
  member.assembly = undefined
  return { bytes: joinParts(assembly.chunks), joined: true }
}
