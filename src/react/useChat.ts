import { useEffect, useMemo, useRef } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { ChatMessage, ReadPosition } from './core'
import { commandsFor, type MessageExtras } from './commands'
import type { RealtimeBinding } from './handle'
import { retainRoom } from './retainRoom'
import { roomArgs, useBinding } from './useBinding'
import { useSelectorOf } from './useStoreSelector'

/** The seed's `useChat` options. */
export interface UseChatOptions {
  /** Keep only the newest this many messages in `messages` (state keeps `maxMessagesPerRoom`). */
  maxMessages?: number
  /** Send and show typing indicators (default true). */
  enableTypingIndicators?: boolean
  /** Your indicator stops by itself this long after the last `startTyping()` (default 3000 ms). */
  typingTimeout?: number
}

/** What `useChat` returns. */
export interface ChatHandle {
  room: string
  /** The room's messages in `seq` order, then your own unconfirmed ones (`status: 'pending'`). */
  messages: readonly ChatMessage[]
  /** Sends to the room; resolves when the server acknowledges it. */
  sendMessage: (content: string, extras?: MessageExtras) => Promise<void>
  /** Sends your read receipt up to this message (throws if it is not in the room). */
  markAsRead: (messageId: string) => void
  startTyping: () => void
  stopTyping: () => void
  /** Other users typing in the room now. */
  typingUsers: readonly string[]
  /** Messages by others after your own read receipt. */
  unreadCount: number
  /** User id → how far they have read. */
  readReceipts: Readonly<Record<string, ReadPosition>>
  /** The server confirmed the join. */
  isJoined: boolean
}

export interface UseChat {
  (websocket: RealtimeBinding, room: string, options?: UseChatOptions): ChatHandle
  /** Inside `<WebSocketProvider>`. */
  (room: string, options?: UseChatOptions): ChatHandle
}

const NOBODY: readonly string[] = Object.freeze([])
/** The typing users with indicators off. */
const nobody = () => NOBODY

/**
 * Builds `useChat` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportChat = createChatHook(SupportContext)
 */
export function createChatHook(context: WebSocketReactContext = WebSocketContext): UseChat {
  function useChat(
    ...args: [RealtimeBinding, string, UseChatOptions?] | [string, UseChatOptions?]
  ): ChatHandle {
    const [websocket, room, options] = roomArgs(args)
    const { store, realtime } = useBinding(context, websocket, 'useChat')
    const { maxMessages, enableTypingIndicators = true, typingTimeout = 3000 } = options ?? {}
    const { selectors, actions } = realtime

    useEffect(() => retainRoom(store, realtime, room), [store, realtime, room])

    const all = useSelectorOf(store, selectors.selectMessagesByRoom, room)
    const messages = useMemo(
      (): readonly ChatMessage[] =>
        maxMessages !== undefined && all.length > maxMessages ? all.slice(-maxMessages) : all,
      [all, maxMessages],
    )
    const typingUsers = useSelectorOf(
      store,
      enableTypingIndicators ? selectors.selectTypingUsers : nobody,
      room,
    )
    const unreadCount = useSelectorOf(store, selectors.selectRoomUnreadCount, room)
    const readReceipts = useSelectorOf(store, selectors.selectReadReceipts, room)
    // The room's membership changes only on join, leave, rejoin and their errors.
    const isJoined = useSelectorOf(store, selectors.selectRoomStatus, room)?.status === 'joined'

    // Our own indicator stops by itself after `typingTimeout` without a new startTyping().
    const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
    // Commands keep their identity across state updates, so effects may depend on them.
    const commands = useMemo(() => {
      const stopTyping = () => {
        if (typingTimer.current === undefined) return
        clearTimeout(typingTimer.current)
        typingTimer.current = undefined
        store.dispatch(actions.stopTyping(room))
      }
      return {
        stopTyping,
        startTyping: () => {
          if (!enableTypingIndicators) return
          clearTimeout(typingTimer.current)
          typingTimer.current = setTimeout(stopTyping, typingTimeout)
          store.dispatch(actions.startTyping(room))
        },
        sendMessage: (content: string, extras?: MessageExtras) => {
          clearTimeout(typingTimer.current)
          typingTimer.current = undefined // sending a message stops the indicator
          return commandsFor(store, realtime).sendChatMessage(content, room, extras)
        },
        markAsRead: (messageId: string) => {
          store.dispatch(actions.markAsRead({ room, messageId }))
        },
      }
    }, [store, realtime, actions, room, enableTypingIndicators, typingTimeout])
    useEffect(() => commands.stopTyping, [commands])

    return useMemo(
      () => ({ ...commands, room, messages, typingUsers, unreadCount, readReceipts, isJoined }),
      [commands, room, messages, typingUsers, unreadCount, readReceipts, isJoined],
    )
  }
  return useChat
}

/**
 * A room's chat: joins the room while mounted (reference-counted per store and room: two
 * components on one room join once; the last to unmount leaves), its messages, sending with
 * a promise of the server's ack, read receipts and typing indicators.
 *
 * @example
 * const chat = useChat(websocket, 'room-id', { maxMessages: 100, typingTimeout: 3000 })
 * await chat.sendMessage('Hello everyone!')
 * chat.startTyping()
 * chat.typingUsers // ['bob']
 */
export const useChat: UseChat = createChatHook()
