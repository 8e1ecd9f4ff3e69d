import { useState, type FormEvent } from 'react'
import type { WebSocketCommands } from '../commands'
import { styles } from './styles'

type Status =
  { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent' } | { kind: 'failed'; message: string }

/** Sends a chat message to any room (joining it first when needed) and shows the outcome. */
export function TestSender({ commands }: { commands: WebSocketCommands }) {
  const [room, setRoom] = useState('general')
  const [content, setContent] = useState('')
  const [status, setStatus] = useState<Status>({ kind: 'idle' })

  const send = (event: FormEvent) => {
    event.preventDefault()
    if (content.trim() === '' || room.trim() === '') return
    setStatus({ kind: 'sending' })
    // sendChatMessage joins the room first when it is not joined yet.
    commands.sendChatMessage(content, room.trim()).then(
      () => {
        setStatus({ kind: 'sent' })
        setContent('')
      },
      (error: unknown) =>
        setStatus({
          kind: 'failed',
          message: error instanceof Error ? error.message : String(error),
        }),
    )
  }

  return (
    <section style={styles.section}>
      <div style={styles.sectionTitle}>Test message</div>
      <form style={styles.row} onSubmit={send}>
        <input
          data-testid="devtools-room"
          aria-label="Room"
          placeholder="room"
          style={{ ...styles.input, flex: '0 1 30%' }}
          value={room}
          onChange={(e) => setRoom(e.target.value)}
        />
        <input
          data-testid="devtools-content"
          aria-label="Message"
          placeholder="message"
          style={styles.input}
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
        <button type="submit" data-testid="devtools-send" style={styles.button}>
          Send
        </button>
      </form>
      <div
        data-testid="devtools-send-status"
        style={status.kind === 'failed' ? styles.error : undefined}
      >
        {status.kind === 'failed'
          ? `failed: ${status.message}`
          : status.kind === 'idle'
            ? ''
            : status.kind}
      </div>
    </section>
  )
}
