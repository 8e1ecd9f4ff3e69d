import type { PresenceStatus } from 'redux-realtime-kit'

/** A stable hue per user, so everyone keeps their color everywhere. */
export function hue(userId: string): number {
  let hash = 0
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) % 360
  return hash
}

interface AvatarProps {
  userId: string
  status?: PresenceStatus | undefined
  large?: boolean
}

export function Avatar({ userId, status, large = false }: AvatarProps) {
  return (
    <span
      className={large ? 'avatar large' : 'avatar'}
      style={{ background: `hsl(${hue(userId)} 55% 52%)` }}
      aria-hidden="true"
    >
      {userId.slice(0, 1)}
      {status ? <span className={`presence-dot status-${status}`} /> : null}
    </span>
  )
}
