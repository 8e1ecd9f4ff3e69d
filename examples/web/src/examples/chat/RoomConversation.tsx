import { useEffect, useState } from 'react'
import type { ChatMessage } from 'redux-realtime-kit'
import { useChat, useWebSocketContext } from 'redux-realtime-kit/react'
import { Composer } from './Composer'
import { MessageList } from './MessageList'

function lastConfirmedFromOthers(messages: readonly ChatMessage[], me: string) {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ChatMessage
    if (message.seq !== undefined && message.userId !== me) return message
  }
  return undefined
}

/** A room: messages, typing indicator, read receipts ("seen by"), replies and @mentions. */
export function RoomConversation({ room }: { room: string }) {
  const { websocket, userId: me = '' } = useWebSocketContext()
  const chat = useChat(websocket, room, { maxMessages: 200, typingTimeout: 3000 })
  const [replyTo, setReplyTo] = useState<ChatMessage | undefined>()

  // Reading the room: send a receipt for the newest message by someone else.
  const newest = lastConfirmedFromOthers(chat.messages, me)
  const readSeq = chat.readReceipts[me]?.seq ?? 0
  const { markAsRead } = chat
  useEffect(() => {
    if (newest && (newest.seq ?? 0) > readSeq) markAsRead(newest.id)
  }, [newest, readSeq, markAsRead])

  const typing = chat.typingUsers
  return (
    <div className="chat-main">
      <MessageList
        messages={chat.messages}
        me={me}
        receipts={chat.readReceipts}
        onReply={(message) => setReplyTo(message as ChatMessage)}
        emptyText={chat.isJoined ? `No messages in #${room} yet. Say hi!` : `Joining #${room}…`}
      />
      <div className="typing" aria-live="polite">
        {typing.length > 0 ? (
          <span data-testid="typing-indicator">
            {typing.join(', ')} {typing.length === 1 ? 'is' : 'are'} typing…
          </span>
        ) : null}
      </div>
      <Composer
        placeholder={`Message #${room}`}
        replyingTo={
          replyTo ? { author: replyTo.userId ?? me, content: replyTo.data.content } : undefined
        }
        onCancelReply={() => setReplyTo(undefined)}
        offline={!websocket.isConnected}
        onTyping={(active) => (active ? chat.startTyping() : chat.stopTyping())}
        onSend={({ content, mentions }) => {
          const extras = {
            ...(replyTo ? { replyTo: replyTo.id } : {}),
            ...(mentions.length > 0 ? { mentions } : {}),
          }
          setReplyTo(undefined)
          // A failure shows on the message itself (status 'failed').
          chat.sendMessage(content, extras).catch(() => undefined)
        }}
      />
    </div>
  )
}
