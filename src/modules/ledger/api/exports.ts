// The books as files (under /api/v1/ledger): a report as a PDF or CSV to print or hand to the
// accountant, and the whole journal for hledger or a spreadsheet.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { responses } from '../../../platform/http/schemas.ts';
import { documentCsv } from '../../../platform/documents/csv.ts';
import { documentPdf } from '../../../platform/documents/pdf.ts';
import type { LedgerParts } from '../index.ts';
import { REPORT_NAMES } from '../documents.ts';
import { checkPeriod, periodFields, tags } from './shared.ts';
import { File } from './answers.ts';
import { EXPORT_FILES, type ExportFormat } from '../export.ts';

export function exportRoutes(app: FastifyInstance, { ledger }: LedgerParts): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/reports/:report/download',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary:
          'A report as a file: PDF to print or send to the accountant, CSV for a spreadsheet (balance sheet and stock are at `to`)',
        params: Type.Object({ report: Type.Enum([...REPORT_NAMES]) }),
        querystring: Type.Object(
          { ...periodFields, format: Type.Enum(['pdf', 'csv']) },
          { additionalProperties: false },
        ),
        produces: ['application/pdf', 'text/csv'],
        response: responses({ 200: File('the report, named shopkeep-<report>-<from>-to-<to>.<format>') }),
      },
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      checkPeriod(from, to);
      const document = await ledger.reportDocument(request.params.report, from, to);
      const name = `shopkeep-${request.params.report}-${from}-to-${to}.${format}`;
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
        .send(format === 'pdf' ? documentPdf(document) : documentCsv(document));
    },
  );

  api.get(
    '/export',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary:
          "The books as an hledger journal, CSV (one posting per row), or Xero's or QuickBooks' journal import (a summary journal a month)",
        querystring: Type.Object(
          { ...periodFields, format: Type.Enum(Object.keys(EXPORT_FILES) as ExportFormat[]) },
          { additionalProperties: false },
        ),
        produces: ['text/plain', 'text/csv'],
        response: responses({
          200: File('the journal (text/plain) or the postings (text/csv), streamed as they are read'),
        }),
      },
    },
    async (request, reply) => {
      const { format, from, to } = request.query;
      checkPeriod(from, to);
      const file = EXPORT_FILES[format];
      return reply
        .type(file.type)
        .header(
          'content-disposition',
          `attachment; filename="shopkeep-books-${from}-to-${to}.${file.extension}"`,
        )
        .send(Readable.from(ledger.exportBooks(format, from, to)));
    },
  );
}
