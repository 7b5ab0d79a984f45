// A report as a document: a title, a line saying what it covers, and sections of rows under column
// headings. One document renders to PDF (to print or send to an accountant) and to CSV (for a
// spreadsheet), so both always say the same.
import { formatMoney, toDecimal } from '../money.ts';

export interface Column {
  label: string;
  align?: 'left' | 'right';
  /** Share of the page's width (the shares of a section's columns are scaled to add up to 1). */
  width?: number;
}

/** Text, a count, a percentage, or money in minor units (formatted with the document's currency). */
export type Cell = string | number | { money: number } | { percent: number | null } | null;

export interface Row {
  cells: Cell[];
  bold?: boolean;
}

export interface Section {
  heading?: string;
  columns: Column[];
  rows: Row[];
}

export interface ReportDocument {
  title: string;
  subtitle: string;
  currency: string;
  sections: Section[];
  note?: string;
}

/** A cell as a person reads it (PDF, screen). */
export function displayCell(cell: Cell, currency: string): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return cell.toLocaleString('en-GB');
  if ('money' in cell) return formatMoney(cell.money, currency);
  return cell.percent === null ? '–' : `${cell.percent.toFixed(1)}%`;
}

/** A cell as a spreadsheet reads it: plain numbers, money as a decimal without the symbol. */
export function dataCell(cell: Cell, currency: string): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return String(cell);
  if ('money' in cell) return toDecimal(cell.money, currency);
  return cell.percent === null ? '' : cell.percent.toFixed(1);
}
