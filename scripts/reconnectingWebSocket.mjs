// reconnecting-websocket 4.4.0's TypeScript source as dist bundles it and the tests run it
// (tsup.config.ts, vitest.config.ts): the same code, less what the transport
// (middleware/transport.ts) can never reach. Its instance is the transport's own; the
// transport sets no `debug` option and reads only `retryCount` and `readyState`, and calls
// only `addEventListener`, `send`, `close` and `reconnect`.
// - The `this._debug(…)` calls are marked pure, so a bundler drops them: they log only with
//   `debug`.
// - The accessors and methods nothing calls are left out (`CLOSING`, the instance's
//   `CONNECTING`, `binaryType`, `bufferedAmount`, `extensions`, `protocol`, `url`,
//   `dispatchEvent`, `removeEventListener`): the tests run this code too, so a transport
//   that starts to use one fails them.
// - What only options the transport never sets reach, and what only code outside it could
//   use, is left out (`EDITS`): the `startClosed` option, the `debug` option's logging (its
//   calls are dropped already), the message queue (the transport sets `maxEnqueuedMessages: 0`,
//   so nothing was ever queued: `send` while not open drops the message, as before), and the
//   `onopen`/`onmessage`/`onerror`/`onclose` handler fields and listener objects with a
//   `handleEvent` method (the transport listens with `addEventListener` and functions; nothing
//   else holds its instance), and the global `WebSocket` as the default of the `WebSocket`
//   option (the transport always passes its own; without one it still throws "No valid
//   WebSocket class provided").
// - Its TypeScript-private members (`_ws`, `_listeners`, … 28 names once the queue is gone,
//   none read outside the class) get one-letter names, as a minifier names local variables.
//   Done here, in this file's source only: a bundler-wide `mangleProps` would also rename any
//   `_name` property of ours or of a wire frame.
// Each edit must apply: another version of the package fails the build instead of shipping
// untrimmed or half-trimmed code.

/** Members left out: each a `    get|set|public name(…) … {` block up to its `    }`. */
const UNUSED = [
  'static get CLOSING',
  'get CONNECTING',
  'get CLOSING',
  'get binaryType',
  'set binaryType',
  'get bufferedAmount',
  'get extensions',
  'get protocol',
  'get url',
  'public dispatchEvent',
  'public removeEventListener',
]

/** The source `source` of reconnecting-websocket.ts, trimmed as above. */
export function trimReconnectingWebSocket(source) {
  const debugCalls = source.split('this._debug(').length - 1
  if (debugCalls !== 17) {
    throw new Error(`reconnecting-websocket: ${debugCalls} this._debug( calls, not 17`)
  }
  let out = source.replaceAll('this._debug(', '/* @__PURE__ */ this._debug(')
  for (const member of UNUSED) {
    const start = out.indexOf(`\n    ${member}`)
    const end = start < 0 ? -1 : out.indexOf('\n    }\n', start)
    if (end < 0) throw new Error(`reconnecting-websocket: no member "${member}" to leave out`)
    // With its doc comment, when the member has one.
    const before = out.slice(0, start)
    const from = before.trimEnd().endsWith('*/') ? before.lastIndexOf('\n    /**') : start
    out = out.slice(0, from) + out.slice(end + '\n    }'.length)
  }
  for (const name of HANDLER_FIELDS) {
    const start = out.indexOf(`\n    public ${name}: `)
    const from = out.lastIndexOf('\n    /**', start)
    if (start < 0 || out.indexOf(`\n    public ${name}: `, start + 1) >= 0) {
      throw new Error(`reconnecting-websocket: no one field "${name}" to leave out`)
    }
    // With its doc comment.
    out = out.slice(0, from) + out.slice(out.indexOf('\n', start + 1))
  }
  for (const [what, from, to] of EDITS) {
    const found = out.split(from).length - 1
    if (found !== 1)
      throw new Error(`reconnecting-websocket: ${what} found ${found} times, not once`)
    out = out.replace(from, to)
  }
  return shortenPrivateNames(out)
}

/** The `on<event>` handler fields: the transport listens with `addEventListener`. */
const HANDLER_FIELDS = ['onclose', 'onerror', 'onmessage', 'onopen']

/** `[what, text, replacement]`: each text must be there exactly once (after the steps above). */
const EDITS = [
  ['the default startClosed', '    startClosed: false,\n', ''],
  ['the default debug', '    debug: false,\n', ''],
  ['the default maxEnqueuedMessages', '    maxEnqueuedMessages: Infinity,\n', ''],
  [
    'startClosed in the constructor',
    '        if (this._options.startClosed) {\n            this._shouldReconnect = false;\n        }\n',
    '',
  ],
  [
    'startClosed in readyState',
    'return this._options.startClosed\n            ? ReconnectingWebSocket.CLOSED\n            : ReconnectingWebSocket.CONNECTING;',
    'return ReconnectingWebSocket.CONNECTING;',
  ],
  [
    'the debug log',
    "        if (this._options.debug) {\n            // not using spread because compiled version uses Symbols\n            // tslint:disable-next-line\n            console.log.apply(console, ['RWS>', ...args]);\n        }\n",
    '',
  ],
  ['the message queue', '    private _messageQueue: Message[] = [];\n', ''],
  [
    'the message queue in send',
    " else {\n            const {maxEnqueuedMessages = DEFAULT.maxEnqueuedMessages} = this._options;\n            if (this._messageQueue.length < maxEnqueuedMessages) {\n                /* @__PURE__ */ this._debug('enqueue', data);\n                this._messageQueue.push(data);\n            }\n        }",
    '',
  ],
  [
    'the message queue sent on open',
    '        // send enqueued messages (messages sent before websocket open event)\n        this._messageQueue.forEach(message => this._ws!.send(message));\n        this._messageQueue = [];\n',
    '',
  ],
  [
    'the global WebSocket default',
    "const getGlobalWebSocket = (): WebSocket | undefined => {\n    if (typeof WebSocket !== 'undefined') {\n        // @ts-ignore\n        return WebSocket;\n    }\n};\n",
    '',
  ],
  ['the global WebSocket default in connect', 'WebSocket = getGlobalWebSocket(),', 'WebSocket,'],
  [
    'handleEvent listeners',
    "        if ('handleEvent' in listener) {\n            // @ts-ignore\n            listener.handleEvent(event);\n        } else {\n            // @ts-ignore\n            listener(event);\n        }\n",
    '        // @ts-ignore\n        listener(event);\n',
  ],
  ...HANDLER_FIELDS.map((name) => [
    `the ${name} call`,
    `        if (this.${name}) {\n            this.${name}(event);\n        }\n`,
    '',
  ]),
]

/** One letter per private `_name`, the most used first; the class has no one-letter member. */
function shortenPrivateNames(source) {
  const uses = new Map()
  for (const [name] of source.matchAll(PRIVATE_NAME)) uses.set(name, (uses.get(name) ?? 0) + 1)
  if (uses.size !== 28) {
    throw new Error(`reconnecting-websocket: ${uses.size} private _names, not 28`)
  }
  const short = new Map(
    [...uses.keys()]
      .sort((a, b) => uses.get(b) - uses.get(a))
      .map((name, index) => [name, SHORT_NAMES[index]]),
  )
  return source.replace(PRIVATE_NAME, (name) => short.get(name))
}

const PRIVATE_NAME = /(?<![\w$])_[a-zA-Z]\w*/g
const SHORT_NAMES = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
