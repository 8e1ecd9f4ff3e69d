/**
 * vitest's jsdom environment puts jsdom's `Uint8Array` on the global, while `TextEncoder` (and
 * `Buffer`) still make Node's. jose, which the reference server and the test tokens use, runs in
 * this context and checks keys with `instanceof Uint8Array`, so every HS256 key would be
 * refused. Give the global back Node's `Uint8Array`; import this module first.
 */
const NodeUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor
globalThis.Uint8Array = NodeUint8Array
