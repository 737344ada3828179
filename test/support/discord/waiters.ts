interface Waiter<T> {
  matches: (value: T) => boolean;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** Promises for events still to come: each settles with the first matching event, on timeout, or on `rejectAll`. */
export class Waiters<T> {
  private readonly pending = new Set<Waiter<T>>();

  wait(matches: (value: T) => boolean, timeoutMs: number, timeoutMessage: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const settle = (settleWith: () => void) => {
        clearTimeout(timer);
        this.pending.delete(waiter);
        settleWith();
      };
      const waiter: Waiter<T> = {
        matches,
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      };
      const timer = setTimeout(() => waiter.reject(new Error(timeoutMessage())), timeoutMs);
      this.pending.add(waiter);
    });
  }

  notify(value: T): void {
    for (const waiter of this.pending) {
      if (waiter.matches(value)) waiter.resolve(value);
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of this.pending) waiter.reject(error);
  }
}
