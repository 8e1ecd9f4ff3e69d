import { useState } from 'react'
import { selectDirectMessages, type DirectMessage } from 'redux-realtime-kit'
import { useRealtimeSelector, useWebSocketContext } from 'redux-realtime-kit/react'
import { Composer } from './Composer'
import { MessageList } from './MessageList'

/** A direct conversation with one user, on both users' private streams. */
export function DirectConversation({ peer }: { peer: string }) {
  const { websocket, userId: me = '' } = useWebSocketContext()
  const messages = useRealtimeSelector((state) => selectDirectMessages(state, peer))
  const [replyTo, setReplyTo] = useState<DirectMessage | undefined>()

  return (
    <div className="chat-main">
      <MessageList
        messages={messages}
        me={me}
        onReply={(message) => setReplyTo(message as DirectMessage)}
        emptyText={`This is the start of your conversation with ${peer}. Only the two of you see it.`}
      />
      <div className="typing" />
      <Composer
        placeholder={`Message ${peer} privately`}
        replyingTo={
          replyTo ? { author: replyTo.userId ?? me, content: replyTo.data.content } : undefined
        }
        onCancelReply={() => setReplyTo(undefined)}
        offline={!websocket.isConnected}
        onSend={({ content, mentions }) => {
          const extras = {
            ...(replyTo ? { replyTo: replyTo.id } : {}),
            ...(mentions.length > 0 ? { mentions } : {}),
          }
          setReplyTo(undefined)
          websocket.sendDirectMessage(content, peer, extras).catch(() => undefined)
        }}
      />
    </div>
  )
}
