import { useEffect, useState, type FormEvent } from 'react'
import {
  subscribeToUser,
  unsubscribeFromUser,
  type PresenceStatus,
  type UserPresence,
} from 'redux-realtime-kit'
import { usePresence, useWebSocketContext } from 'redux-realtime-kit/react'
import { Avatar } from '../Avatar'
import { DEMO_USERS } from '../demoUsers'
import { timeAgo } from '../format'
import { useNow } from '../useNow'

const STATUS_ORDER: Record<PresenceStatus, number> = { online: 0, busy: 1, away: 2, offline: 3 }
type OwnStatus = Exclude<PresenceStatus, 'offline'>

function describe(presence: UserPresence | undefined, now: number): string {
  if (!presence || presence.status === 'offline') {
    return presence?.lastSeen ? `offline, last seen ${timeAgo(presence.lastSeen, now)}` : 'offline'
  }
  return presence.status
}

/** The seed's PresenceExample: who is online, and your own status and custom status. */
export function PresenceExample() {
  const { websocket, userId: me = '' } = useWebSocketContext()
  const presence = usePresence(websocket)
  const now = useNow()
  const [customText, setCustomText] = useState('')
  const mine = presence.getUserStatus(me)

  // Follow the other demo users too, so they show up (with "last seen") outside shared rooms.
  // (`presence.subscribeToUser` changes with every presence update; `dispatch` never does.)
  const { dispatch } = websocket
  useEffect(() => {
    const others = DEMO_USERS.filter((user) => user !== me)
    for (const user of others) dispatch(subscribeToUser(user))
    return () => {
      for (const user of others) dispatch(unsubscribeFromUser(user))
    }
  }, [me, dispatch])

  const users = [...new Set([me, ...DEMO_USERS, ...Object.keys(presence.userStatuses)])]
    .map((userId) => ({ userId, presence: presence.getUserStatus(userId) }))
    .sort(
      (a, b) =>
        STATUS_ORDER[a.presence?.status ?? 'offline'] -
          STATUS_ORDER[b.presence?.status ?? 'offline'] || a.userId.localeCompare(b.userId),
    )

  const saveCustom = (event: FormEvent) => {
    event.preventDefault()
    presence.setCustomStatus(customText.trim())
  }

  return (
    <section className="panel" data-testid="presence">
      <div className="panel-head">
        <h2>Presence</h2>
        <span className="muted small" data-testid="online-count">
          {websocket.isConnected
            ? `${presence.onlineUsers.length} online`
            : 'as last seen (reconnecting)'}
        </span>
      </div>
      <div className="panel-body">
        <form className="status-form" onSubmit={saveCustom}>
          <select
            aria-label="Your status"
            data-testid="status-select"
            value={mine?.status === 'offline' || !mine ? 'online' : mine.status}
            onChange={(event) => presence.setStatus(event.target.value as OwnStatus)}
          >
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="busy">Busy</option>
          </select>
          <input
            type="text"
            aria-label="Custom status"
            data-testid="custom-status-input"
            placeholder={mine?.customStatus || 'What are you up to?'}
            value={customText}
            maxLength={128}
            onChange={(event) => setCustomText(event.target.value)}
          />
          <button type="submit" data-testid="custom-status-save">
            Set
          </button>
        </form>
        <ul className="user-list">
          {users.map(({ userId, presence: entry }) => {
            const status = entry?.status ?? 'offline'
            return (
              <li
                key={userId}
                className="user-row"
                data-testid={status === 'offline' ? 'offline-user' : 'online-user'}
                data-user={userId}
                data-status={status}
              >
                <Avatar userId={userId} status={status} />
                <div className="who">
                  <div>
                    <strong>{userId}</strong>
                    {userId === me ? <span className="muted"> (you)</span> : null}
                  </div>
                  {entry?.customStatus ? (
                    <div className="custom" data-testid="custom-status">
                      “{entry.customStatus}”
                    </div>
                  ) : null}
                </div>
                <span className="muted small">{describe(entry, now)}</span>
              </li>
            )
          })}
        </ul>
      </div>
    </section>
  )
}
