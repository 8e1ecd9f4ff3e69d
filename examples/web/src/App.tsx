import { useState } from 'react'
import type { RealtimeConfig } from 'redux-realtime'
import { WebSocketProvider } from 'redux-realtime/react'
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
const config: RealtimeConfig = {
  url: serverUrl(),
  reconnectInterval: 500,
  maxReconnectDelay: 4000,
  maxReconnectAttempts: Infinity,
  heartbeatInterval: 15_000,
}

export function App() {
  const [session, setSession] = useState<Session | null>(null)
  if (!session) return <LoginScreen onLogin={setSession} />
  return (
    // A new user is a new connection and a new store: remount the provider.
    <WebSocketProvider
      key={session.userId}
      authToken={session.token}
      userId={session.userId}
      config={config}
      enableDevMode
    >
      <Dashboard onSignOut={() => setSession(null)} />
    </WebSocketProvider>
  )
}
