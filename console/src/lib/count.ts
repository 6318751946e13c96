/** Counting what a listing API can count: pages until `cap` rows, so a huge library shows "≥ cap". */
export interface Counted {
  value: number;
  atLeast: boolean; // true when counting stopped at the cap
}

export async function countPages(
  fetchPage: (cursor: string | null) => Promise<{ rows: number; next: string | null }>,
  cap: number,
): Promise<Counted> {
  let value = 0;
  let cursor: string | null = null;
  for (;;) {
    const page = await fetchPage(cursor);
    value += page.rows;
    if (!page.next || page.rows === 0) return { value, atLeast: false };
    if (value >= cap) return { value, atLeast: true };
    cursor = page.next;
  }
}

export async function countStream(stream: AsyncIterable<unknown>, cap: number): Promise<Counted> {
  let value = 0;
  for await (const _ of stream) {
    value += 1;
    if (value >= cap) return { value, atLeast: true };
  }
  return { value, atLeast: false };
}

export function showCount(c: Counted | undefined): string {
  if (!c) return "…";
  return (c.atLeast ? "≥ " : "") + c.value.toLocaleString("en");
}
