// phoenix's client as an app's bundler resolves it (browser conditions).
export { Socket } from 'phoenix'
