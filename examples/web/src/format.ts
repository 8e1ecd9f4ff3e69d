const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dayTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
})

/** 14:05 */
export function formatTime(at: number): string {
  return time.format(at)
}

/** Tue 14:05 */
export function formatDayTime(at: number): string {
  return dayTime.format(at)
}

/** "just now", "5 min ago", "2 h ago", "3 d ago" */
export function timeAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  return `${Math.round(hours / 24)} d ago`
}

/** "in 9 min", "in 3 h", "tomorrow", "started" */
export function timeUntil(at: number, now: number): string {
  const minutes = Math.round((at - now) / 60_000)
  if (minutes <= 0) return 'started'
  if (minutes < 60) return `in ${minutes} min`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `in ${hours} h`
  const days = Math.round(hours / 24)
  return days === 1 ? 'tomorrow' : `in ${days} days`
}

/** The `@name`s in a message: mentioned user ids, each once. */
export function findMentions(text: string): string[] {
  const names = [...text.matchAll(/(?:^|\s)@([A-Za-z0-9_.-]{1,64})/g)].map((match) => match[1])
  return [...new Set(names.filter((name): name is string => name !== undefined))]
}
