// socket.io-client's client as an app's bundler resolves it (browser conditions).
export { io } from 'socket.io-client'
