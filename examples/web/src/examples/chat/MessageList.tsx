import { useEffect, useRef } from 'react'
import type { ChatMessage, DirectMessage, ReadPosition } from 'redux-realtime-kit'
import { Avatar } from '../../Avatar'
import { formatTime } from '../../format'
import { Attachments } from './Attachments'

type Message = ChatMessage | DirectMessage

interface MessageListProps {
  messages: readonly Message[]
  me: string
  /** Room read receipts: who has read up to which message. */
  receipts?: Readonly<Record<string, ReadPosition>>
  onReply: (message: Message) => void
  emptyText: string
}

/** `@name`s highlighted; everything stays text (React escapes it). */
function MessageText({ content }: { content: string }) {
  const parts = content.split(/((?:^|(?<=\s))@[A-Za-z0-9_.-]{1,64})/)
  return (
    <div className="message-text">
      {parts.map((part, index) =>
        part.startsWith('@') ? (
          <span key={index} className="mention">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </div>
  )
}

function StatusLine({ message }: { message: Message }) {
  if (message.status === 'pending') return <span className="message-status">Sending…</span>
  if (message.status === 'failed') {
    return (
      <span className="message-status failed" title={message.error?.code}>
        Not sent: {message.error?.message ?? 'failed'}
      </span>
    )
  }
  if (message.status === 'sent') return <span className="message-status">✓ Sent</span>
  return null
}

/** Messages in order, with replies quoted, mentions, own-message status and "seen by". */
export function MessageList({ messages, me, receipts, onReply, emptyText }: MessageListProps) {
  const list = useRef<HTMLOListElement>(null)
  const last = messages[messages.length - 1]
  useEffect(() => {
    const element = list.current
    if (element) element.scrollTop = element.scrollHeight
  }, [last?.id, last?.status])

  const byId = new Map(messages.map((message) => [message.id, message]))
  const seenBy = new Map<string, string[]>()
  for (const [userId, position] of Object.entries(receipts ?? {})) {
    if (userId === me) continue
    seenBy.set(position.messageId, [...(seenBy.get(position.messageId) ?? []), userId])
  }

  if (messages.length === 0) {
    return (
      <ol className="messages" ref={list}>
        <li className="empty">{emptyText}</li>
      </ol>
    )
  }
  return (
    <ol className="messages" ref={list} data-testid="chat-messages">
      {messages.map((message) => {
        const author = message.userId ?? me
        const quoted = message.data.replyTo ? byId.get(message.data.replyTo) : undefined
        const mentionsMe = message.data.mentions?.includes(me) ?? false
        const readers = seenBy.get(message.id)
        return (
          <li
            key={message.id}
            className={mentionsMe ? 'message mentions-me' : 'message'}
            data-testid="chat-message"
            data-status={message.status ?? 'received'}
            data-author={author}
          >
            <Avatar userId={author} />
            <div className="message-body">
              <div className="message-meta">
                <span className="author">{author === me ? `${author} (you)` : author}</span>
                <time dateTime={new Date(message.timestamp).toISOString()}>
                  {formatTime(message.timestamp)}
                </time>
                {author === me ? <StatusLine message={message} /> : null}
                <span className="message-actions">
                  <button type="button" className="link" onClick={() => onReply(message)}>
                    Reply
                  </button>
                </span>
              </div>
              {message.data.replyTo ? (
                <div className="reply-quote" data-testid="reply-quote">
                  ↪{' '}
                  {quoted ? `${quoted.userId ?? me}: ${quoted.data.content}` : 'an earlier message'}
                </div>
              ) : null}
              <MessageText content={message.data.content} />
              {message.data.attachments?.length ? (
                <Attachments files={message.data.attachments} />
              ) : null}
              {readers ? (
                <div className="seen-by" data-testid="seen-by">
                  Seen by {readers.join(', ')}
                </div>
              ) : null}
            </div>
          </li>
        )
      })}
    </ol>
  )
}
