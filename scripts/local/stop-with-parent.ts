// Preloaded into the bridge by `npm run local`. The IPC channel to the parent closes when the
// parent dies, however it dies (SIGKILL included): the bridge then stops as on SIGTERM.
if (process.channel) {
  process.channel.unref(); // the channel alone must not keep the bridge alive
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
