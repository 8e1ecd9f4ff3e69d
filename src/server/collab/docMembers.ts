/**
 * Who has which document open: a connection joins a document with its step 1 and leaves it
 * with `doc_close` or its socket closing, taking its awareness states and any update it was
 * sending in parts with it; the last one leaving schedules the unload.
 */
import type { DocAccess } from '../../protocol'
import type { ClientConnection } from '../context'
import { LEAVE_ORIGIN, type DocMember, type DocumentsContext, type LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

export interface DocMembers {
  /** The connection's open document `name`, and its membership there. */
  memberOf: (
    connection: ClientConnection,
    name: string,
  ) => { doc: LoadedDoc; member: DocMember } | undefined
  /** The connection's membership of `doc` (made on its first step 1), with `access` now. */
  join: (
    doc: LoadedDoc,
    connection: ClientConnection,
    userId: string,
    access: DocAccess,
  ) => DocMember
  leave: (doc: LoadedDoc, member: DocMember, modules: YjsModules) => void
}

export function createDocMembers(
  { docsOf }: DocumentsContext,
  { scheduleUnload }: { scheduleUnload: (doc: LoadedDoc, Y: YjsModules['Y']) => void },
): DocMembers {
  const memberOf: DocMembers['memberOf'] = (connection, name) => {
    const doc = docsOf.get(connection)?.get(name)
    const member = doc?.members.get(connection)
    return doc && member ? { doc, member } : undefined
  }

  const join: DocMembers['join'] = (doc, connection, userId, access) => {
    let member = doc.members.get(connection)
    if (!member) {
      member = { connection, userId, access, clientIDs: new Set(), assembly: undefined }
      doc.members.set(connection, member)
      let open = docsOf.get(connection)
      if (!open) docsOf.set(connection, (open = new Map<string, LoadedDoc>()))
      open.set(doc.name, doc)
      clearTimeout(doc.unloadTimer)
    }
    member.access = access
    return member
  }

  const leave: DocMembers['leave'] = (doc, member, modules) => {
    if (doc.members.get(member.connection) !== member) return
    doc.members.delete(member.connection)
    docsOf.get(member.connection)?.delete(doc.name)
    const owned = [...member.clientIDs].filter((id) => doc.owners.get(id) === member)
    for (const id of owned) doc.owners.delete(id)
    member.clientIDs.clear()
    // An update it was sending in parts is dropped with it (a closed socket has no one to tell).
    member.assembly = undefined
    // Everyone still there is told (the 'update' listener); the leaver is no member any more.
    if (owned.length > 0)
      modules.awareness.removeAwarenessStates(doc.awareness, owned, LEAVE_ORIGIN)
    if (doc.members.size === 0) scheduleUnload(doc, modules.Y)
  }

  return { memberOf, join, leave }
}
