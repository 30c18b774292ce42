// The open nodes of a best-first tree with thousands of leaves (a forest capped at 15,000): a binary max-heap by
// gain, so picking the next node is O(log n) instead of a scan of every open node.

/**
 * A max-heap of items by a numeric key; equal keys come out in the order they went in, so a tree grown from the
 * same rows is the same tree.
 * @example const h = new GainHeap<string>(); h.push('a', 2); h.push('b', 5); h.pop() // 'b'
 */
export class GainHeap<T> {
  private items: T[] = [];
  private keys: number[] = [];
  private order: number[] = [];
  private next = 0;

  get size(): number { return this.items.length; }

  push(item: T, key: number): void {
    this.items.push(item); this.keys.push(key); this.order.push(this.next++);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent); i = parent;
    }
  }

  /** The item with the largest key (the earliest pushed among equals); undefined when empty. */
  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    this.swap(0, n - 1);
    this.items.pop(); this.keys.pop(); this.order.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let best = i;
      if (l < n - 1 && this.above(l, best)) best = l;
      if (r < n - 1 && this.above(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best); i = best;
    }
    return top;
  }

  private above(a: number, b: number): boolean {
    return this.keys[a] > this.keys[b] || (this.keys[a] === this.keys[b] && this.order[a] < this.order[b]);
  }

  private swap(a: number, b: number): void {
    [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.order[a], this.order[b]] = [this.order[b], this.order[a]];
  }
}
