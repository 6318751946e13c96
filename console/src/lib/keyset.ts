/**
 * Rows of a keyset-paged listing (AURA `page` cursors), loaded page by page as a virtualised list
 * scrolls towards them. Total size is unknown until the last page: `count()` is what a list should
 * render (loaded rows plus one placeholder page while more exist).
 */
export interface Page<T> {
  rows: T[];
  next: string | null; // cursor of the following page, null at the end
}

export type FetchPage<T> = (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;

export class KeysetPager<T> {
  readonly rows: T[] = [];
  private cursor: string | null = null;
  private done = false;
  private inflight: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly fetchPage: FetchPage<T>,
    readonly pageSize: number,
    private readonly onChange: () => void = () => {},
  ) {}

  get complete(): boolean {
    return this.done;
  }

  /** Rows to lay out: loaded rows plus a page of placeholders while more pages exist. */
  count(): number {
    return this.done ? this.rows.length : this.rows.length + this.pageSize;
  }

  /** Load pages (one at a time, in order) until `index` is loaded or the listing ends. */
  async ensure(index: number): Promise<void> {
    while (!this.done && index >= this.rows.length && !this.abort.signal.aborted) {
      if (!this.inflight) this.inflight = this.loadNext().finally(() => (this.inflight = null));
      await this.inflight;
    }
  }

  /** Stop: in-flight requests are aborted and nothing more is loaded. */
  close(): void {
    this.abort.abort();
  }

  private async loadNext(): Promise<void> {
    const page = await this.fetchPage(this.cursor, this.abort.signal);
    if (this.abort.signal.aborted) return;
    this.rows.push(...page.rows);
    this.cursor = page.next;
    if (!page.next || page.rows.length === 0) this.done = true;
    this.onChange();
  }
}

/** The `page` cursor from AURA's `links.next`: gRPC callers get the bare token, REST callers a URL
 *  (`/aura/tracks?...&page=XYZ`); null at the end. */
export function nextCursor(next: string | undefined | null): string | null {
  if (!next) return null;
  const q = next.indexOf("?");
  if (q < 0) return next.includes("/") ? null : next;
  return new URLSearchParams(next.slice(q + 1)).get("page");
}
