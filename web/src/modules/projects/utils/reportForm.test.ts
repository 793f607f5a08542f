import { describe, expect, it } from 'vitest'
import { ApiError } from '@/shell/api/client'
import type { Report } from '@/modules/projects/api'
import { emptyReportForm, mapReportErrors, reportBody, reportToForm } from './reportForm'

describe('monthly report body', () => {
  it('sends amounts as exact strings, normalised, and leaves blanks out', () => {
    const f = emptyReportForm()
    f.invest_done_yuan = '１,500,000.10' // full-width digit and thousands separators from an IME
    f.topped_out_m2 = ' 1200.5 '
    f.completed_m2 = '0'
    f.invest_cum_yuan = ''
    f.problems = '  用工紧张 '
    expect(reportBody(f)).toEqual({
      invest_done_yuan: '1500000.10',
      topped_out_m2: '1200.5',
      completed_m2: '0',
      problems: '用工紧张',
    })
  })
  it('keeps what the server must judge: "12.345" goes as typed', () => {
    const f = emptyReportForm()
    f.invest_done_yuan = '12.345'
    expect(reportBody(f).invest_done_yuan).toBe('12.345')
  })
  it('a correction starts from the current version, without the stated cumulative', () => {
    const r = {
      invest_done_yuan: '500000.00',
      topped_out_m2: '0.00',
      topped_out_supporting_m2: '0.00',
      completed_m2: '0.00',
      problems: '',
      note: 'n',
      invest_cum_yuan: '1500000.00',
    } as unknown as Report
    const f = reportToForm(r)
    expect(f.invest_done_yuan).toBe('500000.00')
    expect(f.note).toBe('n')
    expect(f.invest_cum_yuan).toBe('')
    expect(reportToForm(null)).toEqual(emptyReportForm())
  })
})

describe('report errors', () => {
  it('put each field error beside its input and the others in the summary', () => {
    const e = new ApiError(
      422,
      {
        status: 422,
        errors: [
          { field: 'invest_cum_yuan', code: 'cumulative_falls', message: '累计值不能下降' },
          { field: 'topped_out_m2', code: 'topped_out_exceeds_plan', message: '超过规划面积' },
          { field: 'topped_out_m2', code: 'too_many_decimals', message: '最多两位小数' },
          { field: 'month', code: 'no_stage', message: '项目月末尚无阶段' },
          { field: 'stage', code: 'stage_mismatch', message: '阶段不符' },
          { field: '', code: 'x', message: 'general' },
        ],
      },
      null,
      null,
    )
    const m = mapReportErrors(e)
    expect(m.fields).toEqual({
      invest_cum_yuan: '累计值不能下降',
      topped_out_m2: '超过规划面积; 最多两位小数',
    })
    expect(m.summary.map((x) => x.code)).toEqual(['no_stage', 'stage_mismatch', 'x'])
  })
  it('an answer without errors maps to nothing', () => {
    expect(mapReportErrors({ problem: { status: 409 } })).toEqual({ fields: {}, summary: [] })
  })
})
