import { useState, type FormEvent } from 'react'
import { findMentions } from '../../format'

export interface Draft {
  content: string
  mentions: string[]
}

interface ComposerProps {
  placeholder: string
  replyingTo?: { author: string; content: string } | undefined
  onCancelReply: () => void
  onSend: (draft: Draft) => void
  /** Called as the text changes: true while there is text. */
  onTyping?: (typing: boolean) => void
  offline: boolean
}

/** The message input. Sending works offline too: the message waits in the outbox. */
export function Composer(props: ComposerProps) {
  const { placeholder, replyingTo, onCancelReply, onSend, onTyping, offline } = props
  const [text, setText] = useState('')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const content = text.trim()
    if (!content) return
    onSend({ content, mentions: findMentions(content) })
    setText('')
  }

  return (
    <form className="composer" onSubmit={submit}>
      {replyingTo ? (
        <div className="replying" data-testid="replying-to">
          <span>
            Replying to <strong>{replyingTo.author}</strong>: {replyingTo.content.slice(0, 60)}
          </span>
          <button type="button" className="link" onClick={onCancelReply}>
            Cancel
          </button>
        </div>
      ) : null}
      <div className="composer-row">
        <input
          type="text"
          data-testid="chat-input"
          aria-label="Message"
          placeholder={placeholder}
          value={text}
          maxLength={4000}
          onChange={(event) => {
            setText(event.target.value)
            onTyping?.(event.target.value.trim() !== '')
          }}
          onBlur={() => onTyping?.(false)}
        />
        <button type="submit" className="primary" data-testid="chat-send" disabled={!text.trim()}>
          Send
        </button>
      </div>
      {offline ? (
        <div className="muted small" data-testid="offline-hint">
          Offline: messages wait here and go out once the connection is back.
        </div>
      ) : null}
    </form>
  )
}
