// A count the app keeps fresh (unread notifications, unread messages): one request at a
// time, and a refresh asked for while one is under way runs again once it ends. Its answer
// then reflects every change made before it was asked for: reading a conversation while
// the minute's refresh was out used to leave the old count until the next minute.

/**
 * refresher(load) returns refresh(): it calls load() (a promise) unless a call is under
 * way; then it queues one more call after it, shared by every refresh() asked for
 * meanwhile. refresh() resolves when the call that answers it has ended.
 */
export function refresher(load) {
  let running = null;
  let queued = null;
  const start = () => {
    running = Promise.resolve()
      .then(load)
      .catch(() => {})
      .finally(() => {
        running = null;
      });
    return running;
  };
  return function refresh() {
    if (!running) return start();
    queued ??= running.then(() => {
      queued = null;
      return running ?? start();
    });
    return queued;
  };
}
