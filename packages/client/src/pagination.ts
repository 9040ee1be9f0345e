/**
 * Lists are pages, newest first, linked by `next_page_token` (`""` on the last). A `PagedList`
 * walks them lazily: `for await (const chat of client.chats.list())` fetches a page only when the
 * loop needs it, and stops fetching when the loop stops.
 */
import type { Page } from "@talk/contracts";

export interface PageParams {
  /** Items per page, at most 100 (the API clamps larger values). */
  pageSize?: number;
  /** Where to start: a `next_page_token` of an earlier page; the newest items by default. */
  pageToken?: string;
}

export type PageFetcher<T> = (params: PageParams) => Promise<Page<T>>;

export class PagedList<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly params: PageParams = {},
  ) {}

  /** Every item of every page, newest first. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.result;
  }

  /** The pages themselves, for a caller that wants `next_page_token` (say, to page on later). */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let pageToken = this.params.pageToken;
    for (;;) {
      const page = await this.fetchPage({ pageSize: this.params.pageSize, pageToken });
      yield page;
      if (!page.next_page_token || page.result.length === 0) return;
      pageToken = page.next_page_token;
    }
  }

  /** One page: the first, or the one after `pageToken`. */
  page(pageToken = this.params.pageToken): Promise<Page<T>> {
    return this.fetchPage({ pageSize: this.params.pageSize, pageToken });
  }

  /** Up to `limit` items (all of them by default) in one array. */
  async toArray(limit = Infinity): Promise<T[]> {
    const items: T[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}
