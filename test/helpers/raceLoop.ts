/**
 * The loop of the save/load race children (saveLoadRace.ts, modelFilesChild.ts):
 * runs `attempt` over and over for `ms` milliseconds, then prints a JSON summary
 * {count, failed, firstFailures, seen}. A load attempt returns the saver id whose
 * whole save it read, or null for a mix of saves; a save attempt returns nothing.
 */
export async function raceLoop(ms: number, attempt: () => Promise<number | null | void>): Promise<void> {
  const end = Date.now() + ms;
  const failures: string[] = [];
  const seen = new Set<number>();
  let count = 0;
  while (Date.now() < end) {
    try {
      const who = await attempt();
      if (who === null) failures.push('a mix of saves');
      else if (who !== undefined) seen.add(who);
    } catch (e) {
      failures.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
    count++;
  }
  console.log(JSON.stringify({ count, failed: failures.length, firstFailures: [...new Set(failures)].slice(0, 3), seen: [...seen] }));
}
