// Gauges read at scrape time share their reads.
/**
 * A read that every gauge of one scrape shares: prom-client collects the gauges side by side, and a
 * figure read once per gauge would be read (and its database queried) once per gauge. A read fails
 * as undefined (the gauges are then absent), never the scrape.
 */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T | undefined> {
  let latest: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    if (!latest || Date.now() - latest.at > 1000)
      latest = { at: Date.now(), value: read().catch(() => undefined) };
    return latest.value;
  };
}
