import { columnWidths, table } from './output';

/**
 * A table printed as its rows arrive, a page at a time: each page is aligned to the widest cells
 * seen so far (widths only grow), so output starts at once and memory holds one page, however
 * many rows follow.
 */
export class PagedTable {
  private page: string[][] = [];
  private widths: number[] = [];
  private headed = false;

  constructor(
    private readonly head: string[],
    private readonly write: (line: string) => void,
    private readonly pageRows = 100,
  ) {}

  add(row: string[]): void {
    this.page.push(row);
    if (this.page.length >= this.pageRows) this.flush();
  }

  /** Prints the rows held; the heading comes with the first rows. */
  flush(): void {
    if (this.page.length === 0) return;
    this.widths = columnWidths(this.head, this.page, this.widths);
    const [heading, ...rows] = table(this.head, this.page, this.widths);
    if (!this.headed) this.write(heading);
    this.headed = true;
    rows.forEach((line) => this.write(line));
    this.page = [];
  }
}
