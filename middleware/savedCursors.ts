import { isSeq, isValidId, isValidRoom } from '../src/protocol/validate'
import { connection } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'
import type { SavedCursor } from './streams'

/** Cursors are saved at most this often while messages arrive. */
const SAVE_EVERY_MS = 250

function isSavedCursor(value: unknown): value is SavedCursor {
  const c = value as SavedCursor | null
  return (
    typeof c === 'object' && c !== null && isValidRoom(c.room) && isValidId(c.epoch) && isSeq(c.seq)
  )
}

/**
 * The rooms' resume cursors in `storage` (when it keeps them), so a reload resumes each room
 * from the last applied seq instead of replaying its history. Loaded before the first `auth`
 * goes out; saved a little after they move, and at every close.
 */
export function buildSavedCursorsHandler(ctx: RealtimeContext): Handler {
  const { storage, streams } = ctx
  if (!storage.saveCursors || !storage.loadCursors) return () => {}
  const saveCursors = storage.saveCursors.bind(storage)
  const loadCursors = storage.loadCursors.bind(storage)
  let savedVersion = streams.version
  let timer: ReturnType<typeof setTimeout> | undefined

  ctx.whenLoaded(
    ctx.persist('load cursors', async () => {
      const list: unknown = await loadCursors()
      // Storage is outside our control: only well-formed cursors count.
      streams.restore(Array.isArray(list) ? list.filter(isSavedCursor) : [])
      savedVersion = streams.version
    }),
  )

  function save(): void {
    timer = undefined
    if (streams.version === savedVersion) return
    savedVersion = streams.version
    const cursors = streams.saved()
    void ctx.persist('save cursors', () => saveCursors(cursors))
  }

  return (action) => {
    if (connection.closed.match(action)) {
      clearTimeout(timer)
      save()
    } else if (timer === undefined && streams.version !== savedVersion) {
      timer = setTimeout(save, SAVE_EVERY_MS)
    }
  }
}
