import { useMemo, useState } from 'react'
import { createIndexedDbStorage, type RealtimeConfig } from 'redux-realtime-kit'
import { Provider } from 'react-redux'
import { WebSocketProvider } from 'redux-realtime-kit/react'
import { hue } from './Avatar'
import { createAppStore } from './examples/board/boardStore'
import { Dashboard } from './Dashboard'
import { LoginScreen, type Session } from './LoginScreen'

/**
 * The WebSocket is on the page's own host and port (`npm start` serves the app and the socket
 * together; `vite` dev mode proxies /ws), unless VITE_WS_URL says otherwise.
 */
function serverUrl(): string {
  const configured = import.meta.env.VITE_WS_URL as string | undefined
  if (configured) return configured
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${window.location.host}/ws`
}

/** Quick retries suit a local demo: a restarted server is found within a few seconds. */
const baseConfig: RealtimeConfig = {
  url: serverUrl(),
  reconnectInterval: 500,
  maxReconnectDelay: 4000,
  maxReconnectAttempts: Infinity,
  heartbeatInterval: 15_000,
}

/** The signed-in user survives a reload of the tab (not a new tab: each tab signs in). */
const SESSION_KEY = 'redux-realtime-example:session'

function savedSession(): Session | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null
    return saved && typeof saved.userId === 'string' && typeof saved.token === 'string'
      ? saved
      : null
  } catch {
    return null
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(savedSession)
  const signIn = (next: Session | null) => {
    if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next))
    else sessionStorage.removeItem(SESSION_KEY)
    setSession(next)
  }
  // One store per signed-in user: the app's board slice next to the realtime reducer. Each
  // user's outbox and room cursors live in IndexedDB: messages typed offline survive a reload.
  const userId = session?.userId
  const token = session?.token
  const app = useMemo(
    () =>
      userId === undefined
        ? null
        : createAppStore(
            {
              ...baseConfig,
              authToken: token,
              storage: createIndexedDbStorage({ name: `redux-realtime-example:${userId}` }),
            },
            // Your caret in the shared document, in your colour (as on the board).
            { user: { color: `hsl(${hue(userId)} 55% 40%)` } },
          ),
    [userId, token],
  )
  if (!session || !app) return <LoginScreen onLogin={signIn} />
  return (
    // A new user is a new connection and a new store: remount the providers.
    <Provider store={app.store} key={session.userId}>
      {/* Under the app's own <Provider>, the realtime provider uses that store. */}
      <WebSocketProvider
        realtime={app.realtime}
        authToken={session.token}
        userId={session.userId}
        enableDevMode
      >
        <Dashboard onSignOut={() => signIn(null)} realtime={app.realtime} />
      </WebSocketProvider>
    </Provider>
  )
}
