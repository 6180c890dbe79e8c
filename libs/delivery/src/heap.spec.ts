import { Heap } from './heap';

describe('Heap', () => {
  it('gives back any sequence of pushes in order, interleaved with pops', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const heap = new Heap<number>((a, b) => a < b);
    const shadow: number[] = [];
    for (let i = 0; i < 5000; i++) {
      if (random() < 0.6 || shadow.length === 0) {
        const n = Math.floor(random() * 1000);
        heap.push(n);
        shadow.push(n);
        shadow.sort((a, b) => a - b);
      } else {
        expect(heap.pop()).toBe(shadow.shift());
      }
      expect(heap.size).toBe(shadow.length);
      expect(heap.peek()).toBe(shadow[0]);
    }
  });

  it('is empty after clear', () => {
    const heap = new Heap<number>((a, b) => a < b);
    [3, 1, 2].forEach((n) => heap.push(n));
    heap.clear();
    expect([heap.size, heap.pop(), heap.peek()]).toEqual([0, undefined, undefined]);
  });
});
