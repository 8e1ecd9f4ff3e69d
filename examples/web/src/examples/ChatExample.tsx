import { useState } from 'react'
import { selectConversations } from 'redux-realtime-kit'
import {
  useChat,
  usePresence,
  useRealtimeSelector,
  useWebSocketContext,
} from 'redux-realtime-kit/react'
import { Avatar } from '../Avatar'
import { DEMO_USERS, ROOMS } from '../demoUsers'
import { DirectConversation } from './chat/DirectConversation'
import { RoomConversation } from './chat/RoomConversation'

type Conversation = { kind: 'room'; room: string } | { kind: 'direct'; peer: string }

interface LinkProps {
  active: boolean
  onSelect: () => void
}

/** A room in the sidebar. Its `useChat` keeps the room joined, so unread counts stay live. */
function RoomLink({ room, active, onSelect }: LinkProps & { room: string }) {
  const { unreadCount } = useChat(room)
  return (
    <button
      type="button"
      className={active ? 'conversation active' : 'conversation'}
      data-testid={`room-${room}`}
      aria-current={active}
      onClick={onSelect}
    >
      <span className="name"># {room}</span>
      {unreadCount > 0 && !active ? <span className="badge">{unreadCount}</span> : null}
    </button>
  )
}

function PeerLink({ peer, active, onSelect }: LinkProps & { peer: string }) {
  const status = usePresence().getUserStatus(peer)?.status ?? 'offline'
  return (
    <button
      type="button"
      className={active ? 'conversation active' : 'conversation'}
      data-testid={`dm-${peer}`}
      aria-current={active}
      onClick={onSelect}
    >
      <Avatar userId={peer} status={status} />
      <span className="name">{peer}</span>
    </button>
  )
}

/**
 * The seed's ChatExample: rooms to switch between, direct messages, typing indicators, read
 * receipts, replies, @mentions and each own message's pending / sent / failed status.
 */
export function ChatExample() {
  const { userId: me = '' } = useWebSocketContext()
  const [current, setCurrent] = useState<Conversation>({ kind: 'room', room: 'general' })
  const conversations = useRealtimeSelector(selectConversations)
  const peers = [
    ...new Set([...DEMO_USERS, ...conversations.map((c) => c.peer)].filter((u) => u !== me)),
  ]

  return (
    <section className="panel chat" data-testid="chat">
      <div className="panel-head">
        <h2>Chat</h2>
        <span className="muted small" data-testid="chat-title">
          {current.kind === 'room' ? `#${current.room}` : `Direct messages with ${current.peer}`}
        </span>
      </div>
      <div className="chat-layout">
        <nav className="chat-sidebar" aria-label="Conversations">
          <h3>Rooms</h3>
          {ROOMS.map((room) => (
            <RoomLink
              key={room}
              room={room}
              active={current.kind === 'room' && current.room === room}
              onSelect={() => setCurrent({ kind: 'room', room })}
            />
          ))}
          <h3>Direct messages</h3>
          {peers.map((peer) => (
            <PeerLink
              key={peer}
              peer={peer}
              active={current.kind === 'direct' && current.peer === peer}
              onSelect={() => setCurrent({ kind: 'direct', peer })}
            />
          ))}
        </nav>
        {current.kind === 'room' ? (
          <RoomConversation key={`room:${current.room}`} room={current.room} />
        ) : (
          <DirectConversation key={`dm:${current.peer}`} peer={current.peer} />
        )}
      </div>
    </section>
  )
}
