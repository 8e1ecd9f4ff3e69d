import { useEffect, useRef, type PointerEvent } from 'react'
import { useDispatch, useSelector } from 'react-redux'
import { useRoomPresence, useWebSocketContext } from 'redux-realtime-kit/react'
import { Avatar, hue } from '../../Avatar'
import { useNow } from '../../useNow'
import {
  BOARD_ROOM,
  CARDS,
  COLUMNS,
  COLUMN_TITLES,
  type AppRealtime,
  type AppState,
  type AppStore,
  type Column,
} from './boardStore'

/** A pointer not moved for this long is hidden (its owner may have walked away). */
const CURSOR_STALE_MS = 30_000

interface BoardExampleProps {
  realtime: AppRealtime
}

/**
 * A shared board: cards moved by durable messages (acked, in the room's history, so a late
 * joiner or a reload sees where they are), live pointers by volatile ones (latest wins, never
 * queued offline), and who is here from room presence.
 */
export function BoardExample({ realtime }: BoardExampleProps) {
  const dispatch = useDispatch<AppStore['dispatch']>()
  const { userId: me = '' } = useWebSocketContext()
  const columns = useSelector((state: AppState) => state.board.columns)
  const cursors = useSelector((state: AppState) => state.board.cursors)
  const { members, setPresence } = useRoomPresence(BOARD_ROOM)
  const now = useNow(5_000)
  const area = useRef<HTMLDivElement>(null)
  const frame = useRef<number | null>(null)
  const pointer = useRef<{ x: number; y: number } | null>(null)

  useEffect(() => {
    dispatch(realtime.actions.joinRoom(BOARD_ROOM))
    return () => {
      dispatch(realtime.actions.leaveRoom(BOARD_ROOM))
    }
  }, [dispatch, realtime])

  useEffect(() => setPresence({ view: 'board' }), [setPresence])

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current)
    },
    [],
  )

  const move = (id: string, to: Column) => {
    dispatch(realtime.actions.publish({ room: BOARD_ROOM, type: 'card_moved', data: { id, to } }))
  }

  // At most one pointer message per animation frame; the package keeps only the latest anyway.
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const box = area.current?.getBoundingClientRect()
    if (!box || box.width === 0 || box.height === 0) return
    pointer.current = {
      x: (event.clientX - box.left) / box.width,
      y: (event.clientY - box.top) / box.height,
    }
    if (frame.current !== null) return
    frame.current = requestAnimationFrame(() => {
      frame.current = null
      const data = pointer.current
      if (!data) return
      dispatch(realtime.actions.publish({ room: BOARD_ROOM, type: 'cursor', data, volatile: true }))
    })
  }

  const present = new Set(members.map((member) => member.userId))
  const others = cursors.filter(
    (cursor) =>
      cursor.userId !== me && present.has(cursor.userId) && now - cursor.at < CURSOR_STALE_MS,
  )

  return (
    <section className="panel board" data-testid="board" aria-labelledby="board-title">
      <div className="panel-head">
        <h2 id="board-title">Board</h2>
        <ul className="board-members" data-testid="board-members" aria-label="Who's here">
          {members.map((member) => (
            <li
              key={member.userId}
              data-testid={`board-member-${member.userId}`}
              title={member.userId}
            >
              <Avatar userId={member.userId} status={member.status} />
              <span className="small">
                {member.userId === me ? `${member.userId} (you)` : member.userId}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <div className="board-area" ref={area} onPointerMove={onPointerMove} data-testid="board-area">
        {COLUMNS.map((column, index) => (
          <div key={column} className="board-column" data-testid={`column-${column}`}>
            <h3>{COLUMN_TITLES[column]}</h3>
            <ul>
              {CARDS.filter((card) => columns[card.id] === column).map((card) => (
                <li key={card.id} className="board-card" data-testid={`card-${card.id}`}>
                  <span>{card.title}</span>
                  <span className="board-card-moves">
                    {index > 0 ? (
                      <button
                        type="button"
                        aria-label={`Move "${card.title}" to ${COLUMN_TITLES[COLUMNS[index - 1]!]}`}
                        onClick={() => move(card.id, COLUMNS[index - 1]!)}
                      >
                        ←
                      </button>
                    ) : null}
                    {index < COLUMNS.length - 1 ? (
                      <button
                        type="button"
                        aria-label={`Move "${card.title}" to ${COLUMN_TITLES[COLUMNS[index + 1]!]}`}
                        onClick={() => move(card.id, COLUMNS[index + 1]!)}
                      >
                        →
                      </button>
                    ) : null}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ))}
        {others.map((cursor) => (
          <span
            key={cursor.userId}
            className="board-cursor"
            data-testid={`cursor-${cursor.userId}`}
            style={{
              left: `${cursor.x * 100}%`,
              top: `${cursor.y * 100}%`,
              borderColor: `hsl(${hue(cursor.userId)} 55% 40%)`,
            }}
            aria-hidden="true"
          >
            {cursor.userId}
          </span>
        ))}
      </div>
    </section>
  )
}
