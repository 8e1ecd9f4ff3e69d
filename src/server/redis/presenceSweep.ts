/** The Redis presence sweep: the Lua script that reports expired processes' users offline, and its bounds. */

/** Users one sweep script takes at most (bounded work per call). */
export const SWEEP_BATCH = 1000
/** Expired processes one sweep looks at. */
export const SWEEP_PROCESSES = 10

/**
 * KEYS: procs. ARGV: now, prefix, channel, batch, process count.
 * Returns how many users it reported offline.
 */
export const SWEEP_LUA = `
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[5]))
local count = 0
for _, proc in ipairs(dead) do
  local set = ARGV[2] .. 'presence:p:' .. proc
  local users = redis.call('SPOP', set, tonumber(ARGV[4]))
  for _, user in ipairs(users) do
    local hash = ARGV[2] .. 'presence:u:' .. user
    local state = redis.call('HGET', hash, proc)
    redis.call('HDEL', hash, proc)
    local custom = ''
    if state then
      local ok, decoded = pcall(cjson.decode, state)
      if ok and type(decoded) == 'table' then
        if type(decoded.customStatus) == 'string' then
          custom = ',"customStatus":' .. cjson.encode(decoded.customStatus)
        end
        if type(decoded.rooms) == 'table' then
          for _, room in ipairs(decoded.rooms) do
            redis.call('HDEL', ARGV[2] .. 'presence:r:' .. room, proc .. ' ' .. user)
          end
        end
      end
    end
    redis.call('PUBLISH', ARGV[3], '{"u":' .. cjson.encode(user) .. ',"p":' .. cjson.encode(proc)
      .. ',"s":{"online":false,"lastSeen":' .. ARGV[1] .. custom .. '}}')
    count = count + 1
  end
  if redis.call('SCARD', set) == 0 then redis.call('ZREM', KEYS[1], proc) end
end
return count
`

export interface PresenceCommands {
  realtimePresenceSweep(...args: string[]): Promise<number>
}
