// Background work in tests. app.request gives a request no ExecutionContext, so createApp hands
// what a route runs in the background to its runInBackground option: pass this collector's, then
// `await settleBackgroundWork()` before checking what the work did.
export function collectBackgroundWork() {
  const pending: Promise<unknown>[] = [];
  return {
    runInBackground(work: Promise<unknown>): void {
      // Handled here so a failure waits for settleBackgroundWork instead of failing the run as unhandled.
      work.catch(() => undefined);
      pending.push(work);
    },
    /** Awaits every scheduled piece of work, including work scheduled meanwhile; rejects with the first failure. */
    async settleBackgroundWork(): Promise<void> {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}
