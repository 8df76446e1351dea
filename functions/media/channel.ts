/** Port: publish a post on the media topic. In-memory adapter for unit tests. */
export interface MediaPost {
  readonly postId: string;
  readonly zone: string;
  readonly headline: string;
  readonly body: string;
  readonly sourceEventIds: readonly string[];
}

export interface MediaChannel {
  publish(post: MediaPost, signal: AbortSignal): Promise<void>;
}

export class InMemoryMediaChannel implements MediaChannel {
  readonly posts: MediaPost[] = [];
  async publish(post: MediaPost): Promise<void> {
    this.posts.push(post);
  }
}
