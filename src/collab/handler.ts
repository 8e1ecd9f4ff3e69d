/**
 * The collab plugin's handler for one store: a thin composer of one file per concern. Every
 * Y.Doc, UndoManager and Awareness lives in these files' closures (`OpenDoc`), never in state.
 */
import type * as Y from 'yjs'
import type { PluginContext, PluginHandler } from '../plugins'
import { createConnectionEvents } from './connectionEvents'
import { createDocCommands } from './docCommands'
import { createDocErrors } from './docErrors'
import { createDocLifecycle } from './docLifecycle'
import { createDocSender } from './docSender'
import { createDocStorage } from './docStorage'
import { createDocSync } from './docSync'
import type { CollabContext, CollabOptions, OpenDoc } from './openDoc'
import { listenToPage } from './pageLifecycle'
import { createTextSnapshot } from './textSnapshot'

/** The collab plugin's handler for one store: every Y.Doc, UndoManager and Awareness is here. */
export function createCollabHandler(
  ctx: PluginContext,
  options: CollabOptions,
  live: Map<string, Y.Doc>,
): PluginHandler {
  const c: CollabContext = {
    ctx,
    options,
    docs: new Map<string, OpenDoc>(),
    live,
    wasConnected: false,
  }
  // The text snapshot in state, throttled.
  const { scheduleText } = createTextSnapshot(c)
  // Frames out, through the connection's one flow control.
  const sender = createDocSender(c)
  // The sync protocol, and every doc frame in.
  const { sendStep1, receive } = createDocSync(c, sender)
  // Offline storage: saved after changes, loaded on open.
  const storage = createDocStorage(c, { scheduleText, sendStep1 })
  // Opening and closing documents.
  const lifecycle = createDocLifecycle(c, {
    scheduleText,
    scheduleFlush: sender.scheduleFlush,
    storage,
  })
  // The server's errors about our documents.
  const docError = createDocErrors(c, { sender, sendStep1 })
  // Acks and the connection's life.
  const settle = createConnectionEvents(c, {
    sender,
    sendStep1,
    scheduleSave: storage.scheduleSave,
    docError,
  })
  // The plugin's commands, each acted on once.
  const command = createDocCommands(c, lifecycle)
  // The page going away (and coming back from the bfcache).
  listenToPage(c, storage)

  return {
    handle(action) {
      if (!command(action)) settle(action)
    },
    receive,
  }
}
