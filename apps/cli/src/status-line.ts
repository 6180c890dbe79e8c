const CLEAR_LINE = '\r\x1b[2K';

/**
 * One line at the bottom of a terminal, redrawn in place. Output lines clear it first (it comes
 * back on the next redraw), so results and status never share a line.
 */
export class StatusLine {
  private shown = false;

  constructor(private readonly terminal: NodeJS.WriteStream) {}

  /** Replaces the line; an empty text clears it. */
  show(text: string): void {
    if (text === '') return this.clear();
    // Cut to the terminal's width: a wrapped line could not be redrawn in place.
    const width = Math.max(1, (this.terminal.columns || 80) - 1);
    const fitted = Array.from(text).slice(0, width).join('');
    this.terminal.write(`${CLEAR_LINE}${fitted}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.terminal.write(CLEAR_LINE);
    this.shown = false;
  }
}
