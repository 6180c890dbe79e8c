import { PagedTable } from './paged-table';

describe('PagedTable', () => {
  it('prints a page as soon as it is full, the heading once, and widths that only grow', () => {
    const out: string[] = [];
    const t = new PagedTable(['A', 'B', 'C'], (l) => out.push(l), 2);
    t.add(['x', 'y', 'z']);
    expect(out).toEqual([]);
    t.add(['xx', 'y', 'last']);
    expect(out).toEqual(['A   B  C', 'x   y  z', 'xx  y  last']);
    t.add(['x', 'wide', '']);
    t.flush();
    t.flush();
    expect(out.slice(3)).toEqual(['x   wide']);
  });
});
