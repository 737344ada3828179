const DISCORD_EPOCH_MS = 1420070400000n;

let lastIssued = 0n;

/** A unique, time-ordered Discord snowflake (timestamp << 22 | counter), as Discord sends it: a decimal string. */
export function nextSnowflake(): string {
  const fromClock = (BigInt(Date.now()) - DISCORD_EPOCH_MS) << 22n;
  lastIssued = fromClock > lastIssued ? fromClock : lastIssued + 1n;
  return lastIssued.toString();
}
