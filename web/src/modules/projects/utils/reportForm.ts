// The monthly report form (PUT /api/v1/projects/{id}/reports/{YYYY-MM}): values ⇄ body, and the
// server's 422 errors mapped onto the inputs they name. Amounts go as typed (normalised), strings.
import type { ApiError, ProblemFieldError } from '@/shell/api/client'
import type { Report } from '@/modules/projects/api'
import { normalizeDecimalInput } from '@/shell/utils/decimal'

/** The month's own amounts the server requires. */
export const REPORT_REQUIRED = ['invest_done_yuan', 'topped_out_m2', 'completed_m2'] as const
/** Optional amounts: supporting space (of the topped-out area) and the cumulative as a check. */
export const REPORT_OPTIONAL = ['topped_out_supporting_m2', 'invest_cum_yuan'] as const
export const REPORT_AMOUNTS = [...REPORT_REQUIRED, ...REPORT_OPTIONAL] as const
export const REPORT_TEXTS = ['problems', 'note'] as const
/** Every input of the form, in display order. */
export const REPORT_INPUTS: string[] = [
  'invest_done_yuan',
  'invest_cum_yuan',
  'topped_out_m2',
  'topped_out_supporting_m2',
  'completed_m2',
  'problems',
  'note',
]

export type ReportForm = Record<(typeof REPORT_AMOUNTS)[number] | (typeof REPORT_TEXTS)[number], string>

export function emptyReportForm(): ReportForm {
  return {
    invest_done_yuan: '',
    topped_out_m2: '',
    topped_out_supporting_m2: '',
    completed_m2: '',
    invest_cum_yuan: '',
    problems: '',
    note: '',
  }
}

/** The current version → the form (a correction starts from what was reported). The stated
 *  cumulative is a check typed by hand, never prefilled. */
export function reportToForm(r: Report | null | undefined): ReportForm {
  const f = emptyReportForm()
  if (!r) return f
  for (const k of ['invest_done_yuan', 'topped_out_m2', 'topped_out_supporting_m2', 'completed_m2', 'problems', 'note'] as const) {
    const v = r[k]
    f[k] = v === null || v === undefined ? '' : String(v)
  }
  return f
}

/** The body to PUT: required amounts always (blank ones left out so that the server names them
 *  `required`), optional amounts and texts only when filled. Decimals stay strings. */
export function reportBody(f: ReportForm): Record<string, string> {
  const body: Record<string, string> = {}
  for (const k of REPORT_AMOUNTS) {
    const v = normalizeDecimalInput(f[k])
    if (v !== '') body[k] = v
  }
  for (const k of REPORT_TEXTS) {
    const v = (f[k] || '').trim()
    if (v !== '') body[k] = v
  }
  return body
}

export interface MappedErrors {
  /** input name → message, for the inputs of the form */
  fields: Record<string, string>
  /** the rest (month/no_stage, stage/stage_mismatch, errors without a field) */
  summary: ProblemFieldError[]
}

/** A 400/422 answer → messages beside the inputs they name, the rest in a summary. */
export function mapReportErrors(e: Pick<ApiError, 'problem'>): MappedErrors {
  const fields: Record<string, string> = {}
  const summary: ProblemFieldError[] = []
  for (const err of e.problem.errors || []) {
    if (err && err.field && REPORT_INPUTS.includes(err.field)) {
      const msg = err.message || err.code
      fields[err.field] = fields[err.field] ? `${fields[err.field]}; ${msg}` : msg
    } else if (err) summary.push(err)
  }
  return { fields, summary }
}
