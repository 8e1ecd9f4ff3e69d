import { useState, type FormEvent } from 'react'
import { Avatar } from './Avatar'
import { DEMO_USERS, DEMO_VIEWER } from './demoUsers'

export interface Session {
  userId: string
  token: string
}

interface LoginScreenProps {
  onLogin: (session: Session) => void
}

/** Asks the dev server for a token (`GET /dev/token?user=…`, only there in `--dev` mode). */
async function fetchToken(userId: string): Promise<string> {
  const response = await fetch(`/dev/token?user=${encodeURIComponent(userId)}`)
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string }
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error(body.error ?? `the server answered ${response.status}`)
  }
  return body.token
}

/** The start screen: pick a demo identity (or type a name) and get a dev token for it. */
export function LoginScreen({ onLogin }: LoginScreenProps) {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [other, setOther] = useState('')

  const login = (userId: string) => {
    setBusy(userId)
    setError(null)
    fetchToken(userId).then(
      (token) => onLogin({ userId, token }),
      (reason: unknown) => {
        setBusy(null)
        setError(
          `Could not get a token for ${userId}: ${reason instanceof Error ? reason.message : String(reason)}. Is the server running with --dev?`,
        )
      },
    )
  }
  const submitOther = (event: FormEvent) => {
    event.preventDefault()
    const name = other.trim()
    if (name) login(name)
  }

  return (
    <main className="login">
      <div className="login-card">
        <h1>redux-realtime demo</h1>
        <p className="muted">
          Pick who you are. Open a second window as someone else to chat, see presence and typing,
          and watch notifications and events arrive live.
        </p>
        <div className="login-users">
          {DEMO_USERS.map((userId) => (
            <button
              key={userId}
              type="button"
              className="login-user"
              data-testid={`login-${userId}`}
              disabled={busy !== null}
              onClick={() => login(userId)}
            >
              <Avatar userId={userId} large />
              <span>{busy === userId ? 'Signing in…' : userId}</span>
            </button>
          ))}
        </div>
        <p className="muted small">
          Or sign in as{' '}
          <button
            type="button"
            className="link"
            data-testid={`login-${DEMO_VIEWER}`}
            disabled={busy !== null}
            onClick={() => login(DEMO_VIEWER)}
          >
            {busy === DEMO_VIEWER ? 'Signing in…' : DEMO_VIEWER}
          </button>
          , who may read the shared document but not change it.
        </p>
        <form className="login-other" onSubmit={submitOther}>
          <input
            type="text"
            placeholder="…or another name"
            aria-label="Another user name"
            data-testid="login-name"
            value={other}
            maxLength={64}
            onChange={(event) => setOther(event.target.value)}
          />
          <button type="submit" disabled={busy !== null || other.trim() === ''}>
            Sign in
          </button>
        </form>
        {error ? (
          <p className="error-text" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </main>
  )
}
