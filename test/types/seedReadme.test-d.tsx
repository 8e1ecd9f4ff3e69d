/**
 * The seed README's React samples, as written (only the import paths differ: '@/providers/…' and
 * '@/services/websocket' become the package's entries), must type-check.
 */
import { useEffect } from 'react'
import type { Store } from '@reduxjs/toolkit'
import { describe, expectTypeOf, it } from 'vitest'
import {
  DevHelpers,
  MessageType,
  WebSocketError,
  WebSocketErrorCode,
  WebSocketUtils,
  createDefaultConfig,
  createRealtime,
  type ChatMessage,
  type ConnectionInfo,
  type EventData,
  type Notification,
  type PerformanceMetrics,
  type RealtimeState,
  type UserPresence,
  type WebSocketState,
} from '../../src'
import {
  WebSocketProvider,
  useChat,
  useEvents,
  useNotifications,
  usePresence,
  useRealtimeDispatch,
  useRealtimeSelector,
  useRealtimeStore,
  useWebSocket,
  useWebSocketContext,
  type DisconnectInfo,
  type WebSocketHandle,
} from '../../src/react'

declare function YourAppContent(): React.JSX.Element

// --- Provider Setup ---------------------------------------------------------------------------
function App() {
  return (
    <WebSocketProvider
      authToken="your-jwt-token"
      userId="current-user-id"
      enableDevMode={process.env.NODE_ENV === 'development'}
    >
      <YourAppContent />
    </WebSocketProvider>
  )
}

// --- Basic Usage ------------------------------------------------------------------------------
function ChatComponent() {
  const { websocket } = useWebSocketContext()
  const chat = useChat(websocket, 'room-id')

  const sendMessage = () => {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the seed's code, as written
    chat.sendMessage('Hello, World!')
  }

  return (
    <div>
      {chat.messages.map((msg) => (
        <div key={msg.id}>{msg.data.content}</div>
      ))}
      <button onClick={sendMessage}>Send Message</button>
    </div>
  )
}

const config = createDefaultConfig({
  url: 'localhost',
  port: 3000,
  enableLogging: process.env.NODE_ENV === 'development',
})

// --- React Hooks ------------------------------------------------------------------------------
async function ReactHooks() {
  // useWebSocket
  const websocket = useWebSocket(config, {
    autoConnect: true,
    onConnect: (info) => console.log('Connected:', info),
    onDisconnect: (info) => console.log('Disconnected:', info),
    onError: (error) => console.error('Error:', error),
  })

  // Connection state
  const isConnected = websocket.isConnected
  const connectionState = websocket.connectionState

  // Messaging
  await websocket.sendMessage({ type: MessageType.CHAT_MESSAGE, data: { content: 'Hi' } })
  await websocket.sendChatMessage('Hello', 'room-id')
  await websocket.sendDirectMessage('Private message', 'user-id')

  // Room management
  await websocket.joinRoom('room-id')
  await websocket.leaveRoom('room-id')
  const rooms = websocket.getRooms()

  // useChat
  const chat = useChat(websocket, 'room-id', {
    maxMessages: 100,
    enableTypingIndicators: true,
    typingTimeout: 3000,
  })

  // Messages
  const messages = chat.messages
  await chat.sendMessage('Hello everyone!')
  chat.markAsRead('message-id')

  // Typing indicators
  chat.startTyping()
  chat.stopTyping()
  const typingUsers = chat.typingUsers

  // usePresence
  const presence = usePresence(websocket)

  // User status
  const onlineUsers = presence.onlineUsers
  const userStatuses = presence.userStatuses

  // Status management
  presence.setStatus('away')
  presence.setCustomStatus('In a meeting')

  // Subscriptions
  presence.subscribeToUser('user-id')
  presence.unsubscribeFromUser('user-id')

  // useNotifications
  const notifications = useNotifications(websocket, {
    maxNotifications: 50,
    autoMarkRead: false,
  })

  // Notifications
  const allNotifications = notifications.notifications
  const unreadCount = notifications.unreadCount

  // Actions
  notifications.markAsRead('notification-id')
  notifications.markAllAsRead()
  notifications.dismiss('notification-id')
  notifications.clearAll()

  // useEvents
  const events = useEvents(websocket)

  // Events
  const upcomingEvents = events.upcomingEvents
  const event = events.getEventById('event-id')

  // Subscriptions
  events.subscribeToEvents()
  events.unsubscribeFromEvents()

  expectTypeOf(isConnected).toBeBoolean()
  expectTypeOf(connectionState).toEqualTypeOf<WebSocketState>()
  expectTypeOf(rooms).toEqualTypeOf<string[]>()
  expectTypeOf(messages).toEqualTypeOf<readonly ChatMessage[]>()
  expectTypeOf(messages[0]!.data.content).toBeString()
  expectTypeOf(typingUsers).toEqualTypeOf<readonly string[]>()
  expectTypeOf(onlineUsers).toEqualTypeOf<readonly string[]>()
  expectTypeOf(userStatuses).toEqualTypeOf<Readonly<Record<string, UserPresence>>>()
  expectTypeOf(userStatuses['u']!.status).toEqualTypeOf<'online' | 'away' | 'busy' | 'offline'>()
  expectTypeOf(allNotifications).toEqualTypeOf<readonly Notification[]>()
  expectTypeOf(unreadCount).toBeNumber()
  expectTypeOf(upcomingEvents).toEqualTypeOf<readonly EventData[]>()
  expectTypeOf(event).toEqualTypeOf<EventData | undefined>()
}

// --- Error Handling ---------------------------------------------------------------------------
function ErrorHandling() {
  const websocket = useWebSocket(config, {
    onError: (error: WebSocketError, context?: string) => {
      console.error(`WebSocket error in ${context}:`, error)

      switch (error.code) {
        case WebSocketErrorCode.AUTHENTICATION_FAILED:
          // Refresh token or redirect to login
          break
        case WebSocketErrorCode.RATE_LIMITED:
          // Implement backoff strategy
          break
        default:
        // Generic error handling
      }
    },
  })
  return websocket
}

// --- Performance & Monitoring -----------------------------------------------------------------
function Monitoring({ websocket }: { websocket: WebSocketHandle }) {
  const metrics = websocket.getPerformanceMetrics()
  const healthScore = WebSocketUtils.calculateHealthScore(metrics)
  const connectionInfo = websocket.getConnectionInfo()

  // Monitor connection health
  useEffect(() => {
    const interval = setInterval(() => {
      const health = WebSocketUtils.calculateHealthScore(websocket.getPerformanceMetrics())
      if (health < 50) {
        console.warn('Poor WebSocket connection health:', health)
      }
    }, 30000)

    return () => clearInterval(interval)
  }, [websocket])

  expectTypeOf(metrics).toEqualTypeOf<PerformanceMetrics>()
  expectTypeOf(healthScore).toBeNumber()
  expectTypeOf(connectionInfo).toEqualTypeOf<ConnectionInfo>()
  return null
}

// --- Security Features: automatic authentication with token -----------------------------------
function Security() {
  const websocket = useWebSocket({
    url: 'localhost',
    authToken: 'your-jwt-token',
  })
  return websocket
}

// --- Development Tools ------------------------------------------------------------------------
function DevMode() {
  return (
    <WebSocketProvider enableDevMode={true}>
      <App />
    </WebSocketProvider>
  )
}

function Utilities(metrics: PerformanceMetrics) {
  // Create mock data for testing
  const mockMessage = DevHelpers.createMockMessage()
  const mockConnection = DevHelpers.createMockConnectionInfo()

  // Debug logging
  const logger = DevHelpers.createDebugLogger()

  // Utility functions
  const roomId = WebSocketUtils.generatePrivateRoomId('user1', 'user2')
  const healthScore = WebSocketUtils.calculateHealthScore(metrics)
  return { mockMessage, mockConnection, logger, roomId, healthScore }
}

describe('the seed README’s React samples', () => {
  it('compile as written', () => {
    expectTypeOf(App).returns.toEqualTypeOf<React.JSX.Element>()
    expectTypeOf(ChatComponent).returns.toEqualTypeOf<React.JSX.Element>()
    expectTypeOf(ReactHooks).returns.resolves.toBeVoid()
    expectTypeOf(ErrorHandling).returns.toEqualTypeOf<WebSocketHandle>()
    expectTypeOf(Security).returns.toEqualTypeOf<WebSocketHandle>()
    expectTypeOf(Monitoring).returns.toBeNull()
    expectTypeOf(DevMode).returns.toEqualTypeOf<React.JSX.Element>()
    expectTypeOf(Utilities).returns.toHaveProperty('roomId').toBeString()
  })

  it('types the callbacks of useWebSocket', () => {
    useWebSocket(config, {
      onConnect: (info) => expectTypeOf(info).toEqualTypeOf<ConnectionInfo>(),
      onDisconnect: (info) => expectTypeOf(info).toEqualTypeOf<DisconnectInfo>(),
      onError: (error, context) => {
        expectTypeOf(error).toEqualTypeOf<WebSocketError>()
        expectTypeOf(context).toEqualTypeOf<string | undefined>()
      },
    })
  })

  it('offers the short forms inside a provider', () => {
    expectTypeOf(useChat('room-id').messages).toEqualTypeOf<readonly ChatMessage[]>()
    expectTypeOf(useChat('room-id', { maxMessages: 10 }).isJoined).toBeBoolean()
    expectTypeOf(useNotifications({ maxNotifications: 5 }).unreadCount).toBeNumber()
    expectTypeOf(usePresence().onlineUsers).toEqualTypeOf<readonly string[]>()
    expectTypeOf(useEvents().isSubscribed).toBeBoolean()
    // @ts-expect-error 'offline' is not a status you can set
    usePresence().setStatus('offline')
  })
})

describe('typed hooks for your own store', () => {
  const realtime = createRealtime({ url: 'localhost' })
  type RootState = { app: { theme: 'dark' | 'light' }; realtime: RealtimeState }
  type AppStore = Store<RootState>
  type AppDispatch = AppStore['dispatch']

  it('narrow useRealtimeSelector, useRealtimeDispatch and useRealtimeStore with .withTypes', () => {
    const useAppRealtimeSelector = useRealtimeSelector.withTypes<RootState>()
    const theme = useAppRealtimeSelector((state) => state.app.theme)
    expectTypeOf(theme).toEqualTypeOf<'dark' | 'light'>()
    const messages = useAppRealtimeSelector((state) =>
      realtime.selectors.selectMessagesByRoom(state, 'general'),
    )
    expectTypeOf(messages).toEqualTypeOf<readonly ChatMessage[]>()

    const dispatch = useRealtimeDispatch.withTypes<AppDispatch>()()
    expectTypeOf(dispatch).toEqualTypeOf<AppDispatch>()
    dispatch(realtime.actions.joinRoom('general'))

    const store = useRealtimeStore.withTypes<AppStore>()()
    expectTypeOf(store.getState().app.theme).toEqualTypeOf<'dark' | 'light'>()
  })
})
